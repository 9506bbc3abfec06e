"""A machine's copies of a session's objects (its DuckDB file, its job videos): read-only, named by session and
ETag, bounded by SESSION_CACHE_MB together, the least recently used copies evicted first.

A copy in use is held with a shared flock, so eviction (which needs the exclusive lock) never removes a file a
request is reading; every process on the machine shares the folder. A copy is written beside its final name
and renamed into place, so a reader never sees half a file.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from backend.services.sessions.errors import SessionNotFound

DATA_SUFFIX = ".duckdb"
UNSAFE = re.compile(r"[^0-9A-Za-z-]")


class SessionCache:
    def __init__(self, root: Path, budget_bytes: int):
        self.root = root
        self.budget_bytes = budget_bytes
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str, etag: str, suffix: str = DATA_SUFFIX) -> Path:
        """The copy of version `etag` of `key` (a session id, or "<session id>.<job id>" for a video)."""
        return self.root / f"{key}.{UNSAFE.sub('', etag)}{suffix}"

    def copies(self, session_id: str = "*") -> list[Path]:
        return [path for path in self.root.glob(f"{session_id}.*") if not path.name.startswith(".")]

    @contextlib.contextmanager
    def held(self, key: str, etag: str, size: int, fetch: Callable[[Path], str | None],
             suffix: str = DATA_SUFFIX) -> Iterator[Path]:
        """The copy of this version (fetched by `fetch(target)`, which returns the ETag it wrote, when absent),
        under a shared lock for the block; SessionNotFound when the object went meanwhile."""
        path = self.path(key, etag, suffix)
        for _attempt in range(3):
            if not path.exists():
                self.make_room(size)
                path = self._fetch(key, fetch, suffix)
            try:
                handle = os.open(path, os.O_RDONLY)
            except FileNotFoundError:  # evicted by another process between its fetch and this open
                continue
            try:
                fcntl.flock(handle, fcntl.LOCK_SH)
                os.utime(path)  # the LRU's clock
                yield path
                return
            finally:
                os.close(handle)
        raise SessionNotFound

    def _fetch(self, key: str, fetch: Callable[[Path], str | None], suffix: str) -> Path:
        handle, partial = tempfile.mkstemp(prefix=".fetch-", dir=self.root)
        os.close(handle)
        try:
            fetched = fetch(Path(partial))
            if fetched is None:
                raise SessionNotFound
            # the object may have been replaced since its HEAD: the copy is filed under the version it is
            path = self.path(key, fetched, suffix)
            Path(partial).replace(path)
            return path
        finally:
            Path(partial).unlink(missing_ok=True)

    def make_room(self, size: int) -> None:
        """Evict copies not in use, oldest use first, until `size` more bytes fit in the budget."""
        copies = sorted(self.copies(), key=_mtime)
        total = sum(_size(path) for path in copies)
        for path in copies:
            if total + size <= self.budget_bytes:
                return
            path_size = _size(path)
            if _remove_unless_in_use(path):
                total -= path_size

    def forget(self, session_id: str) -> None:
        """Remove every copy of the session's objects: a copy in use goes when its reader is done."""
        for path in self.copies(session_id):
            path.unlink(missing_ok=True)

    def forget_older_data(self, session_id: str, current: str) -> None:
        """Remove the copies of the session's data other than version `current` (a new version was published)."""
        for path in self.root.glob(f"{session_id}.*{DATA_SUFFIX}"):
            if path != self.path(session_id, current):
                path.unlink(missing_ok=True)

    def cached_ids(self) -> set[str]:
        return {path.name.split(".")[0] for path in self.copies()}


def _remove_unless_in_use(path: Path) -> bool:
    try:
        handle = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        path.unlink(missing_ok=True)
        return True
    finally:
        os.close(handle)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
