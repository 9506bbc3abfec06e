"""The filters kept with a session (in the session store, wherever the session lives), and which filters
a request's answer honours: its own when it sends them, else the session's."""
from __future__ import annotations

import duckdb

from backend.services.curation.filters import NO_FILTERS, Filters, filters_from_json
from backend.services.curation.relation import Curation, apply_filters
from backend.services.sessions import SessionStore


def session_filters(sessions: SessionStore, session_id: str) -> Filters:
    kept = sessions.read_filters(session_id)
    return NO_FILTERS if kept is None else filters_from_json(kept)


def keep_filters(sessions: SessionStore, session_id: str, filters: Filters) -> None:
    """Keep the filters with the session; empty filters are no filters (the file is removed)."""
    sessions.write_filters(session_id, None if filters.is_empty() else filters.to_json())


def filters_in_effect(sessions: SessionStore, session_id: str, requested: Filters | None) -> Filters:
    """The request's own filters when it sent them (for it alone), else the session's."""
    return requested if requested is not None else session_filters(sessions, session_id)


def curate(con: duckdb.DuckDBPyConnection, sessions: SessionStore, session_id: str,
           requested: Filters | None) -> Curation:
    """The session's plays on `con` as the filters in effect keep them (filters_in_effect, apply_filters)."""
    return apply_filters(con, filters_in_effect(sessions, session_id, requested))
