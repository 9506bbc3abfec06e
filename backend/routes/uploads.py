"""POST /process: take a Spotify export, store it as a new session."""
from __future__ import annotations

import logging
import re
import time

from flask import current_app, jsonify, request
from werkzeug.datastructures import FileStorage

from backend.core.errors import ApiError, bad_request
from backend.routes.answers import Session
from backend.routes.api import CROSS_SITE, answers, api_blueprint, error
from backend.services.db import IngestSummary, ingest_export
from backend.services.system import cleanup_old_sessions, logged_memory
from src.exports import ExportError, Limits, unpack_upload

log = logging.getLogger(__name__)
bp = api_blueprint("uploads", __name__)

# Documented, not validated by the framework: the view checks the file before anything else touches it.
UPLOAD_FORM = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "my_spotify_data.zip as Spotify "
                            "sent it, or one listening-history .json"}}}}}}


def _limits() -> Limits:
    config = current_app.config
    return Limits(config["MAX_EXTRACTED_MB"] * 2**20, config["MAX_ZIP_MEMBERS"], config["MAX_COMPRESSION_RATIO"])


@bp.post("/process", openapi_extensions={"requestBody": UPLOAD_FORM}, responses=answers(
    {200: Session},
    error(400, "No file field; not a ZIP or a JSON array; a damaged ZIP or member; an unsafe ZIP entry."), CROSS_SITE,
    error(413, "Larger than MAX_UPLOAD_MB; too many ZIP entries; unpacks past MAX_EXTRACTED_MB or the compression "
               "ratio limit; more than MAX_ROWS history rows."),
    error(422, "No usable listening history in the upload (the message says what was found)."),
    error(503, "MAX_SESSIONS sessions exist; try again after Retry-After seconds.", retry_after=True)))
def process_upload():
    """Store an uploaded export as a new session and describe what was found."""
    upload = request.files.get("file")
    if upload is None:
        raise bad_request("Send the export as multipart/form-data in a field named 'file' "
                          "(curl -F file=@my_spotify_data.zip).")
    with upload.stream:
        summary, session_id, seconds = _store_upload(upload)
    log.info("Stored session: format=%s files=%d rows=%d in %.2f s", summary.format, summary.files_read,
             summary.rows_stored, seconds)
    current_app.extensions["analytics"].record("upload", format=summary.format, rows=summary.rows_stored,
                                               files=summary.files_read, duration_s=round(seconds, 3))
    return jsonify(session_id=session_id, data_min_date=summary.data_min_date,
                   data_max_date=summary.data_max_date, summary=summary.to_json())


def _display_name(upload: FileStorage) -> str:
    """The uploaded file's own name, reduced to a short plain base name (it is echoed back)."""
    base = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^\w.() -]", "_", base)[:120] or "upload.json"


def _store_upload(upload: FileStorage) -> tuple[IngestSummary, str, float]:
    """Unpack and ingest in a private work folder; the session appears only when complete."""
    store = current_app.extensions["sessions"]
    cleanup_old_sessions(store)
    with logged_memory("process"), store.reserve() as session_id, store.scratch() as work:
        started = time.perf_counter()
        try:
            saved = work / "upload"
            upload.save(saved)
            unpacked = unpack_upload(saved, work, _limits(), _display_name(upload))
            partial = work / "session.duckdb"
            summary = ingest_export(unpacked, partial, work, current_app.config["MAX_ROWS"])
            partial.replace(store.db_path(session_id))
        except ExportError as error:
            raise ApiError(error.status, error.message) from error
    return summary, session_id, time.perf_counter() - started
