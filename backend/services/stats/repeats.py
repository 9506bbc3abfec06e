"""Stretches where one song played on and on with no other play between: a loop left running, a sleep
playlist of one track. Ready to paste into exclude_periods (start and end bound the stretch's stop times)
or exclude_tracks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

from backend.services.charts import ATTRIBUTES, PlayScope
from backend.services.curation import own_plays

SONG = ATTRIBUTES["track_name"]
NIGHT_HOURS = 6         # local 00:00 to 06:00 is night
MAX_LISTED = 50


@dataclass(frozen=True)
class RepeatsRequest:
    session_id: str
    timezone: str | None
    min_plays: int = 20
    min_minutes: int = 120


def find_repeats(con: duckdb.DuckDBPyConnection, req: RepeatsRequest) -> list[dict]:
    """The stretches of at least min_plays plays or min_minutes minutes, longest first (every play of the
    session counts, whatever the filters: this is where a person finds what to leave out)."""
    zone = PlayScope(date.min, date.min, req.timezone)
    rows = con.execute(f"""
        WITH ordered AS (
            SELECT ts, ms_played, kind, track_name, artist_name, {SONG.key_sql} AS key,
                   hour({zone.local_ts}) < {NIGHT_HOURS} AS night
            FROM {own_plays(con)}),
        runs AS (
            SELECT *, sum(new_run) OVER (ORDER BY ts, key ROWS UNBOUNDED PRECEDING) AS run
            FROM (SELECT *, CASE WHEN kind = 'track' AND key = lag(key) OVER (ORDER BY ts, key)
                                  AND lag(kind) OVER (ORDER BY ts, key) = 'track' THEN 0 ELSE 1 END AS new_run
                  FROM ordered))
        SELECT min(track_name), min(artist_name), min(ts - to_milliseconds(ms_played)), max(ts), count(*),
               sum(ms_played), count(*) FILTER (WHERE night)
        FROM runs WHERE kind = 'track' GROUP BY run
        HAVING count(*) >= $min_plays OR sum(ms_played) >= $min_ms
        ORDER BY sum(ms_played) DESC, count(*) DESC, min(ts) LIMIT {MAX_LISTED}""",
        {"min_plays": req.min_plays, "min_ms": req.min_minutes * 60_000, **zone.zone_params()}).fetchall()
    return [{"track": track, "artist": artist, "start": _utc_text(start), "end": _utc_text(end), "plays": plays,
             "minutes": round(ms / 60_000, 2), "night_share": round(night / plays, 2)}
            for track, artist, start, end, plays, ms, night in rows]


def _utc_text(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
