"""Reading a stored session: its DuckDB file opened read-only, and the summary ingest wrote into it."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from backend.services.sessions.duckdb_instance import attachment_name, duckdb_connection
from backend.services.sessions.errors import SessionDamaged, SessionDeleted

# What a session file's derived columns hold, written beside its summary. 1 (files written before the layout was
# recorded): merged_track_uri is NULL where merging versions changes nothing. 2: it holds every play's own
# track there, so that answers read it as it is stored (curation/releases.py).
SESSION_LAYOUT = 2


@dataclass(frozen=True)
class SessionFacts:
    """What session_info says of a session's file: its summary, layout, and version (a random token that a new
    one replaces whenever the plays change; None in files written before versions were recorded)."""
    summary: dict
    layout: int
    version: str | None

    @property
    def current_layout(self) -> bool:
        """Written in SESSION_LAYOUT: its releases are there and merged_track_uri holds every play's track."""
        return self.layout >= SESSION_LAYOUT


def write_session_info(con: duckdb.DuckDBPyConnection, summary: dict) -> None:
    """The summary of the plays the file now holds, under a new version, in the current layout."""
    con.execute("CREATE OR REPLACE TABLE session_info AS SELECT ?::JSON AS summary, ?::INTEGER AS layout, "
                "?::VARCHAR AS version", [json.dumps(summary), SESSION_LAYOUT, uuid.uuid4().hex])


def read_summary(con: duckdb.DuckDBPyConnection) -> dict:
    return json.loads(con.execute("SELECT summary FROM session_info").fetchone()[0])


def read_facts(con: duckdb.DuckDBPyConnection) -> SessionFacts:
    row = con.execute("SELECT * FROM session_info").fetchone()
    held = dict(zip((column[0] for column in con.description), row, strict=True))
    return SessionFacts(json.loads(held["summary"]), held.get("layout") or 1, held.get("version"))


@contextmanager
def open_session(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The session's file, read-only, as the default database of a connection of its own (attached to this
    process's DuckDB instance, and detached when done); SessionDeleted when a DELETE removed it after the request
    took it in use, SessionDamaged when it is not a DuckDB file (a damaged object or copy).

    Once open, the connection reads the file to the end of the request even if it is deleted then. A link
    in its place is not a file this service wrote (DuckDB would follow it): it reads as deleted."""
    if path.is_symlink():
        raise SessionDeleted
    name = attachment_name()
    con = duckdb_connection()
    try:
        con.execute(f"ATTACH ? AS {name} (READ_ONLY)", [str(path)])
        con.execute(f"USE {name}")
    except duckdb.Error:
        _close(con, name)
        if path.exists():
            raise SessionDamaged from None
        raise SessionDeleted from None
    try:
        yield con
    finally:
        _close(con, name)


def _close(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Close the request's connection, then detach its file (from a connection of its own: the request's
    temporary views name the file, and it may hold an aborted query)."""
    con.close()
    with duckdb_connection() as detaching:
        detaching.execute(f"DETACH DATABASE IF EXISTS {name}")

