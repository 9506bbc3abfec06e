"""Storing an upload as a new session: unpack it, ingest it, and let the session appear only when complete."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backend.core.settings import Settings
from backend.services.hygiene import logged_memory
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
    limits = Limits(settings.max_extracted_mb * MB, settings.max_zip_members, settings.max_compression_ratio)
    with (server_resources(), logged_memory("process"), sessions.reserve() as session_id,
          sessions.scratch() as work):
        started = time.perf_counter()
        saved = work / "upload"
        save(saved)
        unpacked = unpack_upload(saved, work, limits, display_name)
        partial = work / "session.duckdb"
        summary = ingest_export(unpacked, partial, work, settings.max_rows)
        sessions.publish(session_id, partial)
    return StoredUpload(session_id, summary, time.perf_counter() - started)
