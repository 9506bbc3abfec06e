"""Jobs every machine sees (SESSION_STORE=s3 with JOB_BACKEND=celery): records, beats, cancel flags and rankings
in redis (CELERY_BROKER_URL), finished videos in the session bucket as <session>/jobs/<job>.mp4, so a session's
deletion takes its videos with it and any machine sends them (from its cache, fetched once).

Only the operations of JobFiles change; the state machine in store.py (every change under one lock, after
reading the record again) is the same, with the lock a redis lock that expires should its holder die.
"""
from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import redis

from backend.core.settings import Settings
from backend.services.jobs.clock import Clock
from backend.services.jobs.errors import JobNotFound
from backend.services.jobs.record import JobRecord
from backend.services.jobs.store import JobLimits, JobStore
from backend.services.sessions import BucketSessionStore, StorageUnavailable

LOCK_SECONDS = 30.0      # a lock whose holder died frees itself after this
VIDEO_SUFFIX = ".mp4"
_held = threading.local()


def video_name(record: JobRecord) -> str:
    return f"{record.session_id}/jobs/{record.job_id}{VIDEO_SUFFIX}"


class SharedJobStore(JobStore):
    def __init__(self, settings: Settings, sessions: BucketSessionStore, clock: Clock | None = None):
        self.redis = redis.Redis.from_url(settings.celery_broker_url, socket_timeout=settings.s3_timeout_seconds,
                                          socket_connect_timeout=settings.s3_timeout_seconds)
        self.namespace = f"{settings.s3_prefix}jobs:"
        self.sessions = sessions
        super().__init__(sessions.root, JobLimits.from_settings(settings), clock)

    def _key(self, job_id: str, part: str) -> str:
        return f"{self.namespace}{job_id}:{part}"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        if getattr(_held, "depth", 0):  # re-entrant per thread, as the file lock is
            _held.depth += 1
            try:
                yield
            finally:
                _held.depth -= 1
            return
        with self._redis(), self.redis.lock(f"{self.namespace}lock", timeout=LOCK_SECONDS, blocking_timeout=10):
            _held.depth = 1
            try:
                yield
            finally:
                _held.depth = 0

    @contextlib.contextmanager
    def _redis(self) -> Iterator[None]:
        try:
            yield
        except (redis.ConnectionError, redis.TimeoutError, redis.exceptions.LockError) as error:
            raise StorageUnavailable from error

    def _write(self, record: JobRecord) -> None:
        with self._redis():
            self.redis.pipeline().set(self._key(record.job_id, "record"), self.encoded(record)).sadd(
                f"{self.namespace}index", f"{record.session_id}.{record.job_id}").execute()

    def _reload(self, record: JobRecord) -> JobRecord | None:
        return self.find_stored(record.job_id)

    def find_stored(self, job_id: str) -> JobRecord | None:
        with self._redis():
            stored = self.redis.get(self._key(job_id, "record"))
        return JobRecord(**json.loads(stored)) if stored else None

    def stored(self, session_id: str = "*") -> list[JobRecord]:
        with self._redis():
            members = [m.decode() for m in self.redis.smembers(f"{self.namespace}index")]
            wanted = [m.split(".", 1)[1] for m in members if session_id == "*" or m.startswith(f"{session_id}.")]
            values = self.redis.mget([self._key(job_id, "record") for job_id in wanted]) if wanted else []
        return [JobRecord(**json.loads(value)) for value in values if value]

    def written_at(self, record: JobRecord) -> float | None:
        current = self.find_stored(record.job_id)
        return None if current is None else current.finished_at or current.created_at

    def write_items(self, record: JobRecord, items: list[dict]) -> None:
        with self._redis():
            self.redis.set(self._key(record.job_id, "items"), json.dumps(items, ensure_ascii=False))

    def read_items(self, record: JobRecord) -> list[dict] | None:
        with self._redis():
            stored = self.redis.get(self._key(record.job_id, "items"))
        return json.loads(stored) if stored else None

    def drop_items(self, record: JobRecord) -> None:
        self._drop(record, "items")

    def _beat(self, record: JobRecord) -> tuple[float, int] | None:
        with self._redis():
            stored = self.redis.get(self._key(record.job_id, "beat"))
        if not stored:
            return None
        beat = json.loads(stored)
        return float(beat["at"]), int(beat["frames_done"])

    def beat(self, record: JobRecord) -> None:
        with self._redis():
            self.redis.set(self._key(record.job_id, "beat"),
                           json.dumps({"at": self.clock.now(), "frames_done": record.frames_done}))

    def drop_beat(self, record: JobRecord) -> None:
        self._drop(record, "beat")

    def flag_cancel(self, record: JobRecord) -> None:
        with self._redis():
            self.redis.set(self._key(record.job_id, "cancel"), b"1")

    def drop_cancel(self, record: JobRecord) -> None:
        self._drop(record, "cancel")

    def cancel_flagged(self, record: JobRecord) -> bool:
        with self._redis():
            flagged, stored = self.redis.mget(self._key(record.job_id, "cancel"), self._key(record.job_id, "record"))
        return bool(flagged) or not stored

    def _drop(self, record: JobRecord, part: str) -> None:
        with self._redis():
            self.redis.delete(self._key(record.job_id, part))

    def keep_video(self, record: JobRecord, rendered: Path) -> None:
        self.sessions.objects.upload(rendered, video_name(record))
        rendered.unlink(missing_ok=True)

    def drop_video(self, record: JobRecord) -> None:
        self.sessions.objects.delete([video_name(record)])

    def video_file(self, record: JobRecord) -> Path:
        """The video copied into this machine's cache (once), from the bucket."""
        info = self.sessions.objects.head(video_name(record))
        if info is None:  # deleted with its session since the record was read
            raise JobNotFound
        fetch = lambda target: self.sessions.objects.download(video_name(record), target)  # noqa: E731
        with self.sessions.cache.held(f"{record.session_id}.{record.job_id}", info.etag, info.size, fetch,
                                      VIDEO_SUFFIX) as path:
            return path

    def remove_files(self, record: JobRecord) -> None:
        with self._redis():
            self.redis.pipeline().delete(*(self._key(record.job_id, part) for part in (
                "record", "items", "beat", "cancel"))).srem(
                f"{self.namespace}index", f"{record.session_id}.{record.job_id}").execute()
        self.drop_video(record)
        for path in self.sessions.cache.root.glob(f"{record.session_id}.{record.job_id}.*"):
            path.unlink(missing_ok=True)
        super().remove_files(record)  # the work folder on this machine


