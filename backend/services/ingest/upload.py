"""Storing an upload as a new session, or adding it to one: unpack it, ingest it, and let the session (or its
new plays) appear only when complete."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backend.core.settings import Settings
from backend.services.hygiene import logged_memory
from backend.services.ingest.merge import merge_plays
from backend.services.ingest.plays import IngestSummary, ingest_export
from backend.services.sessions import SessionStore, cleanup_old_sessions
from src.exports import Limits, unpack_upload
from src.resource_errors import server_resources

MB = 2**20


@dataclass(frozen=True)
class StoredUpload:
    session_id: str
    summary: IngestSummary
    seconds: float


def store_upload(settings: Settings, sessions: SessionStore, save: Callable[[Path], None],
                 display_name: str) -> StoredUpload:
    """Save the upload (by `save`) in a private work folder, unpack and ingest it there, then store the
    session; unpack_upload's and ingest_export's ExportErrors pass to the caller, and a full disk or memory
    is ServerOutOfSpace or ServerOutOfMemory (the work folder, and with it every partial file, is removed)."""
    cleanup_old_sessions(sessions)
    with (server_resources(), logged_memory("process"), sessions.reserve() as session_id,
          sessions.scratch() as work):
        started = time.perf_counter()
        partial = work / "session.duckdb"
        summary = _ingest_saved(settings, save, display_name, work, partial)
        sessions.publish(session_id, partial)
    return StoredUpload(session_id, summary, time.perf_counter() - started)


def add_upload(settings: Settings, sessions: SessionStore, session_id: str, save: Callable[[Path], None],
               display_name: str) -> StoredUpload:
    """Add an upload's plays to a session: ingested alone in a work folder, then merged with the session's
    (merge_plays) into a file that replaces the session's (SessionStore.publish), one writer at a time. Errors as
    store_upload's, and the sessions' own (SessionNotFound, SessionDeleted)."""
    cleanup_old_sessions(sessions)
    session_id = sessions.checked_id(session_id)
    # the writer's lock first: the version copied below is then the newest, whichever machine published it
    with (server_resources(), logged_memory("add upload"), sessions.writing(session_id),
          sessions.using(session_id) as current, sessions.scratch() as work):
        started = time.perf_counter()
        added = work / "added.duckdb"
        summary = _ingest_saved(settings, save, display_name, work, added, session=False)
        merged, summary = merge_plays(current, added, work, summary, settings.max_rows)
        sessions.publish(session_id, merged, replaces=True)
    return StoredUpload(session_id, summary, time.perf_counter() - started)


def _ingest_saved(settings: Settings, save: Callable[[Path], None], display_name: str, work: Path,
                  db_path: Path, *, session: bool = True) -> IngestSummary:
    """Save the upload into the work folder, unpack it there and ingest it into db_path (ingest_export)."""
    limits = Limits(settings.max_extracted_mb * MB, settings.max_zip_members, settings.max_compression_ratio)
    saved = work / "upload"
    save(saved)
    unpacked = unpack_upload(saved, work, limits, display_name)
    return ingest_export(unpacked, db_path, work, settings.max_rows, session=session)
