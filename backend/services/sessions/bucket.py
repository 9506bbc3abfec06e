"""The session store on object storage (SESSION_STORE=s3): any machine serves any session; UPLOAD_DIR holds only
a bounded cache of session files and scratch space, so wiping it loses nothing.

What lives where, under S3_PREFIX in S3_BUCKET:
- <id>/session.duckdb: the session's data, uploaded once when its ingest is finished (one PUT, or a multipart
  upload that appears only when complete): a machine killed mid-upload leaves no session visible;
- <id>/last-access: an empty object rewritten when a request uses the session (at most every TOUCH_SECONDS per
  process): the newest LastModified of a session's objects is when it was last used;
- <id>/<name>: whatever else lives with the session (write_extra: filters, job videos), deleted with it;
- .reservations/<id>: an upload in progress, counted against MAX_SESSIONS until RESERVATION_SECONDS old.

The bucket is the one truth every machine reads: a request asks for the data object's ETag (a HEAD, no GET)
before each use, so a session deleted elsewhere answers 404 at once and its cached copy is dropped; a new
version (publish again) has a new ETag and is fetched once. Capacity and idleness are counted from a listing
of the prefix, with idle times judged on the store's clock.
"""
from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from pathlib import Path

from backend.core.settings import Settings
from backend.services.sessions.cache import SessionCache
from backend.services.sessions.errors import SessionDeleted, SessionIdInvalid, SessionNotFound, TooManySessions
from backend.services.sessions.objects import Listing, ObjectStore
from backend.services.sessions.store import SESSION_ID, SessionStore

DATA = "session.duckdb"
ACCESS = "last-access"
RESERVATIONS = ".reservations/"
RESERVATION_SECONDS = 900.0   # an ingest longer than this is not counted (nor one whose machine died)
TOUCH_SECONDS = 60.0          # how often one process rewrites last-access while a session is used
PRESENCE_SECONDS = 0.5        # a render asks whether its session still exists at most this often
MB = 2**20
EXTRAS_KEPT = 64            # small objects (filters) a process keeps to answer a HEAD without a GET


class BucketSessionStore(SessionStore):
    def __init__(self, settings: Settings, objects: ObjectStore | None = None):
        super().__init__(settings.upload_dir, settings.max_sessions, settings.session_ttl_seconds)
        self.objects = objects or ObjectStore(settings)
        self.cache = SessionCache(self.root / "session-cache", int(settings.session_cache_mb * MB))
        self._touched: dict[str, float] = {}
        self._present: dict[str, float] = {}
        self._lock = threading.Lock()
        self._extras: OrderedDict[str, tuple[str, bytes]] = OrderedDict()   # key -> (ETag, bytes) last read

    def db_path(self, session_id: str) -> Path:
        raise NotImplementedError("a bucket's sessions are reached through using()")

    def publish(self, session_id: str, source: Path, *, replaces: bool = False) -> None:
        if replaces and self.objects.head(f"{session_id}/{DATA}") is None:
            raise SessionDeleted
        self.objects.upload(source, f"{session_id}/{DATA}")
        self.cache.forget(session_id)
        # A delete lists the session's objects and removes them by key: one that ran wholly between the check
        # above and the upload took last-access (using() wrote it) and left the new data: take it back.
        if replaces and self.objects.head(f"{session_id}/{ACCESS}") is None:
            self.objects.delete([f"{session_id}/{DATA}"])
            raise SessionDeleted

    def write_extra(self, session_id: str, name: str, data: bytes) -> None:
        self._extra_path(session_id, name)  # the same names as the local store's
        self.objects.put(f"{session_id}/{name}", data)

    def read_extra(self, session_id: str, name: str) -> bytes | None:
        """The object's bytes; a HEAD each time, and a GET only for a version this process has not read."""
        self._extra_path(session_id, name)  # the same names as the local store's
        key = f"{session_id}/{name}"
        info = self.objects.head(key)
        if info is None:
            return None
        with self._lock:
            known = self._extras.get(key)
        if known is not None and known[0] == info.etag:
            return known[1]
        with self.scratch() as work:
            target = work / "extra"
            if not self.objects.download(key, target):
                return None
            data = target.read_bytes()
        with self._lock:
            self._extras[key] = (info.etag, data)
            self._extras.move_to_end(key)
            while len(self._extras) > EXTRAS_KEPT:
                self._extras.popitem(last=False)
        return data

    def delete_extra(self, session_id: str, name: str) -> None:
        self._extra_path(session_id, name)  # the same names as the local store's
        self.objects.delete([f"{session_id}/{name}"])

    def storage_state(self) -> str:
        return self.objects.state()

    def is_present(self, session_id: str) -> bool:
        """Whether the session still exists, asked of the bucket at most every PRESENCE_SECONDS."""
        with self._lock:
            fresh = time.monotonic() - self._present.get(session_id, float("-inf")) < PRESENCE_SECONDS
        if fresh:
            return True
        present = self.objects.head(f"{session_id}/{DATA}") is not None
        with self._lock:
            self._present[session_id] = time.monotonic()
        if present:
            self._touch(session_id)
        return present

    def ensure_present(self, session_id: str) -> None:
        if not self.is_present(session_id):
            self.cache.forget(session_id)
            raise SessionDeleted

    def _sessions(self, listing: Listing) -> dict[str, float]:
        """Each session with data, and when it was last used (its newest object)."""
        newest: dict[str, float] = defaultdict(float)
        with_data = set()
        for item in listing.objects:
            session_id, _, name = item.key.partition("/")
            if SESSION_ID.match(session_id):
                newest[session_id] = max(newest[session_id], item.modified)
                with_data.update([session_id] if name == DATA else [])
        return {session_id: newest[session_id] for session_id in with_data}

    def live_ids(self) -> list[str]:
        return list(self._sessions(self.objects.listing()))

    def checked_id(self, session_id: object) -> str:
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            raise SessionIdInvalid
        if self.objects.head(f"{session_id}/{DATA}") is None:
            self.cache.forget(session_id)
            raise SessionNotFound
        return session_id

    @contextlib.contextmanager
    def reserve(self) -> Iterator[str]:
        """A slot among MAX_SESSIONS on every machine: a reservation object, counted with the others after it
        is written, so two machines reserving at once may both refuse but never both exceed the limit."""
        with super().reserve() as session_id:
            name = f"{RESERVATIONS}{session_id}"
            self.objects.put(name, b"")
            try:
                listing = self.objects.listing()
                if len(self._sessions(listing)) + self._reservations(listing) > self.max_sessions:
                    raise TooManySessions(self.max_sessions)
                yield session_id
            finally:
                self.objects.delete([name])

    def _reservations(self, listing: Listing) -> int:
        cutoff = listing.store_now - RESERVATION_SECONDS
        return sum(item.key.startswith(RESERVATIONS) and item.modified >= cutoff for item in listing.objects)

    @contextlib.contextmanager
    def using(self, session_id: str) -> Iterator[Path]:
        """The session's file in this machine's cache, fetched when this version is not there yet."""
        if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
            raise SessionIdInvalid
        info = self.objects.head(f"{session_id}/{DATA}")
        if info is None:
            self.cache.forget(session_id)
            raise SessionNotFound
        self.cache.forget_older_data(session_id, info.etag)
        self._touch(session_id)
        fetch = lambda target: self.objects.download(f"{session_id}/{DATA}", target)  # noqa: E731
        with self.cache.held(session_id, info.etag, info.size, fetch) as path:
            yield path

    def _touch(self, session_id: str) -> None:
        every = min(TOUCH_SECONDS, self.ttl_seconds / 4)
        with self._lock:
            if time.monotonic() - self._touched.get(session_id, float("-inf")) < every:
                return
            self._touched[session_id] = time.monotonic()
        self.objects.put(f"{session_id}/{ACCESS}", b"")

    def delete(self, session_id: str, *, only_if_idle: bool = False, older_than: float | None = None) -> bool:
        """Remove every object of the session, then this machine's copies; other machines find it gone at their
        next HEAD. With older_than (cleanup), only while it is still idle by the store's clock."""
        for _attempt in range(3):  # a last-access written while deleting is deleted too
            listing = self.objects.listing(f"{session_id}/")
            if not listing.objects:
                break
            if older_than is not None and self._sessions(listing).get(session_id, float("-inf")) > (
                    listing.store_now - self.ttl_seconds):
                return False  # used again since the cleanup found it idle
            self.objects.delete([item.key for item in listing.objects])
            older_than = None
        self.cache.forget(session_id)
        with self._lock:
            self._present.pop(session_id, None)
            self._touched.pop(session_id, None)
        self.on_delete(session_id)
        return True

    def expired_ids(self, now: float | None = None) -> list[str]:
        """Sessions idle past the TTL by the store's clock, and leftovers of deleted ones (objects without data)."""
        listing = self.objects.listing()
        sessions = self._sessions(listing)
        leftovers = {item.key.partition("/")[0] for item in listing.objects} - set(sessions)
        cutoff = listing.store_now - self.ttl_seconds
        return [sid for sid, used in sessions.items() if used < cutoff] + [
            sid for sid in leftovers if SESSION_ID.match(sid)]

    def drop_copies_of_gone_sessions(self) -> None:
        """Drop this machine's copies of sessions deleted or expired elsewhere; no request when it holds none."""
        if self.cache.cached_ids():
            self._drop_copies_of_gone(self.objects.listing())

    def _drop_copies_of_gone(self, listing: Listing) -> None:
        kept = set(self._sessions(listing))
        for session_id in self.cache.cached_ids() - kept:
            self.cache.forget(session_id)

    def tidy(self) -> None:
        """Drop the cached copies of sessions the bucket no longer holds (deleted or expired elsewhere), and the
        reservations of uploads whose machine died."""
        listing = self.objects.listing()
        self._drop_copies_of_gone(listing)
        stale = [item.key for item in listing.objects if item.key.startswith(RESERVATIONS)
                 and item.modified < listing.store_now - RESERVATION_SECONDS]
        if stale:
            self.objects.delete(stale)
