"""The session store: one DuckDB file per session under UPLOAD_DIR, guarded by file locks.

File locks (flock) work across gunicorn's worker processes and are released by the kernel when
a process dies, so a crashed request never leaves a session locked or a capacity slot taken.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from backend.core.settings import Settings
from backend.services.sessions.errors import (
    SessionDeleted,
    SessionIdInvalid,
    SessionNotFound,
    TooManySessions,
)

SESSION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DB_SUFFIX = ".duckdb"
LOCK_SUFFIX = ".lock"
# What a person chose to leave out of the session's answers (services/curation): beside its file, which
# stays as ingest wrote it.
FILTERS_SUFFIX = ".filters.json"
RESERVATION_PREFIX = ".ingest-"
SCRATCH_PREFIX = ".work-"


class SessionStore:
    def __init__(self, root: str | Path, max_sessions: int, ttl_seconds: int):
        self.root = Path(root)
        self.max_sessions = max_sessions
        self.ttl_seconds = ttl_seconds
        self.root.mkdir(parents=True, exist_ok=True)
        # what else belongs to a session (its render jobs) is removed with it
        self.on_delete: Callable[[str], None] = lambda session_id: None

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionStore:
        return cls(settings.upload_dir, settings.max_sessions, settings.session_ttl_seconds)

    def db_path(self, session_id: str) -> Path:
        return self.root / f"{session_id}{DB_SUFFIX}"

    def _lock_path(self, session_id: str) -> Path:
        return self.root / f"{session_id}{LOCK_SUFFIX}"

    def _filters_path(self, session_id: str) -> Path:
        return self.root / f"{session_id}{FILTERS_SUFFIX}"

    def write_filters(self, session_id: str, filters: dict | None) -> None:
        """Keep the session's filters (None: remove them). The one place they are written: whole or not at
        all (a temporary file renamed), and never for a session deleted meanwhile (SessionNotFound)."""
        session_id = self.checked_id(session_id)
        path = self._filters_path(session_id)
        if filters is None:
            path.unlink(missing_ok=True)
            return
        handle, temporary = tempfile.mkstemp(prefix=".filters-", dir=self.root)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(filters, file)
        os.replace(temporary, path)
        if not self.db_path(session_id).exists():   # deleted while they were written: leave nothing behind
            path.unlink(missing_ok=True)
            raise SessionNotFound

    def read_filters(self, session_id: str) -> dict | None:
        """The filters write_filters kept for the session, or None."""
        try:
            return json.loads(self._filters_path(self.checked_id(session_id)).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def remove_orphan_filters(self) -> int:
        """Remove filters whose session is gone (one written while its session was deleted); returns how many."""
        orphans = [path for path in self.root.glob(f"*{FILTERS_SUFFIX}")
                   if not self.db_path(path.name.removesuffix(FILTERS_SUFFIX)).exists()]
        for path in orphans:
            path.unlink(missing_ok=True)
        return len(orphans)

    def live_ids(self) -> list[str]:
        return [p.name.removesuffix(DB_SUFFIX) for p in self.root.glob(f"*{DB_SUFFIX}")
                if SESSION_ID.match(p.name.removesuffix(DB_SUFFIX))]

    def checked_id(self, session_id: object) -> str:
        """The id if it is a session id this service could have issued and still holds."""
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            raise SessionIdInvalid
        if not self.db_path(session_id).exists():
            raise SessionNotFound
        return session_id

    def _store_lock(self) -> contextlib.AbstractContextManager[None]:
        return exclusive_lock(self.root / ".store.lock")

    @contextlib.contextmanager
    def reserve(self) -> Iterator[str]:
        """Take a capacity slot for a new session; TooManySessions when every slot is taken.

        The slot is a locked reservation file: it counts against capacity until the ingest ends,
        and a reservation whose process died is not counted (its lock is gone).
        """
        session_id = str(uuid.uuid4())
        reservation = self.root / f"{RESERVATION_PREFIX}{session_id}"
        with self._store_lock():
            # Reservations first: an ingest publishes its file before releasing its reservation, so
            # counted in this order a session finishing meanwhile is seen at least once, never missed.
            reserved = self._active_reservations()
            if reserved + len(self.live_ids()) >= self.max_sessions:
                raise TooManySessions(self.max_sessions)
            handle = open(reservation, "w")  # noqa: SIM115 (it outlives this block: it holds the lock)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield session_id
        finally:
            reservation.unlink(missing_ok=True)
            handle.close()

    @contextlib.contextmanager
    def scratch(self) -> Iterator[Path]:
        """A private folder under the root for one request's temporary files, removed when it ends.

        The folder is locked while in use, so one left behind by a process that died (killed by a
        timeout or out of memory) is told apart and removed by remove_abandoned_scratch.
        """
        with self._store_lock():
            path = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=self.root))
            handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)
            os.close(handle)

    def remove_abandoned_scratch(self) -> int:
        """Remove scratch folders whose process died; returns how many."""
        removed = 0
        with self._store_lock():
            for path in self.root.glob(f"{SCRATCH_PREFIX}*"):
                try:
                    handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
                except OSError:  # removed by its owner meanwhile, or not a folder
                    continue
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    shutil.rmtree(path, ignore_errors=True)
                    removed += 1
                except BlockingIOError:
                    pass  # in use
                finally:
                    os.close(handle)
        return removed

    def _active_reservations(self) -> int:
        active = 0
        for path in self.root.glob(f"{RESERVATION_PREFIX}*"):
            if is_locked(path):
                active += 1
            else:
                path.unlink(missing_ok=True)
        return active

    @contextlib.contextmanager
    def using(self, session_id: str) -> Iterator[Path]:
        """Hold a shared lock on a session for the length of a request, so cleanup skips it.

        A DELETE does not wait for the lock: the session's file may vanish at any moment. Touching the
        file is the check that it is there (one call, nothing between a check and its use), and a
        connection opened later on a vanished file is refused by open_session as deleted."""
        session_id = self.checked_id(session_id)
        with open(self._lock_path(session_id), "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            try:
                path = self.db_path(session_id)
                try:
                    os.utime(path)
                except FileNotFoundError:
                    # deleted since checked_id: the lock file opening it just made would be left behind
                    self._lock_path(session_id).unlink(missing_ok=True)
                    raise SessionNotFound from None
                yield path
                # idle time counts from the end of the last request, however long it ran
                with contextlib.suppress(FileNotFoundError):  # deleted meanwhile
                    os.utime(path)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def delete(self, session_id: str, *, only_if_idle: bool = False, older_than: float | None = None) -> bool:
        """Remove a session's files. With only_if_idle (cleanup), skip it when any request holds it;
        otherwise do not wait for those requests: their renders notice the file has gone and stop."""
        lock_path = self._lock_path(session_id)
        with open(lock_path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if only_if_idle:
                    return False
            path = self.db_path(session_id)
            if older_than is not None and path.exists() and path.stat().st_mtime > older_than:
                return False
            path.unlink(missing_ok=True)
            Path(f"{path}.wal").unlink(missing_ok=True)
            self._filters_path(session_id).unlink(missing_ok=True)
            lock_path.unlink(missing_ok=True)
            self.on_delete(session_id)
            return True

    def ensure_present(self, session_id: str) -> None:
        """SessionDeleted once the session has been deleted under a request that is using it."""
        if not self.db_path(session_id).exists():
            raise SessionDeleted

    def expired_ids(self, now: float | None = None) -> list[str]:
        cutoff = (now or time.time()) - self.ttl_seconds
        return [sid for sid in self.live_ids() if _mtime(self.db_path(sid)) < cutoff]


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """An flock held for the block: serialises across threads and processes sharing the folder."""
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")


def is_locked(path: Path) -> bool:
    """Whether some process holds a lock on the file; a missing file is not locked (and is not created)."""
    try:
        handle = open(path)  # noqa: SIM115 (it outlives this block: it holds the lock)
    except FileNotFoundError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
