"""Reading a stored session: its DuckDB file opened read-only, and the summary ingest wrote into it."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from backend.services.sessions.errors import SessionDamaged, SessionDeleted


def read_summary(con: duckdb.DuckDBPyConnection) -> dict:
    return json.loads(con.execute("SELECT summary FROM session_info").fetchone()[0])


def open_session(path: Path) -> duckdb.DuckDBPyConnection:
    """The session's file, read-only; SessionDeleted when a DELETE removed it after the request took it in use,
    SessionDamaged when it is not a DuckDB file (a damaged object or copy).

    Once open, the connection reads the file to the end of the request even if it is deleted then. A link
    in its place is not a file this service wrote (DuckDB would follow it): it reads as deleted."""
    if path.is_symlink():
        raise SessionDeleted
    try:
        return duckdb.connect(str(path), read_only=True, config={"threads": 2})
    except duckdb.Error:
        if path.exists():
            raise SessionDamaged from None
        raise SessionDeleted from None

