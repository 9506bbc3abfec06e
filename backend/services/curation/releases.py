"""What every filtered request would otherwise recount from all the plays, written once at ingest into the
session's file (which is never written after): its releases, each with its merged names, and its artists
with the spelling they are matched by.

`releases`: each distinct (kind, track, artist, album, Spotify track) of the plays that name any of them, with
its `id`, its number of `plays` and whether it is `music` (a track play naming a song or an artist); each
play carries the id of its release as `release_id` (NULL for a play that names none), so that a filter
decides on these few thousand rows and each query of an answer meets one small join on an integer, and
what merge_versions makes of it (`merged_track_name`, `merged_track_uri`, `merged_album_name`). Music
releases have `merged` and `merged_album` (versions.py) and `canonical_uri`, the one Spotify track all
releases of a merged song count as. Releases of a song are one when they share the artist, the name left
by the song rule and the album name left by the album rule: "Intro" on two albums stays two songs, on an
album and its deluxe edition one. `release_merges`: what merge_versions changes of a play, by its release
key (RELEASE_KEY): one row per release whose song name, Spotify track or album name it changes.
`merged_versions`: the groups it merges (kind, name, artist, the names merged, releases). `artists`: each
artist name with its spelling_key.
"""
from __future__ import annotations

import duckdb

from backend.services.artwork import spelling_key
from backend.services.curation.versions import ALBUM_SUFFIX, SONG_SUFFIX, merged_sql
from src.exports.row_formats import DERIVED_COLUMNS

# A release as one value a join can hash cheaply: its Spotify track, or (Account data has none) its names.
RELEASE_KEY = "coalesce(track_uri, json_array(track_name, artist_name)::VARCHAR)"
# What makes a play's release: every play naming the same of these is of one release.
RELEASE_COLUMNS = ("kind", "track_name", "artist_name", "album_name", "track_uri")
NAMES_ANY = "coalesce(track_name, artist_name, album_name, track_uri) IS NOT NULL"


def record_releases(con: duckdb.DuckDBPyConnection, data_format: str) -> None:
    """Write `releases`, `release_merges`, `merged_versions` and `artists` beside `plays`, and each play's
    release and merged names (at ingest, before the file is published; `data_format` is the summary's)."""
    _record_releases(con)
    con.execute(f"""
        CREATE OR REPLACE TABLE release_merges AS
        SELECT {RELEASE_KEY} AS release_key, min(merged) AS merged,
               min(canonical_uri) AS canonical_uri, min(merged_album) AS merged_album
        FROM releases
        WHERE music AND ((merged IS NOT NULL AND (merged <> track_name OR canonical_uri IS DISTINCT FROM track_uri))
                         OR merged_album <> album_name)
        GROUP BY release_key""")
    con.execute("""
        CREATE OR REPLACE TABLE merged_versions AS
        SELECT 'song' AS kind, merged AS name, artist_name AS artist,
               list(DISTINCT track_name ORDER BY track_name) AS versions, count(*) AS releases
        FROM releases WHERE merged IS NOT NULL GROUP BY merged, artist_name, merged_album HAVING count(*) > 1
        UNION ALL
        SELECT 'album', merged_album, artist_name, list(DISTINCT album_name ORDER BY album_name),
               count(DISTINCT album_name)
        FROM releases WHERE music AND album_name IS NOT NULL AND artist_name IS NOT NULL
        GROUP BY merged_album, artist_name
        HAVING count(DISTINCT album_name) > 1""")
    names = [name for (name,) in con.execute(
        "SELECT DISTINCT artist_name FROM releases WHERE artist_name IS NOT NULL").fetchall()]
    con.execute("CREATE OR REPLACE TABLE artists AS SELECT unnest($names::VARCHAR[]) AS artist_name, "
                "unnest($keys::VARCHAR[]) AS spelling", {"names": names, "keys": [spelling_key(n) for n in names]})
    _record_play_releases(con, data_format)


def _record_releases(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        CREATE OR REPLACE TABLE releases AS
        WITH distinct_releases AS (
            SELECT {', '.join(RELEASE_COLUMNS)}, count(*) AS plays,
                   kind = 'track' AND (track_name IS NOT NULL OR artist_name IS NOT NULL) AS music,
                   bool_or(source <> 'Spotify') AS other_service
            FROM plays WHERE {NAMES_ANY}
            GROUP BY ALL),
        named AS (
            SELECT *, CASE WHEN music AND track_name IS NOT NULL AND artist_name IS NOT NULL
                           THEN {merged_sql('track_name')} END AS merged,
                      CASE WHEN music THEN {merged_sql('album_name')} END AS merged_album
            FROM distinct_releases)
        SELECT row_number() OVER (ORDER BY {', '.join(RELEASE_COLUMNS)})::INTEGER AS id, *,
               CASE WHEN merged IS NOT NULL THEN
                    min(track_uri) OVER (PARTITION BY merged, artist_name, merged_album) END AS canonical_uri
        FROM named""", {"track_name_suffix": SONG_SUFFIX, "album_name_suffix": ALBUM_SUFFIX})


def _record_play_releases(con: duckdb.DuckDBPyConnection, data_format: str) -> None:
    """Each play's `release_id` and what merge_versions makes of it, again for all plays after an added upload
    (the ids are those of the releases as they now stand): `merged_track_name` and `merged_album_name` NULL where
    it changes nothing (a name written for every play would double the cost of writing them); `merged_track_uri`
    the play's own track there (SESSION_LAYOUT 2): a song's key is built from it, and from a column read as
    stored that costs a third of what it costs from a computed one. A play meets release_merges by its Spotify
    track; Account data names none, nor do other services: their plays meet it by their names (an Extended
    history play without a Spotify track is left as it is)."""
    names = "json_array(r.track_name, r.artist_name)::VARCHAR"
    key = names if data_format == "account" else f"coalesce(r.track_uri, CASE WHEN r.other_service THEN {names} END)"
    for column in DERIVED_COLUMNS:
        con.execute(f"ALTER TABLE plays ADD COLUMN IF NOT EXISTS {column} "
                    f"{'INTEGER' if column == 'release_id' else 'VARCHAR'}")
    same_release = " AND ".join(f"plays.{column} IS NOT DISTINCT FROM r.{column}" for column in RELEASE_COLUMNS)
    con.execute(f"""
        UPDATE plays SET release_id = r.id, merged_track_name = r.merged,
                         merged_track_uri = coalesce(r.canonical_uri, r.track_uri), merged_album_name = r.merged_album
        FROM (SELECT r.id, {', '.join(f'r.{column}' for column in RELEASE_COLUMNS)},
                     m.merged, m.canonical_uri, m.merged_album
              FROM releases r LEFT JOIN release_merges m ON {key} = m.release_key) r
        WHERE {same_release}""")
