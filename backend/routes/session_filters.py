"""/sessions/<id>/filters: what a person leaves out of every answer of a session; /sessions/<id>/repeats: the
stretches of one song worth leaving out."""
from __future__ import annotations

from flask import jsonify

from backend.routes.answers import Repeats, SessionFilters
from backend.routes.api import (
    BAD_SESSION_ID,
    CROSS_SITE,
    GONE,
    NO_SESSION,
    OUT_OF_SPACE,
    answers,
    api_blueprint,
    error,
)
from backend.routes.context import session_store
from backend.routes.models import FiltersBody, RepeatsQuery, SessionPath
from backend.services.curation import NO_FILTERS, Filters, apply_filters, filters_report, keep_filters, session_filters
from backend.services.sessions import open_session
from backend.services.stats import find_repeats

bp = api_blueprint("filters", __name__)
BAD_FILTERS = error(400, "The session id is not one this service issued, or the filters hold an unknown field, a "
                         "value of the wrong kind, a name longer than 300 characters or a period that ends before it "
                         "starts (the message names it).")
TOO_MANY = error(413, "The filters hold more than 1,000 entries, or the body is larger than MAX_JSON_KB.")


@bp.get("/sessions/<session_id>/filters", responses=answers({200: SessionFilters}, BAD_SESSION_ID, NO_SESSION, GONE))
def show_filters(path: SessionPath):
    """Return the session's filters with the plays each entry sets aside."""
    store = session_store()
    return _answer(path.session_id, session_filters(store, store.checked_id(path.session_id)))


@bp.put("/sessions/<session_id>/filters", responses=answers({200: SessionFilters}, BAD_FILTERS, CROSS_SITE,
                                                            NO_SESSION, GONE, TOO_MANY, OUT_OF_SPACE))
def replace_filters(path: SessionPath, body: FiltersBody):
    """Replace the session's filters; every later answer of the session honours them."""
    filters = body.to_filters()
    keep_filters(session_store(), path.session_id, filters)
    return _answer(path.session_id, filters)


@bp.delete("/sessions/<session_id>/filters", responses=answers({200: SessionFilters}, BAD_SESSION_ID, CROSS_SITE,
                                                               NO_SESSION, GONE))
def clear_filters(path: SessionPath):
    """Clear the session's filters: every play counts again."""
    keep_filters(session_store(), path.session_id, NO_FILTERS)
    return _answer(path.session_id, NO_FILTERS)


def _answer(session_id: str, filters: Filters):
    with session_store().using(session_id) as db, open_session(db) as con:
        report = filters_report(con, apply_filters(con, filters))
    return jsonify(session_id=session_id, filters=report)


@bp.get("/sessions/<session_id>/repeats", responses=answers(
    {200: Repeats}, error(400, "The session id is not one this service issued, or a query field is outside its "
                               "range."), NO_SESSION, GONE))
def show_repeats(path: SessionPath, query: RepeatsQuery):
    """List the stretches where one song played on and on, longest first, ready to paste into the filters."""
    req = query.to_request(path.session_id)
    with session_store().using(req.session_id) as db, open_session(db) as con:
        found = find_repeats(con, req)
    return jsonify(session_id=req.session_id, timezone=req.timezone or "UTC", min_plays=req.min_plays,
                   min_minutes=req.min_minutes, repeats=found)
