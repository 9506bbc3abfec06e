"""GET and DELETE /sessions/<id>: what a session holds, removing it at once, and its listening statistics."""
from __future__ import annotations

import time

from flask import jsonify

from backend.routes.answers import Deleted, Session, SessionStats, with_filters
from backend.routes.api import BAD_SESSION_ID, CANNOT_DRAW, CROSS_SITE, GONE, NO_SESSION, answers, api_blueprint, error
from backend.routes.context import session_store
from backend.routes.models import SessionPath, StatsQuery
from backend.routes.usage_events import record_usage, report_usage
from backend.services.curation import curate
from backend.services.sessions import open_session, read_summary
from backend.services.stats import listening_stats

bp = api_blueprint("sessions", __name__)
record_usage(bp, "stats", endpoint="sessions.show_stats")


@bp.get("/sessions/<session_id>", responses=answers({200: Session}, BAD_SESSION_ID, NO_SESSION, GONE))
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


@bp.get("/sessions/<session_id>/stats", responses=answers(
    {200: SessionStats},
    error(400, "The session id is not one this service issued, or a query field is outside its range."),
    NO_SESSION, GONE, CANNOT_DRAW))
def show_stats(path: SessionPath, query: StatsQuery):
    """Count a session's listening: totals, years, the weekly clock, discoveries, the longest streak, the top day;
    the plays its filters keep."""
    req = query.to_request(path.session_id)
    started = time.perf_counter()
    store = session_store()
    with store.using(req.session_id) as db, open_session(db) as con:
        curation = curate(con, store, req.session_id, None)
        stats = listening_stats(con, req)
    report_usage(years=len(stats["years"]), duration_s=round(time.perf_counter() - started, 3))
    return jsonify(with_filters(stats, curation.to_json() if curation.in_effect else None))
