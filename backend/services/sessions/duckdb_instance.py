"""One DuckDB instance per process, which every request's session file is attached to.

Starting a DuckDB instance costs about 10 ms of CPU (its catalog of functions and types), more than most of
the queries of a chart; attaching a file to a running instance and detaching it costs under 1 ms. Each
request gets a connection of its own (`cursor()`: its own temporary tables and views, its own default
database), and the instance's threads and memory are shared by all, as the cores and RAM are.
"""
from __future__ import annotations

import itertools
import os
import threading

import duckdb

# The threads each session connection was given before: a chart's queries are small, and the requests of a
# process run side by side.
THREADS = 2

_instance: tuple[int, duckdb.DuckDBPyConnection] | None = None
_instance_lock = threading.Lock()
_names = itertools.count()


def duckdb_connection() -> duckdb.DuckDBPyConnection:
    """A new connection to this process's instance, its default database in memory; the caller closes it."""
    global _instance
    with _instance_lock:
        # A forked child makes its own: DuckDB's threads do not survive a fork.
        if _instance is None or _instance[0] != os.getpid():
            _instance = (os.getpid(), duckdb.connect(config={"threads": THREADS}))
        return _instance[1].cursor()


def attachment_name() -> str:
    """A database name no other attachment of this process uses."""
    return f"session_{next(_names)}"
