"""Reading a stored session: its DuckDB file opened read-only, and the summary ingest wrote into it."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb


def read_summary(con: duckdb.DuckDBPyConnection) -> dict:
    return json.loads(con.execute("SELECT summary FROM session_info").fetchone()[0])


def open_session(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True, config={"threads": 2})

