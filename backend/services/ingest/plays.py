"""DuckDB: ingest an unpacked export into a session file.

What a row must hold to be stored is decided in raw_rows.py; this module maps stored rows onto
`plays`, through the mapping the row format carries (src/exports/row_formats.py), and summarises them.
"""
from __future__ import annotations

import logging
import os
from dataclasses import KW_ONLY, asdict, dataclass, field, fields
from datetime import date
from pathlib import Path

import duckdb

from backend.services.curation import record_releases
from backend.services.ingest.companions import recover_artists
from backend.services.ingest.raw_rows import (
    PLAY,
    PLAY_MS,
    PLAY_TIME,
    ROW_CLASS,
    RowCounts,
    check_rows,
    keep_plays,
    read_rows,
)
from backend.services.sessions import write_session_info
from src.exports import PLAYS_COLUMNS, ExportUnusable, RowFormat, UnpackedExport
from src.exports.domain import COUNTED_AS_STREAM, STREAM_MS

log = logging.getLogger(__name__)

DATA_ERRORS = (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.OutOfRangeException)

# Time and duration come parsed from the files (raw_rows.py); the duration rounded to whole milliseconds,
# halves up (NULL where the service records none), for plays only: other rows' may not fit (they are dropped).
TIME_AND_MS = (f"{PLAY_TIME} AS ts, CASE WHEN {ROW_CLASS} = {PLAY} THEN CAST(round({PLAY_MS}) AS BIGINT) END "
               "AS ms_played")


@dataclass
class SourceSummary:
    """One service's plays in a session: what its uploads held and what of it was kept."""
    source: str
    uploads: int
    rows_read: int
    plays_kept: int
    _: KW_ONLY
    duplicates_of_other_sources: int
    first_date: str | None    # None when none of its plays were kept
    last_date: str | None


@dataclass(kw_only=True)
class IngestSummary:
    format: str
    format_label: str
    source: str
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
    rows_left_out: dict[str, int]   # rows that are no play of music (ads, videos, ...), by why
    plays_without_duration: int     # stored plays the service gave no duration: streams, but no minutes
    plays_without_artist: int       # stored music plays with no artist (Apple Music's newer export, unrecovered)
    duplicates_of_other_sources: int = 0    # plays another source of the session already held (not stored)
    already_in_session: int = 0     # plays of the same source the session already held (not stored)
    # Every source of the session, this upload's included (one entry per service).
    sources: list[SourceSummary] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def connect_for_ingest(path: Path, work_dir: Path) -> duckdb.DuckDBPyConnection:
    # A memory cap keeps a 200 MB export within a few hundred MB of RSS; DuckDB spills the rest.
    return duckdb.connect(str(path), config={
        "memory_limit": "128MB", "threads": os.cpu_count() or 1,
        "temp_directory": str(work_dir), "preserve_insertion_order": False,
    })


def ingest_export(unpacked: UnpackedExport, db_path: Path, work_dir: Path, max_rows: int, *,
                  session: bool = True) -> IngestSummary:
    """Load the unpacked history files into a new DuckDB file at db_path: a session's (its releases and
    session_info written), or with `session=False` only the plays, for merge_plays to add to a session (which
    then writes those for all its plays).

    Raises ExportTooLarge beyond max_rows rows, ExportUnusable when the files are not usable listening history.
    """
    try:
        return _ingest(unpacked, db_path, work_dir, max_rows, session=session)
    except DATA_ERRORS as error:
        # raw_rows.py refuses every value these could come from; should one slip through, the person
        # still gets our message. DuckDB's may quote row values, so the log gets only its kind.
        log.warning("Ingest refused by DuckDB after the row checks (%s)", type(error).__name__)
        raise ExportUnusable(f"The listening history ({', '.join(unpacked.member_names[:3])}) holds values "
                             "that cannot be stored; upload the files exactly as Spotify sent them.") from error


def _ingest(unpacked: UnpackedExport, db_path: Path, work_dir: Path, max_rows: int, *,
            session: bool) -> IngestSummary:
    fmt = unpacked.row_format
    with connect_for_ingest(db_path, work_dir) as con:
        read_rows(con, fmt, unpacked, max_rows, f"{TIME_AND_MS}, {fmt.plays_select()}")
        counts = check_rows(con, fmt, unpacked, max_rows)
        keep_plays(con)
        for column, kind in fmt.absent_columns().items():
            con.execute(f"ALTER TABLE plays ADD COLUMN {column} {kind}")
        _drop_duplicate_plays(con)
        recover_artists(con, unpacked)
        summary = _summarise(con, fmt, unpacked, counts)
        if session:
            record_releases(con, fmt.key)
            write_session_info(con, summary.to_json())
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


@dataclass(frozen=True)
class PlayCounts:
    """What a table of plays holds, as the summary counts it."""
    stored: int
    streams: int
    music_streams: int
    podcast_plays: int
    audiobook_plays: int
    _: KW_ONLY
    albums_available: bool
    first: date | None
    last: date | None
    without_duration: int
    without_artist: int


def count_plays(con: duckdb.DuckDBPyConnection, table: str = "plays") -> PlayCounts:
    """The summary's counts of a table shaped like `plays` (a name of ours, never a person's)."""
    row = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE {COUNTED_AS_STREAM}),
               count(*) FILTER (WHERE {COUNTED_AS_STREAM} AND kind = 'track'),
               count(*) FILTER (WHERE kind = 'episode'), count(*) FILTER (WHERE kind = 'audiobook'),
               count(album_name) > 0, min(ts)::DATE, max(ts)::DATE, count(*) FILTER (WHERE ms_played IS NULL),
               count(*) FILTER (WHERE kind = 'track' AND artist_name IS NULL)
        FROM {table}""", {"min_ms": STREAM_MS}).fetchone()
    return PlayCounts(**dict(zip((column.name for column in fields(PlayCounts)), row, strict=True)))


def _summarise(con: duckdb.DuckDBPyConnection, fmt: RowFormat, unpacked: UnpackedExport,
               counts: RowCounts) -> IngestSummary:
    plays = count_plays(con)
    stored, first, last = plays.stored, plays.first, plays.last
    left_out = sum(counts.left_out.values())
    duplicates = counts.read - counts.incomplete - counts.out_of_range - left_out - stored
    return IngestSummary(
        format=fmt.key, format_label=fmt.label, source=fmt.source, files_read=len(unpacked.paths),
        file_names=list(unpacked.member_names), rows_read=counts.read, rows_stored=stored,
        duplicates_dropped=duplicates, rows_incomplete=counts.incomplete, rows_out_of_range=counts.out_of_range,
        streams=plays.streams, music_streams=plays.music_streams, podcast_plays=plays.podcast_plays,
        audiobook_plays=plays.audiobook_plays, albums_available=plays.albums_available,
        data_min_date=first.isoformat(), data_max_date=last.isoformat(), rows_left_out=dict(counts.left_out),
        plays_without_duration=plays.without_duration, plays_without_artist=plays.without_artist,
        sources=[SourceSummary(fmt.source, 1, counts.read, stored, duplicates_of_other_sources=0,
                               first_date=first.isoformat(), last_date=last.isoformat())])
