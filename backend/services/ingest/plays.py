"""DuckDB: ingest an unpacked export into a session file.

What a row must hold to be stored is decided in raw_rows.py; this module maps stored rows onto
`plays`, through the mapping the row format carries (src/exports/row_formats.py), and summarises them.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from backend.services.curation import record_releases
from backend.services.ingest.raw_rows import PLAY_MS, PLAY_TIME, RowCounts, check_raw, complete, in_domain, read_raw
from src.exports import PLAYS_COLUMNS, ExportUnusable, RowFormat, UnpackedExport
from src.exports.domain import STREAM_MS

log = logging.getLogger(__name__)

DATA_ERRORS = (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.OutOfRangeException)

# Time and duration come parsed from raw (raw_rows.py); the duration rounded to whole milliseconds, halves up.
TIME_AND_MS = f"{PLAY_TIME} AS ts, CAST(round({PLAY_MS}) AS BIGINT) AS ms_played"


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
    rows_out_of_range: int
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


def ingest_export(unpacked: UnpackedExport, db_path: Path, work_dir: Path, max_rows: int) -> IngestSummary:
    """Load the unpacked history files into a new DuckDB file at db_path.

    Raises ExportTooLarge beyond max_rows rows, ExportUnusable when the files are not usable listening history.
    """
    try:
        return _ingest(unpacked, db_path, work_dir, max_rows)
    except DATA_ERRORS as error:
        # raw_rows.py refuses every value these could come from; should one slip through, the person
        # still gets our message. DuckDB's may quote row values, so the log gets only its kind.
        log.warning("Ingest refused by DuckDB after the row checks (%s)", type(error).__name__)
        raise ExportUnusable(f"The listening history ({', '.join(unpacked.member_names[:3])}) holds values "
                             "that cannot be stored; upload the files exactly as Spotify sent them.") from error


def _ingest(unpacked: UnpackedExport, db_path: Path, work_dir: Path, max_rows: int) -> IngestSummary:
    fmt = unpacked.row_format
    with _connect_for_ingest(db_path, work_dir) as con:
        read_raw(con, fmt, unpacked, max_rows)
        counts = check_raw(con, fmt, unpacked)
        con.execute(f"CREATE TABLE plays AS SELECT {TIME_AND_MS}, {fmt.plays_select()} "
                    f"FROM raw WHERE {complete(fmt)} AND {in_domain()}")
        _drop_duplicate_plays(con)
        summary = _summarise(con, fmt, unpacked, counts)
        con.execute("DROP TABLE raw")
        record_releases(con)
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
                SELECT rowid, row_number() OVER (PARTITION BY {', '.join(PLAYS_COLUMNS)} ORDER BY rowid) AS copy
                FROM plays
                WHERE hash(ts, ms_played) IN (SELECT hash(ts, ms_played) FROM plays GROUP BY ALL HAVING count(*) > 1))
            WHERE copy > 1)""")


def _summarise(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport,
               counts: RowCounts) -> IngestSummary:
    stored, streams, music, podcasts, books, albums, first, last = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE ms_played >= {STREAM_MS}),
               count(*) FILTER (WHERE ms_played >= {STREAM_MS} AND kind = 'track'),
               count(*) FILTER (WHERE kind = 'episode'), count(*) FILTER (WHERE kind = 'audiobook'),
               count(album_name) > 0, min(ts)::DATE, max(ts)::DATE
        FROM plays""").fetchone()
    return IngestSummary(
        format=fmt.key, format_label=fmt.label, files_read=len(unpacked.paths),
        file_names=list(unpacked.member_names), rows_read=counts.read, rows_stored=stored,
        duplicates_dropped=counts.read - counts.incomplete - counts.out_of_range - stored,
        rows_incomplete=counts.incomplete, rows_out_of_range=counts.out_of_range, streams=streams,
        music_streams=music, podcast_plays=podcasts,
        audiobook_plays=books, albums_available=bool(albums),
        data_min_date=first.isoformat(), data_max_date=last.isoformat())
