"""The SQL behind the statistics: music plays by the chart rules, in the request's time zone.

Every query reads the same rows as the charts: plays of kind 'track' of at least min_ms (or of no recorded
duration: they add streams, not minutes), with the play's local wall-clock time; a song and an album are the
charts' keys (charts/choices.py), and equal counts rank as the charts rank them: by name, then artist (none
first), then key.
"""
from __future__ import annotations

from datetime import date

import duckdb

from backend.services.charts import ATTRIBUTES, PlayScope
from backend.services.sessions import bound
from src.exports.domain import COUNTED_AS_STREAM

# The UTC bounds first, as PlayScope.in_range_sql puts them: the scan skips the blocks of other years.
IN_RANGE = "ts >= $utc_from AND ts < $utc_to AND lt >= $start AND lt < $stop"
SONG, ALBUM = ATTRIBUTES["track_name"], ATTRIBUTES["album_name"]


def _music(scope: PlayScope) -> str:
    """The counted plays of the whole history with their local time `lt`, as a CTE each query starts with.

    Not a table: a copy of every counted play per request held 1.8 GB for 20 parallel requests of a
    1,000,000-play session. Inlined, each query reads `plays` itself, its range pushed down into the scan."""
    return f"""
        WITH music AS NOT MATERIALIZED (
            SELECT ts, {scope.local_ts} AS lt, ms_played, track_name, artist_name, album_name, track_uri,
                   {SONG.key_sql} AS song_key, {ALBUM.key_sql} AS album_key
            FROM plays WHERE kind = 'track' AND {COUNTED_AS_STREAM})"""


def _run(con: duckdb.DuckDBPyConnection, scope: PlayScope, sql: str, **extra: object) -> duckdb.DuckDBPyConnection:
    """`sql` over the counted plays of the scope's zone and shortest play; $start and $stop bound the range
    (IN_RANGE). A query is given the parameters it names (DuckDB refuses others)."""
    sql = _music(scope) + sql
    return con.execute(sql, bound(sql, {**scope.params(), **extra}))


def totals(con: duckdb.DuckDBPyConnection, scope: PlayScope) -> tuple:
    """(streams, ms, artists, songs, albums, active days, first day, last day)."""
    return _run(con, scope, f"""
        SELECT count(*), coalesce(sum(ms_played), 0), count(DISTINCT artist_name),
               count(DISTINCT song_key) FILTER (WHERE track_name IS NOT NULL),
               count(DISTINCT album_key) FILTER (WHERE album_name IS NOT NULL),
               count(DISTINCT lt::DATE), min(lt)::DATE, max(lt)::DATE
        FROM music WHERE {IN_RANGE}""").fetchone()


def years(con: duckdb.DuckDBPyConnection, scope: PlayScope) -> list[tuple]:
    """Per calendar year with plays: (year, streams, ms, artists)."""
    return _run(con, scope, f"""
        SELECT year(lt), count(*), coalesce(sum(ms_played), 0), count(DISTINCT artist_name)
        FROM music WHERE {IN_RANGE} GROUP BY 1 ORDER BY 1""").fetchall()


def top_artists_by_year(con: duckdb.DuckDBPyConnection, scope: PlayScope) -> dict[int, tuple]:
    """Per year: (name, streams, ms) of the most streamed artist (ties: the name first in order)."""
    rows = _run(con, scope, f"""
        , ranked AS (
            SELECT year(lt) AS year, artist_name AS name, count(*) AS streams, coalesce(sum(ms_played), 0) AS ms
            FROM music WHERE {IN_RANGE} AND artist_name IS NOT NULL GROUP BY ALL)
        SELECT year, name, streams, ms FROM ranked
        QUALIFY row_number() OVER (PARTITION BY year ORDER BY streams DESC, name) = 1""").fetchall()
    return {year: (name, streams, ms) for year, name, streams, ms in rows}


def top_songs_by_year(con: duckdb.DuckDBPyConnection, scope: PlayScope) -> dict[int, tuple]:
    """Per year: (name, artist, streams, ms) of the most streamed song, ranked as the song chart ranks."""
    rows = _run(con, scope, f"""
        , ranked AS (
            SELECT year(lt) AS year, min(track_name) AS name, min(artist_name) AS artist, count(*) AS streams,
                   coalesce(sum(ms_played), 0) AS ms, song_key
            FROM music WHERE {IN_RANGE} AND track_name IS NOT NULL GROUP BY year, song_key)
        SELECT year, name, artist, streams, ms FROM ranked
        QUALIFY row_number() OVER (PARTITION BY year ORDER BY streams DESC, name, artist NULLS FIRST, song_key) = 1
        """).fetchall()
    return {year: (name, artist, streams, ms) for year, name, artist, streams, ms in rows}


def clock(con: duckdb.DuckDBPyConnection, scope: PlayScope) -> list[tuple[int, int, int]]:
    """(ISO weekday 1-7, hour 0-23, streams) for every slot with plays."""
    return _run(con, scope, f"""
        SELECT isodow(lt), hour(lt), count(*) FROM music WHERE {IN_RANGE} GROUP BY 1, 2""").fetchall()


def discoveries(con: duckdb.DuckDBPyConnection, scope: PlayScope) -> list[tuple[str, int, str, int]]:
    """Per month of the scope: (YYYY-MM, artists first streamed then in the whole history, the one of them
    streamed most from then to the scope's end, its streams)."""
    return _run(con, scope, """
        , firsts AS (
            SELECT artist_name, strftime(min(lt), '%Y-%m') AS month,
                   count(*) FILTER (WHERE lt < $stop) AS streams
            FROM music WHERE artist_name IS NOT NULL GROUP BY artist_name),
        in_window AS (
            SELECT * FROM firsts WHERE month >= strftime($start, '%Y-%m') AND month <= strftime($last, '%Y-%m'))
        SELECT month, count(*) OVER (PARTITION BY month), artist_name, streams FROM in_window
        QUALIFY row_number() OVER (PARTITION BY month ORDER BY streams DESC, artist_name) = 1
        ORDER BY month""", last=scope.end).fetchall()


def active_days(con: duckdb.DuckDBPyConnection, scope: PlayScope) -> list[tuple[date, int]]:
    """(local day, ms) for every day with a stream, in order."""
    return _run(con, scope, f"""
        SELECT lt::DATE AS day, coalesce(sum(ms_played), 0) FROM music WHERE {IN_RANGE}
        GROUP BY day ORDER BY day""").fetchall()


def top_artists(con: duckdb.DuckDBPyConnection, scope: PlayScope, n: int) -> list[tuple]:
    """The n most streamed artists, ranked as the artist chart ranks them: (name, streams, ms, a played
    Spotify track URI, the way to the artist's picture)."""
    return _run(con, scope, f"""
        SELECT artist_name AS name, count(*) AS streams, coalesce(sum(ms_played), 0),
               min(track_uri) FILTER (WHERE track_uri LIKE 'spotify:track:%')
        FROM music WHERE {IN_RANGE} AND artist_name IS NOT NULL GROUP BY artist_name
        ORDER BY streams DESC, name LIMIT $n""", n=n).fetchall()


def top_songs(con: duckdb.DuckDBPyConnection, scope: PlayScope, n: int) -> list[tuple]:
    """The n most streamed songs, ranked as the song chart ranks them: (name, artist, streams, ms)."""
    return _run(con, scope, f"""
        SELECT min(track_name) AS name, min(artist_name) AS artist, count(*) AS streams, coalesce(sum(ms_played), 0)
        FROM music WHERE {IN_RANGE} AND track_name IS NOT NULL GROUP BY song_key
        ORDER BY streams DESC, name, artist NULLS FIRST, song_key LIMIT $n""", n=n).fetchall()
