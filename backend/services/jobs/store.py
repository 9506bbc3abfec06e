"""Render jobs: a race rendered in the background, with progress, cancel and a downloadable result.

A job is a small JSON record and, when done, an MP4 under UPLOAD_DIR/jobs, named <session>.<job>.*,
so deleting a session finds its jobs, and every process that shares UPLOAD_DIR (gunicorn workers,
Celery workers on other machines) sees the same state. Every change of state (queue, pickup,
cancel, finish, stale) happens under one lock, after reading the record again. While a job runs,
its renderer rewrites a tiny beat file (time and frames done) every second, from pickup to the
end: a job whose beat stopped (its worker was killed) reads as failed, never as running forever.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from backend.core.errors import ApiError
from backend.core.settings import Settings
from backend.services.jobs.record import ACTIVE, JobRecord
from backend.services.sessions.store import exclusive_lock

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
HEARTBEAT_SECONDS = 1.0
KB = 1024
STALE_ERROR = "The render worker stopped before finishing (it was restarted or killed); start the job again."
_held_locks = threading.local()  # lock files this thread holds: the store's lock is re-entrant per thread


@dataclass(frozen=True)
class JobLimits:
    max_jobs: int = 4                 # queued or running, all sessions
    per_session: int = 2              # queued or running, one session
    videos_per_session: int = 5       # finished videos kept; the oldest goes beyond it
    record_bytes: int = 16 * KB
    ttl_seconds: int = 2700
    stale_seconds: float = 15.0

    @classmethod
    def from_settings(cls, settings: Settings) -> JobLimits:
        return cls(settings.max_jobs, settings.max_jobs_per_session, settings.max_videos_per_session,
                   int(settings.max_job_record_kb * KB), settings.session_ttl_seconds, settings.job_stale_seconds)


class JobStore:
    def __init__(self, root: Path, limits: JobLimits):
        self.root = root / "jobs"
        self.root.mkdir(parents=True, exist_ok=True)
        self.limits = limits

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(16)

    def _path(self, record: JobRecord, suffix: str) -> Path:
        return self.root / f"{record.session_id}.{record.job_id}{suffix}"

    def record_path(self, record: JobRecord) -> Path:
        return self._path(record, ".json")

    def video_path(self, record: JobRecord) -> Path:
        return self._path(record, ".mp4")

    def cancel_path(self, record: JobRecord) -> Path:
        return self._path(record, ".cancel")

    def beat_path(self, record: JobRecord) -> Path:
        return self._path(record, ".beat")

    def work_dir(self, record: JobRecord) -> Path:
        """Where a render keeps its temporary files; removed with the job, even after a killed worker."""
        return self._path(record, ".work")

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Serialise state changes and capacity checks across threads and processes."""
        path = self.root / ".jobs.lock"
        held = _held_locks.__dict__.setdefault("paths", set())
        if path in held:
            yield
            return
        with exclusive_lock(path):
            held.add(path)
            try:
                yield
            finally:
                held.discard(path)

    @staticmethod
    def encoded(record: JobRecord) -> bytes:
        return json.dumps(asdict(record), separators=(",", ":")).encode("utf-8")

    def _write(self, record: JobRecord) -> None:
        """Write atomically: readers never see half a file."""
        _replace_atomically(self.record_path(record), self.encoded(record))

    def _load(self, path: Path) -> JobRecord:
        return JobRecord(**json.loads(path.read_text(encoding="utf-8")))

    def _reload(self, record: JobRecord) -> JobRecord | None:
        """The record as stored now; None once deleted."""
        try:
            return self._load(self.record_path(record))
        except FileNotFoundError:
            return None

    def find(self, job_id: object) -> JobRecord:
        """The job with this id, its progress from the beat file; 400 for a malformed id, 404 for an unknown one."""
        if not isinstance(job_id, str) or not JOB_ID.match(job_id):
            raise ApiError(400, "job_id must be the id that POST /jobs/animation returned.")
        for path in self.root.glob(f"*.{job_id}.json"):
            with contextlib.suppress(FileNotFoundError):
                return self._checked(self._load(path))
        raise ApiError(404, "Unknown or expired job; start it again with POST /jobs/animation.")

    def _beat(self, record: JobRecord) -> tuple[float, int] | None:
        try:
            beat = json.loads(self.beat_path(record).read_text(encoding="utf-8"))
            return float(beat["at"]), int(beat["frames_done"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None

    def _with_progress(self, record: JobRecord) -> tuple[JobRecord, bool]:
        """The record with the frames its beat reports, and whether it has been silent too long."""
        beat = self._beat(record)
        if beat:
            record.frames_done = beat[1]
        else:  # the beat goes only after the final record is written: read that, not stale progress
            current = self._reload(record)
            if current is not None and current.state != "running":
                return current, False
        last_sign_of_life = beat[0] if beat else record.started_at or record.created_at
        return record, time.time() - last_sign_of_life > self.limits.stale_seconds

    def _checked(self, record: JobRecord) -> JobRecord:
        """A running record with its latest progress, or failed when its beat has stopped."""
        if record.state != "running":
            return record
        record, silent = self._with_progress(record)
        if not silent:
            return record
        with self.lock():  # read again: the beat, a cancel or the finish may have come meanwhile
            current = self._reload(record)
            if current is None or current.state != "running":
                return current or record
            current, silent = self._with_progress(current)
            if not silent:
                return current
            current.state, current.error, current.finished_at = "failed", STALE_ERROR, time.time()
            self._write(current)
            self.cancel_path(current).touch()  # should its renderer be alive after all, it stops
            self.beat_path(current).unlink(missing_ok=True)
            shutil.rmtree(self.work_dir(current), ignore_errors=True)
        return current

    def _records(self, session_id: str = "*") -> list[JobRecord]:
        records = []
        for path in self.root.glob(f"{session_id}.*.json"):
            with contextlib.suppress(FileNotFoundError, ValueError, TypeError):
                records.append(self._checked(self._load(path)))
        return records

    def check_capacity(self, session_id: str) -> None:
        """503 with Retry-After when MAX_JOBS jobs, or MAX_JOBS_PER_SESSION of this session's, are active."""
        active = [record for record in self._records() if record.state in ACTIVE]
        if len(active) >= self.limits.max_jobs:
            raise ApiError(503, f"{self.limits.max_jobs} renders are already queued or running; try again shortly.",
                           {"Retry-After": "30"})
        if sum(record.session_id == session_id for record in active) >= self.limits.per_session:
            raise ApiError(503, f"This session already has {self.limits.per_session} renders queued or running; "
                                "wait for one to finish or cancel one with DELETE /jobs/<job_id>.",
                           {"Retry-After": "30"})

    def add(self, record: JobRecord) -> None:
        """Queue a new record within the budgets: 413 when it is too large, 503 when too many are active."""
        size = len(self.encoded(record))
        if size > self.limits.record_bytes:
            raise ApiError(413, f"This render's job record would take {size:,} bytes; the limit is "
                                f"{self.limits.record_bytes:,} (MAX_JOB_RECORD_KB).")
        with self.lock():
            self.check_capacity(record.session_id)
            self._write(record)

    def claim(self, record: JobRecord) -> bool:
        """Take a queued job for rendering (False when it was cancelled or deleted meanwhile)."""
        with self.lock():
            current = self._reload(record)
            if current is None or current.state != "queued":
                return False
            record.state = "running"
            record.started_at = time.time()
            self.beat(record)
            self._write(record)
            return True

    def beat(self, record: JobRecord) -> None:
        """Say the render is alive and how far it got: a few bytes, not the whole record."""
        beat = json.dumps({"at": time.time(), "frames_done": record.frames_done}).encode("ascii")
        _replace_atomically(self.beat_path(record), beat)

    def finish(self, record: JobRecord) -> None:
        """Store a render's final state, unless its job was deleted or declared dead meanwhile."""
        with self.lock():
            current = self._reload(record)
            if current is None:
                self.remove(record)  # the job or its session was deleted: leave nothing behind
                return
            self.cancel_path(record).unlink(missing_ok=True)
            if current.state != "running":  # declared dead meanwhile: it stays failed, without a video
                self.beat_path(record).unlink(missing_ok=True)
                self.video_path(record).unlink(missing_ok=True)
                return
            if record.state == "done":
                # before the record says done: whoever sees it done sees the oldest video gone
                self._make_room_for_a_video(record.session_id)
            record.finished_at = time.time()
            self._write(record)
            self.beat_path(record).unlink(missing_ok=True)  # after the record: progress never reads back

    def _make_room_for_a_video(self, session_id: str) -> None:
        """Delete the session's oldest finished jobs until one more video fits in MAX_VIDEOS_PER_SESSION."""
        done = sorted((r for r in self._records(session_id) if r.state == "done"), key=lambda r: r.finished_at or 0)
        for old in done[:max(0, len(done) - self.limits.videos_per_session + 1)]:
            self.remove(old)

    def cancel(self, record: JobRecord, wait_seconds: float = 2.0) -> JobRecord:
        """Stop a job: a queued one at once, a running one within wait_seconds (its renderer cleans up).

        Under the lock a worker takes to pick a job up: a queued job is either cancelled before the
        pickup (which then skips it) or seen running and told to stop, never both.
        """
        with self.lock():
            current = self._reload(record) or record
            if current.state == "queued":
                current.state, current.finished_at = "cancelled", time.time()
                self._write(current)
            if current.state != "running":
                return current
            self.cancel_path(record).touch()
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            record = self.find(record.job_id)
            if record.state not in ACTIVE:
                break
            time.sleep(0.05)
        return record

    def cancel_requested(self, record: JobRecord) -> bool:
        return self.cancel_path(record).exists() or not self.record_path(record).exists()

    def remove(self, record: JobRecord) -> None:
        """Delete every file of the job: record, video, beat, cancel flag, work folder."""
        with self.lock():
            for path in self.root.glob(f"{record.session_id}.{record.job_id}.*"):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)

    def remove_session(self, session_id: str) -> None:
        """Delete a session's jobs at once; running renders notice within a quarter second and stop."""
        with self.lock():
            for record in self._records(session_id):
                self.remove(record)

    def remove_expired(self, now: float | None = None) -> int:
        cutoff = (time.time() if now is None else now) - self.limits.ttl_seconds
        removed = 0
        for record in self._records():
            with contextlib.suppress(FileNotFoundError):
                if record.state not in ACTIVE and self.record_path(record).stat().st_mtime < cutoff:
                    self.remove(record)
                    removed += 1
        return removed


def _replace_atomically(target: Path, data: bytes) -> None:
    partial = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    partial.write_bytes(data)
    partial.replace(target)
