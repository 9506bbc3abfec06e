"""Read the unpacked history files, in one pass, into the `plays` table with each row's class, and hold every
row to the domain of stored data.

DuckDB parses the files; this module decides what their rows mean. Each row is read once and written once,
classed as it is read (ROW_CLASS): a play, or why it is none. Values of the wrong kind are refused naming
the member file they are in; rows that are well-formed but outside the domain (a time outside
FIRST_DAY..LAST_DAY, a play longer than MAX_MS_PLAYED) and rows that are no play of music are only counted,
then dropped (keep_plays). DuckDB's own messages quote the server's paths (and row values), so the person
gets ours instead.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import duckdb

from src.exports import ExportTooLarge, ExportUnusable, RowFormat, UnpackedExport
from src.exports.domain import FIRST_DAY, LAST_DAY, MAX_MS_PLAYED
from src.exports.row_formats import quoted
from src.resource_errors import is_out_of_space

log = logging.getLogger(__name__)

# Above this a number of milliseconds does not fit the 64-bit integer it is stored as.
MS_CEILING = 2.0**63
# The parsed time and duration of each row, computed once while reading (NULL: missing or not parsable).
PLAY_TIME, PLAY_MS, SOURCE_FILE = "_play_time", "_play_ms", "_source_file"
# What each row read is: a play, or why it is none. A row the format leaves out is LEFT_OUT + the index of
# its first reason; of the rest, a value of the wrong kind comes first (the upload is refused), then a row
# that says not when (or not for how long), then one outside the domain.
ROW_CLASS = "_row_class"
PLAY, INCOMPLETE, OUT_OF_RANGE, BAD_MS, BAD_TIME, LEFT_OUT = 0, 1, 2, 3, 4, 10


@dataclass(frozen=True)
class RowCounts:
    read: int
    incomplete: int     # no time or no duration
    out_of_range: int   # outside the domain: not stored
    left_out: dict[str, int]    # rows that are no play of music, by why (the format's left_out)


def in_domain() -> str:
    """Complete, well-formed rows that the domain keeps (a play without a duration is in it)."""
    stop = LAST_DAY + timedelta(days=1)
    return (f"{PLAY_TIME} >= TIMESTAMP '{FIRST_DAY} 00:00:00' AND {PLAY_TIME} < TIMESTAMP '{stop} 00:00:00' "
            f"AND coalesce({PLAY_MS} <= {MAX_MS_PLAYED}, true)")


def _source_sql(fmt: RowFormat, files: list[str]) -> tuple[str, dict]:
    """The table function reading the files, with explicit columns and types, and its parameters."""
    params = {"files": files, "columns": fmt.columns}
    if fmt.reader == "csv" and fmt.csv_named:
        # Among many other columns, in an order that changes between generations: the names are read from
        # the header (every field as text) and only the format's columns are kept.
        return ("read_csv($files, header=true, all_varchar=true, delim=',', quote='\"', escape='\"', "
                f"max_line_size=4194304, filename='{SOURCE_FILE}')", {"files": files})
    if fmt.reader == "csv":
        # Every field is text (types are decided by the mapping); quotes as RFC 4180 writes them.
        return (f"read_csv($files, header={str(fmt.csv_header).lower()}, columns=$columns, auto_detect=false, "
                "delim=',', quote='\"', escape='\"', max_line_size=4194304, ignore_errors=false, "
                f"null_padding=true, filename='{SOURCE_FILE}')", params)
    json_format = "newline_delimited" if fmt.reader == "jsonl" else "array"
    return (f"read_json($files, format='{json_format}', columns=$columns, filename='{SOURCE_FILE}', "
            "maximum_object_size=16777216)", params)


def read_rows(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport, max_rows: int,
              columns: str) -> None:
    """Create the table `plays`: ROW_CLASS and `columns` (SQL over the format's columns, PLAY_TIME, PLAY_MS and
    ROW_CLASS) of every row; reading stops one row past max_rows (then ExportTooLarge)."""
    for path, name in zip(unpacked.paths, unpacked.member_names, strict=True):
        if path.stat().st_size == 0:
            raise ExportUnusable(f"{name} is empty; download the export again from Spotify.")
    classed, params = _classed_rows(fmt, unpacked, max_rows)
    try:
        con.execute(f"CREATE TABLE plays AS SELECT {ROW_CLASS}, {columns} FROM ({classed})", params)
    except duckdb.Error as error:
        if is_out_of_space(error):
            raise  # the disk, not the files: server_resources answers it
        message = _unreadable(str(error), unpacked)
        # DuckDB's own words may quote row values: the log gets the kind of error and what the person was told.
        log.info("History files refused by DuckDB (%s): %s", type(error).__name__, message)
        raise ExportUnusable(message) from error
    rows = con.execute("SELECT count(*) FROM plays").fetchone()[0]
    if rows > max_rows:
        raise ExportTooLarge(f"The listening history has more than {max_rows:,} rows; at most {max_rows:,} "
                             "are accepted in one upload.")


def _classed_rows(fmt: RowFormat, unpacked: UnpackedExport, max_rows: int) -> tuple[str, dict]:
    """SQL for the files' rows (the columns the format uses), their parsed time and duration and their class."""
    source, params = _source_sql(fmt, [str(path) for path in unpacked.paths])
    ms, time = quoted(fmt.ms_column or "NULL"), quoted(fmt.time_column)
    reasons = " ".join(f"WHEN coalesce({sql}, false) THEN {LEFT_OUT + index}"
                       for index, sql in enumerate(fmt.left_out.values()))
    bad_ms = (f"WHEN {ms} IS NOT NULL AND NOT coalesce({PLAY_MS} >= 0 AND {PLAY_MS} < {MS_CEILING}, false) "
              f"THEN {BAD_MS}" if fmt.ms_column else "")
    how_long = f" AND {ms} IS NOT NULL" if fmt.ms_column else ""
    row_class = (f"CASE {reasons} {bad_ms} WHEN {time} IS NOT NULL AND {PLAY_TIME} IS NULL THEN {BAD_TIME} "
                 f"WHEN NOT ({time} IS NOT NULL{how_long}) THEN {INCOMPLETE} "
                 f"WHEN NOT ({in_domain()}) THEN {OUT_OF_RANGE} ELSE {PLAY} END")
    return (f"""
        SELECT *, {row_class} AS {ROW_CLASS} FROM (
            SELECT {', '.join(map(quoted, fmt.used_columns()))}, {SOURCE_FILE},
                   {fmt.time_sql()} AS {PLAY_TIME}, {fmt.ms_sql()} AS {PLAY_MS}
            FROM {source}
            LIMIT $limit)""", {**params, "limit": max_rows + 1})


def _unreadable(message: str, unpacked: UnpackedExport) -> str:
    """Our words for DuckDB's refusal, naming the member file its message points at."""
    named = [name for path, name in zip(unpacked.paths, unpacked.member_names) if str(path) in message]
    what = named[0] if named else "A history file"
    if unpacked.row_format.reader == "csv":
        return (f"{what} is not a valid {unpacked.row_format.label} file ({_csv_reason(message)}); upload it "
                "exactly as the service or exporter wrote it, as text in UTF-8, UTF-16 or UTF-32.")
    if "surrogate" in message:
        reason = "a string holds a \\u escape that is no character (half of a surrogate pair)"
    elif "UTF-8" in message or "UTF8" in message:
        reason = "it holds bytes that are not text in UTF-8"
    elif "top-level JSON array" in message:
        reason = "it is not one JSON array"
    elif "Expected OBJECT" in message:
        reason = "the array holds an item that is not a row object"
    elif "Malformed JSON" in message:
        reason = "it is not well-formed JSON (damaged or cut short)"
    else:
        reason = "it cannot be read as JSON rows"
    return (f"{what} is not valid Spotify JSON ({reason}); each history file must be one array of row objects, "
            "as text in UTF-8, UTF-16 or UTF-32. Upload the files exactly as Spotify sent them.")


def _csv_reason(message: str) -> str:
    if "unicode" in message.lower() or "UTF-8" in message:
        return "it holds bytes that are not text in UTF-8"
    if "line size" in message.lower():
        return "a line is longer than 4 MB"
    if "columns" in message.lower():
        return "a line has more fields than the header"
    return "it cannot be read as CSV rows"


def check_rows(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport, max_rows: int) -> RowCounts:
    """Count the rows by class; ExportUnusable naming the file for a duration or a time that is not one."""
    by_class = dict(con.execute(f"SELECT {ROW_CLASS}, count(*) FROM plays GROUP BY ALL").fetchall())
    # each value of the wrong kind: its column, what it is not, and what the person can do
    wrong_kinds = ((BAD_MS, fmt.ms_column, "is not a number of milliseconds from 0 to 2^63 - 1",
                    "; upload the files exactly as the service sent them."),
                   (BAD_TIME, fmt.time_column, f"is not a time like {fmt.time_example}", "."))
    for row_class, column, what, then in wrong_kinds:
        if by_class.get(row_class):
            file, example = _first_of_class(con, fmt, unpacked, max_rows, row_class=row_class, column=column)
            raise ExportUnusable(f"{_member(file, unpacked)}: {column} {_quoted(example)} {what} "
                                 f"({_rows(by_class[row_class])} like it){then}")
    skipped = {why: by_class.get(LEFT_OUT + index, 0) for index, why in enumerate(fmt.left_out)}
    read, incomplete = sum(by_class.values()), by_class.get(INCOMPLETE, 0)
    if not by_class.get(PLAY) and not by_class.get(OUT_OF_RANGE):
        what = "a time and a duration" if fmt.ms_column else "a time"
        raise ExportUnusable(f"The files ({', '.join(unpacked.member_names[:3])}) hold no plays of music with "
                             f"{what}{_left_out_text(skipped)}; upload your listening history.")
    if not by_class.get(PLAY):
        raise ExportUnusable(f"Every play in the files is dated outside {FIRST_DAY} to {LAST_DAY} (UTC) or lasts "
                             "longer than a day, which no real listening history has.")
    return RowCounts(read, incomplete, by_class.get(OUT_OF_RANGE, 0), skipped)


def keep_plays(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the rows that are no play (few, in a real export) and the rows' classes."""
    con.execute(f"DELETE FROM plays WHERE {ROW_CLASS} <> {PLAY}")
    con.execute(f"ALTER TABLE plays DROP COLUMN {ROW_CLASS}")


def _first_of_class(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport, max_rows: int, *,
                    row_class: int, column: str) -> tuple[str, str]:
    """The first file (by path) holding a row of the class, and that file's first such value: the files are
    read again, only on the way to refusing them."""
    classed, params = _classed_rows(fmt, unpacked, max_rows)
    return con.execute(f"""
        SELECT arg_min({SOURCE_FILE}, {SOURCE_FILE}), arg_min({quoted(column)}::VARCHAR, {SOURCE_FILE})
        FROM ({classed}) WHERE {ROW_CLASS} = {row_class}""", params).fetchone()


def _left_out_text(skipped: dict[str, int]) -> str:
    shown = [f"{count:,} {why}" for why, count in skipped.items() if count]
    return f" (left out: {', '.join(shown)})" if shown else ""


def _member(source_file: str, unpacked: UnpackedExport) -> str:
    by_path = {str(path): name for path, name in zip(unpacked.paths, unpacked.member_names)}
    return by_path.get(source_file, "A history file")


def _quoted(value: str) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _rows(count: int) -> str:
    return "1 row" if count == 1 else f"{count:,} rows"
