"""GET and DELETE /sessions/<id>: what a session holds, and removing it at once."""
from __future__ import annotations

from flask import jsonify

from backend.routes.answers import Deleted, Session
from backend.routes.api import BAD_SESSION_ID, CROSS_SITE, NO_SESSION, answers, api_blueprint
from backend.routes.context import session_store
from backend.routes.models import SessionPath
from backend.services.sessions import open_session, read_summary

bp = api_blueprint("sessions", __name__)


@bp.get("/sessions/<session_id>", responses=answers({200: Session}, BAD_SESSION_ID, NO_SESSION))
def show_session(path: SessionPath):
    """Return the summary of what the session's upload held."""
    session_id = path.session_id
    store = session_store()
    with store.using(session_id) as path, open_session(path) as con:
        summary = read_summary(con)
    return jsonify(session_id=session_id, data_min_date=summary["data_min_date"],
                   data_max_date=summary["data_max_date"], summary=summary)


@bp.delete("/sessions/<session_id>", responses=answers({200: Deleted}, BAD_SESSION_ID, CROSS_SITE, NO_SESSION))
def delete_session(path: SessionPath):
    """Delete everything stored for the session at once; its jobs and renders stop."""
    store = session_store()
    store.delete(store.checked_id(path.session_id))
    return jsonify(deleted=path.session_id)
