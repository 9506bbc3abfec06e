"""Reading a stored session: its DuckDB file opened read-only, and the summary ingest wrote into it."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from backend.services.sessions.duckdb_instance import attach_read_only, detach_reader, duckdb_connection
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
    """The session's file, read-only, as the default database of a connection of its own; SessionDeleted when a
    DELETE removed it after the request took it in use, SessionDamaged when it is not a DuckDB file (a damaged
    object or copy).

    The file is attached to this process's DuckDB instance once for all the requests reading that version of it
    at the time (a new version is a new file: SessionStore.publish), so they share the blocks they read, and
    detached when the last one is done, so that a deleted session's space is freed. Once open, the connection
    reads the file to the end of the request even if it is deleted or replaced then, while later requests read
    the version in its place. A link in its place is not a file this service wrote (DuckDB would follow it): it
    reads as deleted."""
    if path.is_symlink():
        raise SessionDeleted
    try:
        found = path.stat()
    except FileNotFoundError:
        raise SessionDeleted from None
    version = (found.st_dev, found.st_ino)
    try:
        name = attach_read_only(path, version)
    except duckdb.Error:
        if path.exists():
            raise SessionDamaged from None
        raise SessionDeleted from None
    try:
        con = duckdb_connection()
        try:
            con.execute(f"USE {name}")
            yield con
        finally:
            con.close()
    finally:
        detach_reader(version)
