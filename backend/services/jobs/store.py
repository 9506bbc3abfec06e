"""Render jobs: a race rendered in the background, with progress, cancel and a downloadable result.

Every change of state (queue, pickup, cancel, finish, stale) happens under one lock, after reading
the record again (backend/services/jobs/files.py keeps the files). While a job runs,
its renderer rewrites a tiny beat file (time and frames done) every second, from pickup to the
end: a job whose beat stopped (its worker was killed) reads as failed, never as running forever.
Every time the store stamps or judges comes from its clock (backend/services/jobs/clock.py).
"""
from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from backend.core.settings import Settings
from backend.services.jobs.clock import Clock, SystemClock
from backend.services.jobs.errors import (
    JobIdInvalid,
    JobNotFound,
    JobRecordTooLarge,
    TooManyRenders,
    TooManySessionRenders,
)
from backend.services.jobs.files import JobFiles
from backend.services.jobs.record import ACTIVE, JobRecord

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
HEARTBEAT_SECONDS = 1.0
KB = 1024
STALE_ERROR = "The render worker stopped before finishing (it was restarted or killed); start the job again."


@dataclass(frozen=True, kw_only=True)
class JobLimits:
    max_jobs: int                 # queued or running, all sessions
    per_session: int              # queued or running, one session
    videos_per_session: int       # finished videos kept; the oldest goes beyond it
    record_bytes: int
    ttl_seconds: int
    stale_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> JobLimits:
        return cls(max_jobs=settings.max_jobs, per_session=settings.max_jobs_per_session,
                   videos_per_session=settings.max_videos_per_session,
                   record_bytes=int(settings.max_job_record_kb * KB), ttl_seconds=settings.session_ttl_seconds,
                   stale_seconds=settings.job_stale_seconds)


class JobStore(JobFiles):
    """Every change of a job's state (queue, pickup, cancel, finish, stale) under one lock, after reading
    the record again."""

    def __init__(self, root: Path, limits: JobLimits, clock: Clock | None = None):
        super().__init__(root, clock or SystemClock())
        self.limits = limits

    def find(self, job_id: object) -> JobRecord:
        """The job with this id, its progress from the beat file; JobIdInvalid or JobNotFound."""
        if not isinstance(job_id, str) or not JOB_ID.match(job_id):
            raise JobIdInvalid
        found = self.find_stored(job_id)
        if found is None:
            raise JobNotFound
        return self._checked(found)

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
        return record, self.clock.now() - last_sign_of_life > self.limits.stale_seconds

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
            current.state, current.error, current.finished_at = "failed", STALE_ERROR, self.clock.now()
            self._write(current)
            # Should its renderer be alive after all, it stops: it reads the record, which no longer says running.
            self.drop_cancel(current)
            self.drop_beat(current)
            self.drop_items(current)
            shutil.rmtree(self.work_dir(current), ignore_errors=True)
        return current

    def _records(self, session_id: str = "*") -> list[JobRecord]:
        return [self._checked(record) for record in self.stored(session_id)]

    def check_capacity(self, session_id: str) -> None:
        """TooManyRenders when MAX_JOBS jobs are active, TooManySessionRenders when MAX_JOBS_PER_SESSION of this
        session's are."""
        active = [record for record in self._records() if record.state in ACTIVE]
        if len(active) >= self.limits.max_jobs:
            raise TooManyRenders(self.limits.max_jobs)
        if sum(record.session_id == session_id for record in active) >= self.limits.per_session:
            raise TooManySessionRenders(self.limits.per_session)

    def add(self, record: JobRecord, items: list[dict]) -> None:
        """Queue a new record (and its race's final ranking) within the budgets: JobRecordTooLarge, or
        check_capacity's refusals."""
        size = len(self.encoded(record))
        if size > self.limits.record_bytes:
            raise JobRecordTooLarge(size, self.limits.record_bytes)
        record.created_at = self.clock.now()
        with self.lock():
            self.check_capacity(record.session_id)
            try:
                self.write_items(record, items)  # first: whoever finds the record finds its items
                self._write(record)
            except OSError:  # a full disk: no ranking without its record
                self.drop_items(record)
                raise

    def claim(self, record: JobRecord) -> bool:
        """Take a queued job for rendering (False when it was cancelled or deleted meanwhile)."""
        with self.lock():
            current = self._reload(record)
            if current is None or current.state != "queued":
                return False
            record.state = "running"
            record.started_at = self.clock.now()
            self.beat(record)
            self._write(record)
            return True

    def finish(self, record: JobRecord) -> None:
        """Store a render's final state, unless its job was deleted or declared dead meanwhile."""
        with self.lock():
            current = self._reload(record)
            if current is None:
                self.remove(record)  # the job or its session was deleted: leave nothing behind
                return
            self.drop_cancel(record)
            if current.state != "running" or record.state != "done":  # a ranking only goes with a video
                self.drop_items(record)
            if current.state != "running":  # declared dead meanwhile: it stays failed, without a video
                self.drop_beat(record)
                self.drop_video(record)
                return
            if record.state == "done":
                # before the record says done: whoever sees it done sees the oldest video gone
                self._make_room_for_a_video(record.session_id)
            record.finished_at = self.clock.now()
            self._write(record)
            self.drop_beat(record)  # after the record: progress never reads back

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
                current.state, current.finished_at = "cancelled", self.clock.now()
                self._write(current)
                self.drop_items(current)
            if current.state != "running":
                return current
            self.flag_cancel(record)
        deadline = time.monotonic() + wait_seconds  # a real render stopping: real time
        while time.monotonic() < deadline:
            record = self.find(record.job_id)
            if record.state not in ACTIVE:
                break
            time.sleep(0.05)
        return record

    def cancel_requested(self, record: JobRecord) -> bool:
        """Whether the render must stop: cancelled, deleted, or declared dead while it was silent."""
        if self.cancel_flagged(record):
            return True
        current = self._reload(record)
        return current is None or current.state != "running"

    def queued(self) -> list[JobRecord]:
        """Every queued job, oldest first: after a restart, the embedded executor's queue is rebuilt from these."""
        return sorted((record for record in self._records() if record.state == "queued"),
                      key=lambda record: record.created_at)

    def remove(self, record: JobRecord) -> None:
        """Delete every file of the job: record, video, beat, cancel flag, work folder."""
        with self.lock():
            self.remove_files(record)

    def remove_session(self, session_id: str) -> None:
        """Delete a session's jobs at once; running renders notice within a quarter second and stop."""
        with self.lock():
            for record in self._records(session_id):
                self.remove(record)

    def remove_expired(self, now: float | None = None) -> int:
        cutoff = (self.clock.now() if now is None else now) - self.limits.ttl_seconds
        removed = 0
        for record in self._records():
            written = self.written_at(record)
            if record.state not in ACTIVE and written is not None and written < cutoff:
                self.remove(record)
                removed += 1
        return removed
