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

log = logging.getLogger(__name__)

NUMBER_TYPES = ("UBIGINT", "BIGINT", "DOUBLE")
# Above this a number of milliseconds does not fit the 64-bit integer it is stored as.
MS_CEILING = 2.0**63
# The parsed time and duration of each row, computed once while reading (NULL: missing or not parsable).
PLAY_TIME, PLAY_MS, SOURCE_FILE = "_play_time", "_play_ms", "_source_file"


@dataclass(frozen=True)
class RowCounts:
    read: int
    incomplete: int     # no time or no duration
    out_of_range: int   # outside the domain: not stored


def complete(fmt: RowFormat) -> str:
    """Rows that say when and for how long."""
    return f"{fmt.time_column} IS NOT NULL AND {fmt.ms_column} IS NOT NULL"


def in_domain() -> str:
    """Complete, well-formed rows that the domain keeps."""
    stop = LAST_DAY + timedelta(days=1)
    return (f"{PLAY_TIME} >= TIMESTAMP '{FIRST_DAY} 00:00:00' AND {PLAY_TIME} < TIMESTAMP '{stop} 00:00:00' "
            f"AND {PLAY_MS} <= {MAX_MS_PLAYED}")


def read_raw(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport, max_rows: int) -> None:
    """Create the temporary table `raw`; reading stops one row past max_rows (then ExportTooLarge)."""
    for path, name in zip(unpacked.paths, unpacked.member_names):
        if path.stat().st_size == 0:
            raise ExportUnusable(f"{name} is empty; download the export again from Spotify.")
    ms = fmt.ms_column
    try:
        con.execute(f"""
            CREATE TEMP TABLE raw AS
            SELECT *, try_strptime({fmt.time_column}, $time_format) AS {PLAY_TIME},
                   CASE WHEN json_type({ms}) IN $number_types THEN TRY_CAST({ms} AS DOUBLE) END AS {PLAY_MS}
            FROM read_json($files, format='array', columns=$columns, filename='{SOURCE_FILE}',
                           maximum_object_size=16777216)
            LIMIT $limit""", {"files": [str(path) for path in unpacked.paths], "columns": fmt.columns,
                              "time_format": fmt.time_format, "number_types": list(NUMBER_TYPES),
                              "limit": max_rows + 1})
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
    named = [name for path, name in zip(unpacked.paths, unpacked.member_names) if f'"{path}"' in message]
    what = named[0] if named else "A history file"
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


def check_raw(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport) -> RowCounts:
    """Count the rows; ExportUnusable naming the file for a duration or a time that is not one."""
    ms, time = fmt.ms_column, fmt.time_column
    bad_ms = f"{ms} IS NOT NULL AND NOT coalesce({PLAY_MS} >= 0 AND {PLAY_MS} < {MS_CEILING}, false)"
    bad_time = f"{time} IS NOT NULL AND {PLAY_TIME} IS NULL"
    (read, incomplete, out_of_range, ms_count, ms_file, ms_example,
     time_count, time_file, time_example) = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE NOT ({complete(fmt)})),
               count(*) FILTER (WHERE {complete(fmt)} AND NOT ({in_domain()})),
               count(*) FILTER (WHERE {bad_ms}), arg_min({SOURCE_FILE}, {SOURCE_FILE}) FILTER (WHERE {bad_ms}),
               arg_min({ms}::VARCHAR, {SOURCE_FILE}) FILTER (WHERE {bad_ms}),
               count(*) FILTER (WHERE {bad_time}), arg_min({SOURCE_FILE}, {SOURCE_FILE}) FILTER (WHERE {bad_time}),
               arg_min({time}, {SOURCE_FILE}) FILTER (WHERE {bad_time})
        FROM raw""").fetchone()
    if ms_count:
        raise ExportUnusable(f"{_member(ms_file, unpacked)}: {ms} {_quoted(ms_example)} is not a number of "
                             f"milliseconds from 0 to 2^63 - 1 ({_rows(ms_count)} like it); upload the files "
                             "exactly as Spotify sent them.")
    if time_count:
        raise ExportUnusable(f"{_member(time_file, unpacked)}: {time} {_quoted(time_example)} is not a time like "
                             f"{fmt.time_example} ({_rows(time_count)} like it).")
    if read - incomplete == 0:
        raise ExportUnusable(f"The files ({', '.join(unpacked.member_names[:3])}) hold no plays with a time "
                             "and a duration; upload your Spotify listening history.")
    if read - incomplete - out_of_range == 0:
        raise ExportUnusable(f"Every play in the files is dated outside {FIRST_DAY} to {LAST_DAY} (UTC) or lasts "
                             "longer than a day, which no real listening history has.")
    return RowCounts(read, incomplete, out_of_range)


def _member(source_file: str, unpacked: UnpackedExport) -> str:
    by_path = {str(path): name for path, name in zip(unpacked.paths, unpacked.member_names)}
    return by_path.get(source_file, "A history file")


def _quoted(value: str) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _rows(count: int) -> str:
    return "1 row" if count == 1 else f"{count:,} rows"
