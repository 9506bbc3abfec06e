"""The chart queries: the top N, and the race's per-day values. Parameterised SQL only."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import duckdb
import numpy as np

from backend.services.charts.choices import Attribute, Metric
from backend.services.charts.zone_shifts import ZoneShifts
from backend.services.sessions import duckdb_connection
from src.exports.domain import COUNTED_AS_STREAM, STREAM_MS


@dataclass(frozen=True)
class RankedItem:
    name: str
    artist: str | None
    value: float        # streams, or milliseconds for duration_ms
    track_uri: str | None = None   # one played Spotify track of this item: the way to its artwork


@dataclass(frozen=True)
class SourceCount:
    """One service's counted music plays in a scope, and how many of them carry no duration."""
    source: str
    plays: int
    without_duration: int
    without_album: int


@dataclass(frozen=True)
class DailyValues:
    """Per-entity per-day values of the ranked metric: the raw material of a race."""
    keys: np.ndarray        # entity index -> key
    entity: np.ndarray      # per row: entity index
    day: np.ndarray         # per row: days since the range start
    value: np.ndarray       # per row: metric value (float64)


# Local files (spotify:local:...) have no catalogue entry and no artwork.
TRACK_URI_SQL = "min(track_uri) FILTER (WHERE track_uri LIKE 'spotify:track:%')"


@dataclass(frozen=True)
class PlayScope:
    """Which plays a chart counts: calendar days start..end (inclusive) in `timezone` (None = UTC),
    and plays of at least min_ms milliseconds. `shifts` are the zone's offsets over the session's plays
    (zone_shifts.py); without them each play's local time is asked of ICU."""
    start: date
    end: date
    timezone: str | None = None
    min_ms: int = STREAM_MS
    shifts: ZoneShifts = ()

    @property
    def local_ts(self) -> str:
        """SQL for the play's local wall-clock time; the zone and its offsets are bound parameters."""
        if self.timezone is None:
            return "ts"
        if not self.shifts:
            return "timezone($tz, ts AT TIME ZONE 'UTC')"
        if len(self.shifts) == 1:
            return "ts + $shift_0"
        latest_first = " ".join(f"WHEN ts >= $since_{index} THEN ts + $shift_{index}"
                                for index in range(len(self.shifts) - 1, 0, -1))
        return f"CASE {latest_first} ELSE ts + $shift_0 END"

    @property
    def in_range_sql(self) -> str:
        """SQL keeping the plays of the days asked for. The UTC bounds come first: plays are stored about in
        time order, so DuckDB skips the blocks of other years outright; in every zone a local day lies within
        a day of the UTC one."""
        return f"ts >= $utc_from AND ts < $utc_to AND {self.local_ts} >= $start AND {self.local_ts} < $stop"

    def params(self) -> dict:
        stop = self.end + timedelta(days=1)
        return {"min_ms": self.min_ms, "start": self.start, "stop": stop, "utc_from": _day_before(self.start),
                "utc_to": _day_before(stop) + timedelta(days=2), **self.zone_params()}

    def zone_params(self) -> dict:
        """The parameters local_ts names."""
        if self.timezone is None:
            return {}
        if not self.shifts:
            return {"tz": self.timezone}
        bound = {f"shift_{index}": shift for index, (_, shift) in enumerate(self.shifts)}
        return bound | {f"since_{index}": since for index, (since, _) in enumerate(self.shifts) if index}


def _day_before(day: date) -> datetime:
    return datetime.combine(max(day, date.min + timedelta(days=1)) - timedelta(days=1), time())


def _where(attribute: Attribute, scope: PlayScope, metric: Metric | None = None) -> str:
    counted = f" AND {metric.counted_sql}" if metric else ""
    return (f"kind = '{attribute.play_kind}' AND {COUNTED_AS_STREAM} AND {attribute.present_sql}{counted} "
            f"AND {scope.in_range_sql}")


# Equal values rank by name, then artist (none first), then key: the one tie rule of every chart, race,
# statistic and card (docs/api.md, "Rules the charts follow"). ORDER BY compares strings by code point.
TIE_ORDER = "name, artist NULLS FIRST, key"


def top_entities(con: duckdb.DuckDBPyConnection, attribute: Attribute, metric: Metric, n: int,
                 scope: PlayScope) -> list[RankedItem]:
    rows = con.execute(f"""
        SELECT min({attribute.name_sql}) AS name, min({attribute.artist_sql}) AS artist,
               {metric.value_sql} AS value, {TRACK_URI_SQL} AS uri, {attribute.key_sql} AS key
        FROM plays WHERE {_where(attribute, scope, metric)}
        GROUP BY key
        ORDER BY value DESC, {TIE_ORDER}
        LIMIT $n""", {**scope.params(), "n": n}).fetchall()
    return [RankedItem(name, artist, float(value), uri) for name, artist, value, uri, _ in rows]


def daily_values(con: duckdb.DuckDBPyConnection, attribute: Attribute, metric: Metric,
                 scope: PlayScope) -> DailyValues:
    """The entities are numbered in tie order (name, artist, key, as top_entities ranks equal values), so
    an entity's index is its place among equals."""
    # The entity index is numbered in SQL (and the result fetched as numpy arrays) so that a race
    # never needs pandas, which would add ~50 MB to every worker that has drawn one.
    columns = con.execute(f"""
        WITH daily AS (
            SELECT {attribute.key_sql} AS key, date_diff('day', $start::DATE, ({scope.local_ts})::DATE) AS day,
                   {metric.value_sql}::DOUBLE AS value, min({attribute.name_sql}) AS day_name,
                   min({attribute.artist_sql}) AS day_artist
            FROM plays WHERE {_where(attribute, scope, metric)}
            GROUP BY key, day),
        named AS (
            SELECT key, day, value, min(day_name) OVER (PARTITION BY key) AS name,
                   min(day_artist) OVER (PARTITION BY key) AS artist
            FROM daily)
        SELECT key, dense_rank() OVER (ORDER BY {TIE_ORDER}) - 1 AS entity, day, value FROM named""",
        scope.params()).fetchnumpy()
    entity = columns["entity"].astype(np.int64)
    keys = np.empty(int(entity.max(initial=-1)) + 1, dtype=object)
    keys[entity] = columns["key"]
    return DailyValues(keys, entity, columns["day"].astype(np.int64), columns["value"].astype(np.float64))


def date_bounds(con: duckdb.DuckDBPyConnection, timezone: str | None, shifts: ZoneShifts = ()) -> tuple[date, date]:
    """The first and last calendar day with a play, in the time zone."""
    zone = PlayScope(date.min, date.min, timezone, shifts=shifts)
    return con.execute(f"SELECT min({zone.local_ts})::DATE, max({zone.local_ts})::DATE FROM plays",
                       zone.zone_params()).fetchone()


def source_sql(con: duckdb.DuckDBPyConnection) -> str:
    """SQL for a play's source: a session stored before plays named their source holds Spotify's only."""
    # the columns of `plays` as this connection reads it (the session's table or the filters' view), without
    # reading a row or the catalog of every attached database
    present = "source" in [column[0] for column in con.execute("SELECT * FROM plays LIMIT 0").description]
    return "source" if present else "'Spotify'"


def sources_of(con: duckdb.DuckDBPyConnection, scope: PlayScope, play_kind: str = "track") -> list[SourceCount]:
    """The services the scope's counted plays of a kind (music by default) came from: Spotify first, then by
    plays."""
    rows = con.execute(f"""
        SELECT {source_sql(con)} AS source, count(*), count(*) FILTER (WHERE ms_played IS NULL),
               count(*) FILTER (WHERE album_name IS NULL)
        FROM plays WHERE kind = $kind AND {COUNTED_AS_STREAM}
                         AND {scope.in_range_sql}
        GROUP BY source ORDER BY source <> 'Spotify', count(*) DESC, source""",
        {**scope.params(), "kind": play_kind}).fetchall()
    return [SourceCount(*row) for row in rows]


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA zone names DuckDB (ICU) knows; requests may name one of these."""
    with duckdb_connection() as con:
        return frozenset(name for (name,) in con.execute("SELECT name FROM pg_timezone_names()").fetchall())


def names_of(con: duckdb.DuckDBPyConnection, attribute: Attribute, keys: list[str],
             scope: PlayScope) -> dict[str, tuple]:
    """Each key's name and artist as top_entities names them: from the plays the scope counts."""
    rows = con.execute(f"""
        SELECT {attribute.key_sql} AS key, min({attribute.name_sql}), min({attribute.artist_sql})
        FROM plays WHERE {_where(attribute, scope)} AND {attribute.key_sql} IN (SELECT unnest($keys))
        GROUP BY key""", {**scope.params(), "keys": keys}).fetchall()
    return {key: (name, artist) for key, name, artist in rows}


def track_uris_of(con: duckdb.DuckDBPyConnection, attribute: Attribute, keys: list[str]) -> dict[str, str | None]:
    """One played Spotify track URI per key (None when there is none, as in Account data)."""
    rows = con.execute(f"""
        SELECT {attribute.key_sql} AS key, {TRACK_URI_SQL}
        FROM plays WHERE kind = $kind AND {attribute.present_sql} AND {attribute.key_sql} IN (SELECT unnest($keys))
        GROUP BY key""", {"kind": attribute.play_kind, "keys": keys}).fetchall()
    return dict(rows)
