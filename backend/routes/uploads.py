"""POST /process: take a Spotify export, store it as a new session."""
from __future__ import annotations

import logging
import re

from flask import jsonify, request
from werkzeug.datastructures import FileStorage

from backend.core.errors import bad_request
from backend.routes.answers import Session
from backend.routes.api import CROSS_SITE, OUT_OF_SPACE, answers, api_blueprint, error
from backend.routes.context import service_settings, session_store
from backend.routes.usage_events import record_usage, report_usage
from backend.services.ingest import store_upload

log = logging.getLogger(__name__)
bp = api_blueprint("uploads", __name__)
record_usage(bp, "upload")

# Documented, not validated by the framework: the view checks the file before anything else touches it.
UPLOAD_FORM = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "my_spotify_data.zip as Spotify "
                            "sent it, or one listening-history .json"}}}}}}


@bp.post("/process", openapi_extensions={"requestBody": UPLOAD_FORM}, responses=answers(
    {200: Session},
    error(400, "No file field; not a ZIP or a JSON array; a damaged ZIP or member; an unsafe ZIP entry."), CROSS_SITE,
    error(413, "Larger than MAX_UPLOAD_MB; too many ZIP entries; unpacks past MAX_EXTRACTED_MB or the compression "
               "ratio limit; more than MAX_ROWS history rows."),
    error(422, "No usable listening history in the upload (the message says what was found)."),
    error(503, "MAX_SESSIONS sessions exist, or the server ran out of memory; try again after Retry-After seconds.",
          retry_after=True), OUT_OF_SPACE))
def process_upload():
    """Store an uploaded export as a new session and describe what was found."""
    upload = request.files.get("file")
    if upload is None:
        raise bad_request("Send the export as multipart/form-data in a field named 'file' "
                          "(curl -F file=@my_spotify_data.zip).")
    with upload.stream:
        stored = store_upload(service_settings(), session_store(), upload.save, _display_name(upload))
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
