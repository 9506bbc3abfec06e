"""The session store (SESSION_STORE=local): one DuckDB file per session under UPLOAD_DIR, guarded by file locks.

File locks (flock) work across gunicorn's worker processes and are released by the kernel when
a process dies, so a crashed request never leaves a session locked or a capacity slot taken.

Its seams, which the object-store variant (bucket.py) keeps with the same meaning:
- publish(session_id, file, replaces=...): the one call that makes a finished DuckDB file the session's, whole
  or not at all; with replaces, a new version of a stored session (readers already using the old one finish
  with it; later requests read the new one), or SessionDeleted when it was deleted meanwhile.
- writing(session_id): one writer of a new version at a time (a file lock: per machine, so with a bucket two
  uploads added to one session on two machines at the same moment keep the later one).
- write_extra / read_extra(session_id, name): a small file that lives with the session (named
  "<session_id>.<name>" here, "<prefix><session_id>/<name>" in a bucket); delete and expiry remove every one.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from backend.core.settings import Settings
from backend.core.shared_files import (
    open_existing,
    open_lock_file,
    opened_lock,
    parse_bounded_json,
    read_shared_bytes,
)
from backend.services.sessions.errors import (
    SessionDeleted,
    SessionIdInvalid,
    SessionNotFound,
    TooManySessions,
)
from src.resource_errors import ServerOutOfSpace, is_out_of_space

SESSION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
DB_SUFFIX = ".duckdb"
LOCK_SUFFIX = ".lock"
WRITER_SUFFIX = ".writer"
RESERVATION_PREFIX = ".ingest-"
SCRATCH_PREFIX = ".work-"
EXTRA_NAME = re.compile(r"^[a-z][a-z0-9_-]*\.[a-z]+$")  # filters.json: never a path, never the data file
EXTRA_MAX_BYTES = 8 << 20   # above MAX_FILTERS_KB's largest body, so a kept file is never refused as too large
# What a person chose to leave out of the session's answers (services/curation), kept with the session, whose
# data file stays as ingest wrote it.
FILTERS = "filters.json"
log = logging.getLogger(__name__)


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

    def write_extra(self, session_id: str, name: str, data: bytes) -> None:
        """Write the file whole or not at all: on a full disk ServerOutOfSpace, and the kept version stays."""
        partial = self.root / f"{RESERVATION_PREFIX}{session_id}.{name}.{os.getpid()}"
        try:
            partial.write_bytes(data)
            partial.replace(self._extra_path(session_id, name))
        except OSError as error:
            partial.unlink(missing_ok=True)
            if is_out_of_space(error):
                raise ServerOutOfSpace from error
            raise

    def read_extra(self, session_id: str, name: str) -> bytes | None:
        return read_shared_bytes(self._extra_path(session_id, name), EXTRA_MAX_BYTES)

    def delete_extra(self, session_id: str, name: str) -> None:
        self._extra_path(session_id, name).unlink(missing_ok=True)

    def _extra_path(self, session_id: str, name: str) -> Path:
        if not EXTRA_NAME.match(name):
            raise ValueError(f"not a name for a session's file: {name!r}")
        return self.root / f"{session_id}.{name}"

    def write_filters(self, session_id: str, filters: dict | None) -> None:
        """Keep the session's filters (None: remove them), with the session wherever it is stored. The one place
        they are written: whole or not at all, and never for a session deleted meanwhile (SessionNotFound)."""
        session_id = self.checked_id(session_id)
        if filters is None:
            self.delete_extra(session_id, FILTERS)
            return
        self.write_extra(session_id, FILTERS, json.dumps(filters).encode("utf-8"))
        if not self.is_present(session_id):   # deleted while they were written: leave nothing behind
            self.delete_extra(session_id, FILTERS)
            raise SessionNotFound

    def read_filters(self, session_id: str) -> dict | None:
        """The filters write_filters kept for the session, or None (also for a file that is not theirs)."""
        if not SESSION_ID.match(session_id):   # read within a request that holds the session: only its form
            raise SessionIdInvalid
        data = self.read_extra(session_id, FILTERS)
        if data is None:
            return None
        try:
            filters = parse_bounded_json(data)
        except ValueError:
            log.warning("Filters of session %s are not JSON; read as none", session_id)
            return None
        return filters if isinstance(filters, dict) else None

    def storage_state(self) -> str | None:
        """What /health says of the storage: nothing for a local folder."""
        return None

    def is_present(self, session_id: str) -> bool:
        return self.db_path(session_id).exists()

    def tidy(self) -> None:
        """Files kept with sessions that are gone (filters written while their session was deleted)."""
        for path in self.root.glob(f"*.{FILTERS}"):
            session_id = path.name.removesuffix(f".{FILTERS}")
            if SESSION_ID.match(session_id) and not self.db_path(session_id).exists():
                path.unlink(missing_ok=True)

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
            handle = open_lock_file(reservation)  # it outlives this block: it holds the lock
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield session_id
        finally:
            reservation.unlink(missing_ok=True)
            os.close(handle)

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
        with opened_lock(self._lock_path(session_id)) as handle:
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

    @contextlib.contextmanager
    def writing(self, session_id: str) -> Iterator[None]:
        """One writer at a time per session: an added upload builds on the published file, then replaces it."""
        with exclusive_lock(self.root / f"{session_id}{WRITER_SUFFIX}"):
            yield

    def publish(self, session_id: str, complete_file: Path, *, replaces: bool = False) -> None:
        """Make a complete session file the session's data, at once (a rename on the same disk): whole or not at all.

        The one place a session's data is written. With `replaces`, a new version of a stored session (an added
        upload): never modified in place, so a request that opened the old file reads it to its end, and
        SessionDeleted when the session was deleted meanwhile (a deleted session never comes back)."""
        path = self.db_path(session_id)
        if replaces and not path.exists():
            raise SessionDeleted
        os.replace(complete_file, path)

    def delete(self, session_id: str, *, only_if_idle: bool = False, older_than: float | None = None) -> bool:
        """Remove a session's files. With only_if_idle (cleanup), skip it when any request holds it;
        otherwise do not wait for those requests: their renders notice the file has gone and stop."""
        lock_path = self._lock_path(session_id)
        with opened_lock(lock_path) as handle:
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
            for extra in self.root.glob(f"{session_id}.*"):
                extra.unlink(missing_ok=True)  # what write_extra wrote
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
    with opened_lock(path) as handle:
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
    """Whether some process holds a lock on the file; a missing file (or anything but a regular file) is not
    locked, and is not created."""
    handle = open_existing(path)
    if handle is None:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
    finally:
        os.close(handle)
