"""POST /process: take an export, store it as a new session. POST /sessions/<id>/uploads: add one to a session."""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import jsonify, request
from werkzeug.datastructures import FileStorage

from backend.routes.answers import Session
from backend.routes.api import BAD_SESSION_ID, CROSS_SITE, GONE, NO_SESSION, OUT_OF_SPACE, answers, api_blueprint, error
from backend.routes.context import service_settings, session_store
from backend.routes.models import SessionPath
from backend.routes.refusals import bad_request
from backend.routes.usage_events import record_usage, report_usage
from backend.services.ingest import StoredUpload, add_upload, store_upload
from src.resource_errors import server_resources

log = logging.getLogger(__name__)
bp = api_blueprint("uploads", __name__)
record_usage(bp, "upload")

# Documented, not validated by the framework: the view checks the file before anything else touches it.
UPLOAD_FORM = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "my_spotify_data.zip as Spotify "
                            "sent it, one listening-history .json, or another service's export (Last.fm CSV, "
                            "ListenBrainz ZIP or .jsonl, YouTube Music watch-history.json or Takeout ZIP, Apple "
                            "Music ZIP or Play Activity CSV; docs/exports.md)"}}}}}}
UPLOAD_ERRORS = (
    error(400, "No file field; not a ZIP, JSON or CSV export; a damaged ZIP or member; an unsafe ZIP entry."),
    CROSS_SITE,
    error(413, "Larger than MAX_UPLOAD_MB; too many ZIP entries; unpacks past MAX_EXTRACTED_MB or the compression "
               "ratio limit; more than MAX_ROWS history rows (or, added to a session, plays in the session)."),
    error(422, "No usable listening history in the upload (the message says what was found)."), OUT_OF_SPACE)


@bp.post("/process", openapi_extensions={"requestBody": UPLOAD_FORM}, responses=answers(
    {200: Session}, *UPLOAD_ERRORS,
    error(503, "MAX_SESSIONS sessions exist, or the server ran out of memory; try again after Retry-After seconds.",
          retry_after=True)))
def process_upload():
    """Store an uploaded export as a new session and describe what was found."""
    with _received() as incoming:
        upload = _file_field(incoming)
        with upload.stream:
            stored = store_upload(service_settings(), session_store(), _mover(upload), _display_name(upload))
    return _stored_answer(stored)


@bp.post("/sessions/<session_id>/uploads", openapi_extensions={"requestBody": UPLOAD_FORM}, responses=answers(
    {200: Session}, *UPLOAD_ERRORS, BAD_SESSION_ID, NO_SESSION, GONE))
def add_session_upload(path: SessionPath):
    """Add another export (another service's, or more of the same) to a session; a play two sources hold counts
    once."""
    with _received() as incoming:
        upload = _file_field(incoming)
        with upload.stream:
            stored = add_upload(service_settings(), session_store(), path.session_id, _mover(upload),
                                _display_name(upload))
    return _stored_answer(stored)


@contextmanager
def _received() -> Iterator[Path]:
    """A scratch folder for the form's files; a full disk while it is written is a 507, as in ingest."""
    with server_resources(), session_store().scratch() as incoming:
        yield incoming


def _mover(upload: FileStorage) -> Callable[[Path], None]:
    """Moving the upload's file, as the form was read into a scratch folder of the same disk, to where ingest
    reads it: a rename, not a copy (a copy cost a twentieth of a large upload's ingest)."""
    return lambda path: os.replace(upload.stream.name, path)


def _file_field(incoming: Path) -> FileStorage:
    """The form's `file`, its parts read into the folder `incoming` (ServiceRequest.form_files_folder)."""
    request.form_files_folder = incoming
    upload = request.files.get("file")
    if upload is None:
        raise bad_request("Send the export as multipart/form-data in a field named 'file' "
                          "(curl -F file=@my_spotify_data.zip).")
    return upload


def _stored_answer(stored: StoredUpload):
    summary = stored.summary
    log.info("Stored session: format=%s files=%d rows=%d in %.2f s", summary.format, summary.files_read,
             summary.rows_stored, stored.seconds)
    report_usage(format=summary.format, rows=summary.rows_stored, files=summary.files_read,
                 duration_s=round(stored.seconds, 3))
    return jsonify(session_id=stored.session_id, data_min_date=summary.data_min_date,
                   data_max_date=summary.data_max_date, summary=summary.to_json())


def _display_name(upload: FileStorage) -> str:
    """The uploaded file's own name, reduced to a short plain base name (it is echoed back)."""
    base = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^\w.() -]", "_", base)[:120] or "upload.json"
