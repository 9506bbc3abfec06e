"""GET and DELETE /sessions/<id>: what a session holds, and removing it at once."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from backend.services.db import open_session, read_summary

bp = Blueprint("sessions", __name__)


@bp.get("/sessions/<session_id>")
def show_session(session_id: str):
    """Return the summary of what the session's upload held."""
    store = current_app.extensions["sessions"]
    with store.using(session_id) as path, open_session(path) as con:
        summary = read_summary(con)
    return jsonify(session_id=session_id, data_min_date=summary["data_min_date"],
                   data_max_date=summary["data_max_date"], summary=summary)


@bp.delete("/sessions/<session_id>")
def delete_session(session_id: str):
    """Delete everything stored for the session."""
    store = current_app.extensions["sessions"]
    store.delete(store.checked_id(session_id))
    return jsonify(deleted=session_id)
