"""A time zone's UTC offsets over a session's plays, so a query shifts each play instead of asking ICU.

Converting every play with DuckDB's `timezone()` costs about 40 ms per 250,000 plays and query, and the
statistics run eight queries; a CASE over the zone's few offset changes (two a year where clocks change)
costs about 9 ms. The changes are found with the same ICU conversion, once per zone and span: offsets at
every day, then at every minute of a day whose offset changed, then at every second of such a minute.
tzdata's changes fall on whole seconds and Spotify's timestamps are whole seconds, so the shifted times
equal ICU's exactly (tests/unit/test_chart_zone_shifts.py compares them over zones with half-hour and 30-minute DST).
"""
from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

import duckdb

from backend.services.curation import own_plays
from backend.services.sessions import duckdb_connection

ZoneShifts = tuple[tuple[datetime, timedelta], ...]   # (from this UTC instant, the local offset), in order

# The offsets are read from a day before the first play to a day after the last one, whole days, so that
# every play falls inside and a session's span maps onto few cache keys.
MARGIN = timedelta(days=1)
FINER = (timedelta(minutes=1), timedelta(seconds=1))
# Past this many offsets (32 years of clock changes) the CASE costs a scan as much as ICU does: ICU answers.
MOST_SHIFTS = 64


def zone_shifts(con: duckdb.DuckDBPyConnection, timezone: str) -> ZoneShifts:
    """The zone's offsets over the session's plays on `con`; empty (ICU converts each play) when it holds no play
    or its plays span more than MOST_SHIFTS offsets. Read from all of the session's plays, not only those the
    filters keep: the offsets of a longer span convert the kept plays alike, and the file's own table answers
    from its block statistics."""
    first, last = con.execute(f"SELECT min(ts)::DATE, max(ts)::DATE FROM {own_plays(con)}").fetchone()
    if first is None:
        return ()
    shifts = _shifts_between(timezone, first, last)
    return shifts if len(shifts) <= MOST_SHIFTS else ()


@functools.lru_cache(maxsize=256)
def _shifts_between(timezone: str, first: date, last: date) -> ZoneShifts:
    start = datetime.combine(first, datetime.min.time()) - MARGIN
    with duckdb_connection() as con:
        (opening,) = con.execute("SELECT timezone($tz, $t AT TIME ZONE 'UTC') - $t",
                                 {"tz": timezone, "t": start}).fetchone()
        changes = _changes(con, timezone, [start], last - first + 2 * MARGIN, MARGIN)
        for span, step in zip((MARGIN, *FINER), FINER, strict=False):
            changes = _changes(con, timezone, [earlier for earlier, _, _ in changes], span, step)
    return ((start, opening), *((later, offset) for _, later, offset in changes))


def _changes(con: duckdb.DuckDBPyConnection, timezone: str, starts: list[datetime], span: timedelta,
             step: timedelta) -> list[tuple[datetime, datetime, timedelta]]:
    """Within `span` from each of `starts`, the instants `step` apart between which the zone's offset changes:
    (the earlier, the later, the offset from the later on)."""
    if not starts:
        return []
    return con.execute("""
        WITH instants AS (
            SELECT start, unnest(generate_series(start, start + $span, $step)) AS t FROM unnest($starts) AS s(start)),
        offsets AS (
            SELECT t, lead(t) OVER next AS later, timezone($tz, t AT TIME ZONE 'UTC') - t AS shift,
                   lead(timezone($tz, t AT TIME ZONE 'UTC') - t) OVER next AS later_shift
            FROM instants WINDOW next AS (PARTITION BY start ORDER BY t))
        SELECT t, later, later_shift FROM offsets WHERE later IS NOT NULL AND shift <> later_shift ORDER BY t""",
        {"tz": timezone, "starts": starts, "span": span, "step": step}).fetchall()
