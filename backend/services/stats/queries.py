"""The SQL behind the statistics: music plays by the chart rules, in the request's time zone.

Every query reads the same rows as the charts: plays of kind 'track' of at least min_ms, with the
play's local wall-clock time; a song is its Spotify URI (else name + artist), an album (album, artist).
"""
from __future__ import annotations

from datetime import date

import duckdb

from backend.services.charts import ATTRIBUTES, Window

SONG_KEY = ATTRIBUTES["track_name"].key_sql
ALBUM_KEY = ATTRIBUTES["album_name"].key_sql


def _music(window: Window, whole_history: bool = False) -> str:
    """A CTE `music` of the counted plays with their local time `lt`, in the window or the whole history."""
    in_range = "" if whole_history else f"AND {window.local_ts} >= $start AND {window.local_ts} < $stop"
    return f"""music AS (
        SELECT {window.local_ts} AS lt, ms_played, track_name, artist_name, album_name,
               {SONG_KEY} AS song_key, {ALBUM_KEY} AS album_key
        FROM plays WHERE kind = 'track' AND ms_played >= $min_ms {in_range})"""


def totals(con: duckdb.DuckDBPyConnection, window: Window) -> tuple:
    """(streams, ms, artists, songs, albums, active days, first day, last day)."""
    return con.execute(f"""
        WITH {_music(window)}
        SELECT count(*), coalesce(sum(ms_played), 0), count(DISTINCT artist_name),
               count(DISTINCT song_key) FILTER (WHERE track_name IS NOT NULL),
               count(DISTINCT album_key) FILTER (WHERE album_name IS NOT NULL),
               count(DISTINCT lt::DATE), min(lt)::DATE, max(lt)::DATE
        FROM music""", window.params()).fetchone()


def years(con: duckdb.DuckDBPyConnection, window: Window) -> list[tuple]:
    """Per calendar year with plays: (year, streams, ms, artists)."""
    return con.execute(f"""
        WITH {_music(window)}
        SELECT year(lt), count(*), sum(ms_played), count(DISTINCT artist_name)
        FROM music GROUP BY 1 ORDER BY 1""", window.params()).fetchall()


def top_artists_by_year(con: duckdb.DuckDBPyConnection, window: Window) -> dict[int, tuple]:
    """Per year: (name, streams, ms) of the most streamed artist (ties: the name first in order)."""
    rows = con.execute(f"""
        WITH {_music(window)}, ranked AS (
            SELECT year(lt) AS year, artist_name AS name, count(*) AS streams, sum(ms_played) AS ms
            FROM music WHERE artist_name IS NOT NULL GROUP BY ALL)
        SELECT year, name, streams, ms FROM ranked
        QUALIFY row_number() OVER (PARTITION BY year ORDER BY streams DESC, name) = 1""",
        window.params()).fetchall()
    return {year: (name, streams, ms) for year, name, streams, ms in rows}


def top_songs_by_year(con: duckdb.DuckDBPyConnection, window: Window) -> dict[int, tuple]:
    """Per year: (name, artist, streams, ms) of the most streamed song, ranked as the song chart ranks."""
    rows = con.execute(f"""
        WITH {_music(window)}, ranked AS (
            SELECT year(lt) AS year, min(track_name) AS name, min(artist_name) AS artist, count(*) AS streams,
                   sum(ms_played) AS ms
            FROM music WHERE track_name IS NOT NULL GROUP BY year, song_key)
        SELECT year, name, artist, streams, ms FROM ranked
        QUALIFY row_number() OVER (PARTITION BY year ORDER BY streams DESC, name, artist NULLS FIRST) = 1""",
        window.params()).fetchall()
    return {year: (name, artist, streams, ms) for year, name, artist, streams, ms in rows}


def clock(con: duckdb.DuckDBPyConnection, window: Window) -> list[tuple[int, int, int]]:
    """(ISO weekday 1-7, hour 0-23, streams) for every slot with plays."""
    return con.execute(f"""
        WITH {_music(window)}
        SELECT isodow(lt), hour(lt), count(*) FROM music GROUP BY 1, 2""", window.params()).fetchall()


def discoveries(con: duckdb.DuckDBPyConnection, window: Window) -> list[tuple[str, int, str, int]]:
    """Per month of the window: (YYYY-MM, artists first streamed then in the whole history, the one of them
    streamed most from then to the window's end, its streams)."""
    return con.execute(f"""
        WITH {_music(window, whole_history=True)},
        firsts AS (
            SELECT artist_name, strftime(min(lt), '%Y-%m') AS month,
                   count(*) FILTER (WHERE lt < $stop) AS streams
            FROM music WHERE artist_name IS NOT NULL GROUP BY artist_name),
        in_window AS (
            SELECT * FROM firsts WHERE month >= strftime($start, '%Y-%m') AND month <= strftime($last, '%Y-%m'))
        SELECT month, count(*) OVER (PARTITION BY month), artist_name, streams FROM in_window
        QUALIFY row_number() OVER (PARTITION BY month ORDER BY streams DESC, artist_name) = 1
        ORDER BY month""", {**window.params(), "last": window.end}).fetchall()


def active_days(con: duckdb.DuckDBPyConnection, window: Window) -> list[tuple[date, int]]:
    """(local day, ms) for every day with a stream, in order."""
    return con.execute(f"""
        WITH {_music(window)}
        SELECT lt::DATE AS day, sum(ms_played) FROM music GROUP BY day ORDER BY day""",
        window.params()).fetchall()
