"""Apple Music's newer Play Activity names no track artist; the Daily Tracks file beside it in the same ZIP
describes each track as "Artist - Title". A play gets the artist of the description whose title is its
song's, preferring descriptions of the same day, and only when they name one artist: otherwise it stays
unknown (counted in the summary as plays_without_artist)."""
from __future__ import annotations

import logging

import duckdb

from src.exports import ExportUnusable, UnpackedExport
from src.exports.domain import MAX_NAME_CHARS

log = logging.getLogger(__name__)

# Every way to cut a description at " - " into an artist and a title ("A - B - C" may be A / B - C or A - B / C).
SPLITS = """
    SELECT DISTINCT array_to_string(parts[1:k], ' - ') AS artist, array_to_string(parts[k + 1:], ' - ') AS title, day
    FROM (SELECT parts, day, unnest(range(1, len(parts))) AS k
          FROM (SELECT string_split("Track Description", ' - ') AS parts,
                       try_strptime("Date Played", '%Y%m%d')::DATE AS day
                FROM read_csv($path, header=true, all_varchar=true, delim=',', quote='"', escape='"',
                              max_line_size=4194304)
                WHERE "Track Description" IS NOT NULL))"""

RECOVER = f"""
    WITH splits AS ({SPLITS}),
    by_day AS (SELECT title, day, min(artist) AS artist, count(DISTINCT artist) AS artists FROM splits GROUP BY ALL),
    by_title AS (SELECT title, min(artist) AS artist, count(DISTINCT artist) AS artists FROM splits GROUP BY title),
    found AS (
        SELECT p.rowid AS id, coalesce(CASE WHEN d.artists = 1 THEN d.artist END,
                                       CASE WHEN t.artists = 1 THEN t.artist END) AS artist
        FROM plays p LEFT JOIN by_day d ON d.title = p.track_name AND d.day = p.ts::DATE
                     LEFT JOIN by_title t ON t.title = p.track_name
        WHERE p.kind = 'track' AND p.artist_name IS NULL)
    UPDATE plays SET artist_name = left(found.artist, {MAX_NAME_CHARS})
    FROM found WHERE plays.rowid = found.id AND found.artist IS NOT NULL"""


def recover_artists(con: duckdb.DuckDBPyConnection, unpacked: UnpackedExport) -> None:
    """Fill the artists of an Apple Music play activity without them from its Daily Tracks file, if any."""
    if not unpacked.row_format.needs_companion or unpacked.companion is None:
        return
    try:
        con.execute(RECOVER, {"path": str(unpacked.companion)})
    except duckdb.Error as error:
        log.info("Daily Tracks file refused by DuckDB (%s)", type(error).__name__)
        raise ExportUnusable("Apple Music - Play History Daily Tracks.csv cannot be read as CSV rows with a "
                             "'Track Description' and a 'Date Played'; upload the ZIP as Apple sent it.") from error
