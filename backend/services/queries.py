"""The chart queries: the top N, and the race's per-day values. Parameterised SQL only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from backend.services.db import STREAM_MS


@dataclass(frozen=True)
class Attribute:
    wire_name: str
    label: str          # what the chart title calls the ranked things
    key_sql: str        # identity of one ranked thing
    name_sql: str
    artist_sql: str
    present_sql: str    # rows that can be ranked under this attribute


@dataclass(frozen=True)
class Metric:
    wire_name: str
    label: str
    value_sql: str


ATTRIBUTES = {
    "artist_name": Attribute("artist_name", "Artists", "artist_name", "artist_name", "NULL",
                             "artist_name IS NOT NULL"),
    # A track is its Spotify URI where there is one (account data has none): then name + artist.
    "track_name": Attribute("track_name", "Songs", "coalesce(track_uri, track_name || chr(31) || coalesce(artist_name, ''))",
                            "track_name", "artist_name", "track_name IS NOT NULL"),
    "album_name": Attribute("album_name", "Albums", "album_name || chr(31) || coalesce(artist_name, '')",
                            "album_name", "artist_name", "album_name IS NOT NULL"),
}
METRICS = {
    "Streams": Metric("Streams", "streams", "count(*)"),
    "duration_ms": Metric("duration_ms", "listening time", "sum(ms_played)"),
}
ATTRIBUTE_ALIASES = {"artist": "artist_name", "song": "track_name", "track": "track_name", "album": "album_name"}
METRIC_ALIASES = {"streams": "Streams", "number of streams": "Streams", "time listened": "duration_ms",
                  "listening time": "duration_ms", "minutes": "duration_ms"}


@dataclass(frozen=True)
class RankedItem:
    name: str
    artist: str | None
    value: float        # streams, or milliseconds for duration_ms
    track_uri: str | None = None   # one played Spotify track of this item: the way to its artwork


@dataclass(frozen=True)
class DailyValues:
    """Per-entity per-day values of the ranked metric: the raw material of a race."""
    keys: np.ndarray        # entity index -> key
    entity: np.ndarray      # per row: entity index
    day: np.ndarray         # per row: days since the range start
    value: np.ndarray       # per row: metric value (float64)


# Local files (spotify:local:...) have no catalogue entry and no artwork.
TRACK_URI_SQL = "min(track_uri) FILTER (WHERE track_uri LIKE 'spotify:track:%')"


def _where(attribute: Attribute) -> str:
    return (f"kind = 'track' AND ms_played >= ? AND {attribute.present_sql} "
            "AND ts >= ? AND ts < ?")


def _range_params(start: date, end: date, min_ms: int) -> list:
    return [min_ms, start, end + timedelta(days=1)]


def top_entities(con: duckdb.DuckDBPyConnection, attribute: Attribute, metric: Metric, n: int,
                 start: date, end: date, min_ms: int = STREAM_MS) -> list[RankedItem]:
    rows = con.execute(f"""
        SELECT min({attribute.name_sql}) AS name, min({attribute.artist_sql}) AS artist,
               {metric.value_sql} AS value, {TRACK_URI_SQL} AS uri
        FROM plays WHERE {_where(attribute)}
        GROUP BY {attribute.key_sql}
        ORDER BY value DESC, name, artist NULLS FIRST
        LIMIT ?""", [*_range_params(start, end, min_ms), n]).fetchall()
    return [RankedItem(name, artist, float(value), uri) for name, artist, value, uri in rows]


def daily_values(con: duckdb.DuckDBPyConnection, attribute: Attribute, metric: Metric,
                 start: date, end: date, min_ms: int = STREAM_MS) -> DailyValues:
    frame = con.execute(f"""
        SELECT {attribute.key_sql} AS key, date_diff('day', ?::DATE, ts::DATE) AS day,
               {metric.value_sql}::DOUBLE AS value
        FROM plays WHERE {_where(attribute)}
        GROUP BY ALL""", [start, *_range_params(start, end, min_ms)]).df()
    codes, keys = pd.factorize(frame["key"])
    return DailyValues(np.asarray(keys, dtype=object), codes.astype(np.int64),
                       frame["day"].to_numpy(np.int64), frame["value"].to_numpy(np.float64))


def names_of(con: duckdb.DuckDBPyConnection, attribute: Attribute, keys: list[str]) -> dict[str, tuple]:
    rows = con.execute(f"""
        SELECT {attribute.key_sql} AS key, min({attribute.name_sql}), min({attribute.artist_sql})
        FROM plays WHERE kind = 'track' AND {attribute.present_sql} AND {attribute.key_sql} IN (SELECT unnest(?))
        GROUP BY key""", [keys]).fetchall()
    return {key: (name, artist) for key, name, artist in rows}


def track_uris_of(con: duckdb.DuckDBPyConnection, attribute: Attribute, keys: list[str]) -> dict[str, str | None]:
    """One played Spotify track URI per key (None when there is none, as in Account data)."""
    rows = con.execute(f"""
        SELECT {attribute.key_sql} AS key, {TRACK_URI_SQL}
        FROM plays WHERE kind = 'track' AND {attribute.present_sql} AND {attribute.key_sql} IN (SELECT unnest(?))
        GROUP BY key""", [keys]).fetchall()
    return dict(rows)
