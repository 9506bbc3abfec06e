"""One in-memory DuckDB instance per process: the session files the requests read are attached to it
(sessions/database.py), and the service's own small computations (the time zones ICU knows, a zone's clock
changes) run on it, each on a connection of its own.

Starting a DuckDB instance costs about 10 ms of CPU (its catalog of functions and types), more than most of the
queries of a chart; attaching a file to a running instance costs under 1 ms.
"""
from __future__ import annotations

import os
import threading

import duckdb

_instance: tuple[int, duckdb.DuckDBPyConnection] | None = None
_instance_lock = threading.Lock()


def duckdb_connection() -> duckdb.DuckDBPyConnection:
    """A new connection to this process's instance (its own temporary tables and views, its default database
    in memory); the caller closes it."""
    global _instance
    with _instance_lock:
        # A forked child makes its own: DuckDB's threads do not survive a fork.
        if _instance is None or _instance[0] != os.getpid():
            _instance = (os.getpid(), duckdb.connect())
        return _instance[1].cursor()
