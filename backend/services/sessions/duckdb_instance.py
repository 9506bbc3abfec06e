"""One in-memory DuckDB instance per process: the session files the requests read are attached to it
(sessions/database.py), and the service's own small computations (the time zones ICU knows, a zone's clock
changes) run on it, each on a connection of its own.

Starting a DuckDB instance costs about 10 ms of CPU (its catalog of functions and types), more than most of the
queries of a chart; attaching a file to a running instance costs under 1 ms.
"""
from __future__ import annotations

import itertools
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb


@dataclass
class _Attachment:
    name: str
    readers: int = 0


@dataclass
class _Instance:
    """This process's instance and the files attached to it, by (device, inode), with their readers. A forked
    child makes its own: DuckDB's threads do not survive a fork, nor do the parent's attachments concern it."""
    pid: int
    connection: duckdb.DuckDBPyConnection
    attached: dict[tuple[int, int], _Attachment] = field(default_factory=dict)


_instance: _Instance | None = None
_lock = threading.Lock()
_names = itertools.count()


def _current() -> _Instance:
    """The instance of this process (the caller holds _lock)."""
    global _instance
    if _instance is None or _instance.pid != os.getpid():
        _instance = _Instance(os.getpid(), duckdb.connect())
    return _instance


def duckdb_connection() -> duckdb.DuckDBPyConnection:
    """A new connection to this process's instance (its own temporary tables and views, its default database
    in memory); the caller closes it."""
    with _lock:
        return _current().connection.cursor()


def attach_read_only(path: Path, version: tuple[int, int]) -> str:
    """The name the file (`version`: its device and inode) is attached under, read-only, attached for its first
    reader; duckdb.Error when DuckDB cannot read it. Each call is ended by one call of detach_reader."""
    with _lock:
        instance = _current()
        held = instance.attached.get(version)
        if held is None:
            held = _Attachment(f"session_{next(_names)}")
            with instance.connection.cursor() as con:
                con.execute(f"ATTACH ? AS {held.name} (READ_ONLY)", [str(path)])
            instance.attached[version] = held
        held.readers += 1
        return held.name


def detach_reader(version: tuple[int, int]) -> None:
    """One reader of the file is done; the file is detached after the last, so a deleted session's space is freed."""
    with _lock:
        instance = _current()
        held = instance.attached[version]
        held.readers -= 1
        if not held.readers:
            del instance.attached[version]
            with instance.connection.cursor() as con:
                con.execute(f"DETACH DATABASE IF EXISTS {held.name}")


def bound(sql: str, params: dict) -> dict:
    """The parameters `sql` names ($name): DuckDB refuses a statement given one it does not name."""
    named = set(re.findall(r"\$(\w+)", sql))
    return {name: value for name, value in params.items() if name in named}
