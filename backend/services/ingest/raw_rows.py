"""Read the unpacked history files into a raw table and hold every row to the domain of stored data.

DuckDB parses the JSON; this module decides what its rows mean. Values of the wrong kind are refused
naming the member file they are in; rows that are well-formed but outside the domain (a time
outside FIRST_DAY..LAST_DAY, a play longer than MAX_MS_PLAYED) are only counted. DuckDB's own
messages quote the server's paths (and row values), so the person gets ours instead.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import duckdb

from src.exports import ExportTooLarge, ExportUnusable, RowFormat, UnpackedExport
from src.exports.domain import FIRST_DAY, LAST_DAY, MAX_MS_PLAYED
from src.exports.row_formats import quoted

log = logging.getLogger(__name__)

# Above this a number of milliseconds does not fit the 64-bit integer it is stored as.
MS_CEILING = 2.0**63
# The parsed time and duration of each row, computed once while reading (NULL: missing or not parsable).
PLAY_TIME, PLAY_MS, SOURCE_FILE = "_play_time", "_play_ms", "_source_file"


@dataclass(frozen=True)
class RowCounts:
    read: int
    incomplete: int     # no time or no duration
    out_of_range: int   # outside the domain: not stored
    left_out: dict[str, int]    # rows that are no play of music, by why (the format's left_out)


def complete(fmt: RowFormat) -> str:
    """Rows that say when (and for how long, where the service records it), and are plays of music."""
    when = f"{quoted(fmt.time_column)} IS NOT NULL"
    how_long = f" AND {quoted(fmt.ms_column)} IS NOT NULL" if fmt.ms_column else ""
    return f"{when}{how_long} AND NOT ({left_out(fmt)})"


def left_out(fmt: RowFormat) -> str:
    """Rows the format says are no play of music (false when it says none are)."""
    return " OR ".join(f"coalesce({sql}, false)" for sql in fmt.left_out.values()) or "false"


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


def read_raw(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport, max_rows: int) -> None:
    """Create the temporary table `raw`; reading stops one row past max_rows (then ExportTooLarge)."""
    for path, name in zip(unpacked.paths, unpacked.member_names):
        if path.stat().st_size == 0:
            raise ExportUnusable(f"{name} is empty; download the export again from Spotify.")
    source, params = _source_sql(fmt, [str(path) for path in unpacked.paths])
    try:
        con.execute(f"""
            CREATE TEMP TABLE raw AS
            SELECT {', '.join(map(quoted, fmt.used_columns()))}, {SOURCE_FILE},
                   {fmt.time_sql()} AS {PLAY_TIME}, {fmt.ms_sql()} AS {PLAY_MS}
            FROM {source}
            LIMIT $limit""", {**params, "limit": max_rows + 1})
    except duckdb.Error as error:
        message = _unreadable(str(error), unpacked)
        # DuckDB's own words may quote row values: the log gets the kind of error and what the person was told.
        log.info("History files refused by DuckDB (%s): %s", type(error).__name__, message)
        raise ExportUnusable(message) from error
    rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    if rows > max_rows:
        raise ExportTooLarge(f"The listening history has more than {max_rows:,} rows; at most {max_rows:,} "
                             "are accepted in one upload.")


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


def check_raw(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport) -> RowCounts:
    """Count the rows; ExportUnusable naming the file for a duration or a time that is not one."""
    ms, time = quoted(fmt.ms_column or "NULL"), quoted(fmt.time_column)
    kept = f"NOT ({left_out(fmt)})"
    bad_ms = (f"{kept} AND {ms} IS NOT NULL AND NOT coalesce({PLAY_MS} >= 0 AND {PLAY_MS} < {MS_CEILING}, false)"
              if fmt.ms_column else "false")
    bad_time = f"{kept} AND {time} IS NOT NULL AND {PLAY_TIME} IS NULL"
    (read, incomplete, out_of_range, ms_count, ms_file, ms_example,
     time_count, time_file, time_example) = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE {kept} AND NOT ({complete(fmt)})),
               count(*) FILTER (WHERE {complete(fmt)} AND NOT ({in_domain()})),
               count(*) FILTER (WHERE {bad_ms}), arg_min({SOURCE_FILE}, {SOURCE_FILE}) FILTER (WHERE {bad_ms}),
               arg_min({ms}::VARCHAR, {SOURCE_FILE}) FILTER (WHERE {bad_ms}),
               count(*) FILTER (WHERE {bad_time}), arg_min({SOURCE_FILE}, {SOURCE_FILE}) FILTER (WHERE {bad_time}),
               arg_min({time}::VARCHAR, {SOURCE_FILE}) FILTER (WHERE {bad_time})
        FROM raw""").fetchone()
    if ms_count:
        raise ExportUnusable(f"{_member(ms_file, unpacked)}: {fmt.ms_column} {_quoted(ms_example)} is not a number "
                             f"of milliseconds from 0 to 2^63 - 1 ({_rows(ms_count)} like it); upload the files "
                             "exactly as the service sent them.")
    if time_count:
        raise ExportUnusable(f"{_member(time_file, unpacked)}: {fmt.time_column} {_quoted(time_example)} is not a "
                             f"time like {fmt.time_example} ({_rows(time_count)} like it).")
    skipped = _left_out_counts(con, fmt)
    plays = read - incomplete - sum(skipped.values())
    if plays == 0:
        what = "a time and a duration" if fmt.ms_column else "a time"
        raise ExportUnusable(f"The files ({', '.join(unpacked.member_names[:3])}) hold no plays of music with "
                             f"{what}{_left_out_text(skipped)}; upload your listening history.")
    if plays - out_of_range == 0:
        raise ExportUnusable(f"Every play in the files is dated outside {FIRST_DAY} to {LAST_DAY} (UTC) or lasts "
                             "longer than a day, which no real listening history has.")
    return RowCounts(read, incomplete, out_of_range, skipped)


def _left_out_counts(con: duckdb.DuckDBPyConnection, fmt: RowFormat) -> dict[str, int]:
    """Rows the format leaves out, by its first reason that applies."""
    if not fmt.left_out:
        return {}
    reasons = list(fmt.left_out.items())
    filters = [f"count(*) FILTER (WHERE coalesce({sql}, false)"
               + "".join(f" AND NOT coalesce({earlier}, false)" for _, earlier in reasons[:index]) + ")"
               for index, (_, sql) in enumerate(reasons)]
    counts = con.execute(f"SELECT {', '.join(filters)} FROM raw").fetchone()
    return {why: int(count) for (why, _), count in zip(reasons, counts)}


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
