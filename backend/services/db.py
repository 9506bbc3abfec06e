"""DuckDB: ingest an unpacked export into a session file, and the chart queries.

Every query is parameterised; attribute and metric names reach SQL only through the
whitelists in src.exports.rules, never as request text.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from src.exports import EXTENDED, ExportError, RowFormat, UnpackedExport

log = logging.getLogger(__name__)

STREAM_MS = 30_000
NUMBER_TYPES = ("UBIGINT", "BIGINT", "DOUBLE")

# The `plays` table: what the charts need and nothing personal. Per row format, the SELECT list
# that maps raw columns onto it; the casts fix the column types.
PLAYS_COLUMNS = """ts, ms_played, kind, track_name, artist_name, album_name, track_uri, episode_name,
    show_name, episode_uri, audiobook_title, chapter_title, platform, conn_country, skipped"""

EXTENDED_SELECT = """
    strptime(ts, '%Y-%m-%dT%H:%M:%SZ') AS ts,   -- UTC, the moment playback stopped
    CAST(ms_played AS BIGINT) AS ms_played,
    CASE WHEN master_metadata_track_name IS NOT NULL OR spotify_track_uri IS NOT NULL THEN 'track'
         WHEN episode_name IS NOT NULL OR spotify_episode_uri IS NOT NULL THEN 'episode'
         WHEN audiobook_title IS NOT NULL OR audiobook_uri IS NOT NULL THEN 'audiobook'
         ELSE 'unknown' END AS kind,
    master_metadata_track_name AS track_name, master_metadata_album_artist_name AS artist_name,
    master_metadata_album_album_name AS album_name, spotify_track_uri AS track_uri,
    episode_name, episode_show_name AS show_name, spotify_episode_uri AS episode_uri,
    audiobook_title, audiobook_chapter_title AS chapter_title, platform, conn_country,
    TRY_CAST(skipped AS BOOLEAN) AS skipped"""

ACCOUNT_SELECT = """
    strptime(endTime, '%Y-%m-%d %H:%M') AS ts,
    CAST(msPlayed AS BIGINT) AS ms_played,
    CASE WHEN podcastName IS NOT NULL OR episodeName IS NOT NULL THEN 'episode'
         WHEN audiobookName IS NOT NULL OR chapterName IS NOT NULL THEN 'audiobook'
         WHEN trackName IS NOT NULL THEN 'track' ELSE 'unknown' END AS kind,
    trackName AS track_name, artistName AS artist_name, NULL::VARCHAR AS album_name,
    NULL::VARCHAR AS track_uri, episodeName AS episode_name, podcastName AS show_name,
    NULL::VARCHAR AS episode_uri, audiobookName AS audiobook_title, chapterName AS chapter_title,
    NULL::VARCHAR AS platform, NULL::VARCHAR AS conn_country, NULL::BOOLEAN AS skipped"""


@dataclass
class IngestSummary:
    format: str
    format_label: str
    files_read: int
    file_names: list[str]
    rows_read: int
    rows_stored: int
    duplicates_dropped: int
    rows_incomplete: int
    streams: int
    music_streams: int
    podcast_plays: int
    audiobook_plays: int
    albums_available: bool
    data_min_date: str
    data_max_date: str

    def to_json(self) -> dict:
        return asdict(self)


def _connect_for_ingest(path: Path, work_dir: Path) -> duckdb.DuckDBPyConnection:
    # A memory cap keeps a 200 MB export within a few hundred MB of RSS; DuckDB spills the rest.
    return duckdb.connect(str(path), config={
        "memory_limit": "128MB", "threads": os.cpu_count() or 1,
        "temp_directory": str(work_dir), "preserve_insertion_order": False,
    })


def ingest_export(unpacked: UnpackedExport, db_path: Path, work_dir: Path) -> IngestSummary:
    """Load the unpacked history files into a new DuckDB file at db_path.

    Raises ExportError(422) when the files are not usable listening history.
    """
    fmt = unpacked.row_format
    with _connect_for_ingest(db_path, work_dir) as con:
        _read_raw(con, fmt, unpacked)
        _validate_raw(con, fmt, unpacked)
        select = EXTENDED_SELECT if fmt is EXTENDED else ACCOUNT_SELECT
        con.execute(f"CREATE TABLE plays AS SELECT {select} FROM raw WHERE {_complete(fmt)}")
        _drop_duplicate_plays(con)
        summary = _summarise(con, fmt, unpacked)
        con.execute("DROP TABLE raw")
        con.execute("CREATE TABLE session_info AS SELECT ?::JSON AS summary", [json.dumps(summary.to_json())])
        con.execute("CHECKPOINT")
    return summary


def _drop_duplicate_plays(con: duckdb.DuckDBPyConnection) -> None:
    """Exact duplicates (repeated rows, overlapping exports) are dropped: a play counts once.

    Only rows sharing a stop time and a duration can be copies, so whole rows are compared within
    those few groups. A DISTINCT over every column costs more than the rest of the ingest's writing,
    and it keeps DuckDB from writing the table straight to disk as it is built.
    """
    con.execute(f"""
        DELETE FROM plays WHERE rowid IN (
            SELECT rowid FROM (
                SELECT rowid, row_number() OVER (PARTITION BY {PLAYS_COLUMNS} ORDER BY rowid) AS copy
                FROM plays
                WHERE hash(ts, ms_played) IN (SELECT hash(ts, ms_played) FROM plays GROUP BY ALL HAVING count(*) > 1))
            WHERE copy > 1)""")


def _ms_column(fmt: RowFormat) -> str:
    return "ms_played" if fmt is EXTENDED else "msPlayed"


def _complete(fmt: RowFormat) -> str:
    """Rows that can be stored: they say when and for how long."""
    return f"{fmt.time_column} IS NOT NULL AND {_ms_column(fmt)} IS NOT NULL"


def _read_raw(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport) -> None:
    files = [str(path) for path in unpacked.paths]
    for path, name in zip(unpacked.paths, unpacked.member_names):
        if path.stat().st_size == 0:
            raise ExportError(422, f"{name} is empty; download the export again from Spotify.")
    try:
        con.execute("CREATE TEMP TABLE raw AS SELECT * FROM read_json(?, format='array', columns=?, "
                    "maximum_object_size=16777216)", [files, fmt.columns])
    except duckdb.Error as error:
        raise ExportError(422, "The listening history is not valid Spotify JSON (each file must be one array "
                               f"of row objects in UTF-8): {_first_line(error)}") from error


def _validate_raw(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport) -> None:
    ms_column = _ms_column(fmt)
    time_format = fmt.time_format
    bad_ms, bad_time, example = con.execute(f"""
        SELECT count(*) FILTER (WHERE {ms_column} IS NOT NULL AND json_type({ms_column}) NOT IN ?),
               count(*) FILTER (WHERE {fmt.time_column} IS NOT NULL
                                  AND try_strptime({fmt.time_column}, ?) IS NULL),
               any_value({fmt.time_column}) FILTER (WHERE try_strptime({fmt.time_column}, ?) IS NULL)
        FROM raw""", [list(NUMBER_TYPES), time_format, time_format]).fetchone()
    if bad_ms:
        raise ExportError(422, f"{bad_ms} rows have a {ms_column} that is not a number of milliseconds; "
                               "upload the files exactly as Spotify sent them.")
    if bad_time:
        raise ExportError(422, f"{bad_time} rows have a {fmt.time_column} that is not a time like "
                               f"{'2021-09-23T09:28:29Z' if fmt is EXTENDED else '2023-10-02 23:43'} "
                               f"(found {str(example)[:40]!r}).")
    usable = con.execute(f"SELECT count(*) FROM raw WHERE {_complete(fmt)}").fetchone()[0]
    if usable == 0:
        raise ExportError(422, f"The files ({', '.join(_short(unpacked.member_names))}) hold no plays with a time "
                               "and a duration; upload your Spotify listening history.")


def _summarise(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport) -> IngestSummary:
    rows_read, incomplete = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE NOT ({_complete(fmt)})) FROM raw").fetchone()
    stored, streams, music, podcasts, books, albums, first, last = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE ms_played >= {STREAM_MS}),
               count(*) FILTER (WHERE ms_played >= {STREAM_MS} AND kind = 'track'),
               count(*) FILTER (WHERE kind = 'episode'), count(*) FILTER (WHERE kind = 'audiobook'),
               count(album_name) > 0, min(ts)::DATE, max(ts)::DATE
        FROM plays""").fetchone()
    return IngestSummary(
        format=fmt.key, format_label=fmt.label, files_read=len(unpacked.paths),
        file_names=[name.rsplit("/", 1)[-1] for name in unpacked.member_names],
        rows_read=rows_read, rows_stored=stored, duplicates_dropped=rows_read - incomplete - stored,
        rows_incomplete=incomplete, streams=streams, music_streams=music, podcast_plays=podcasts,
        audiobook_plays=books, albums_available=bool(albums),
        data_min_date=first.isoformat(), data_max_date=last.isoformat())


def read_summary(con: duckdb.DuckDBPyConnection) -> dict:
    return json.loads(con.execute("SELECT summary FROM session_info").fetchone()[0])


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:300]


def _short(names: list[str]) -> list[str]:
    return [name.rsplit("/", 1)[-1] for name in names[:3]]


def open_session(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True, config={"threads": 2})

