"""Render jobs: a race rendered in the background, with progress, cancel and a downloadable result.

A job is a JSON record and, when done, an MP4 under UPLOAD_DIR/jobs, named <session>.<job>.*, so
deleting a session finds its jobs, and every process that shares UPLOAD_DIR (gunicorn workers,
Celery workers on other machines) sees the same state. The render writes a heartbeat every second:
a job whose heartbeat stopped (its worker was killed) reads as failed, never as running forever.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from backend.core.errors import ApiError
from backend.services.sessions import exclusive_lock

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
ACTIVE = ("queued", "running")
HEARTBEAT_SECONDS = 1.0


@dataclass
class JobRecord:
    job_id: str
    session_id: str
    body: dict[str, Any]
    frames_total: int
    filename: str
    state: str = "queued"
    frames_done: int = 0
    error: str | None = None
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    heartbeat_at: float | None = None

    @property
    def progress(self) -> float:
        return min(1.0, self.frames_done / self.frames_total) if self.frames_total else 0.0

    def eta_seconds(self, now: float) -> float | None:
        if self.state != "running" or not self.started_at or not self.frames_done:
            return None
        rate = self.frames_done / max(now - self.started_at, 1e-6)
        return round((self.frames_total - self.frames_done) / rate, 1)

    def public(self, now: float | None = None) -> dict[str, Any]:
        now = time.time() if now is None else now
        answer: dict[str, Any] = {"job_id": self.job_id, "state": self.state, "frames_done": self.frames_done,
                                  "frames_total": self.frames_total, "progress": round(self.progress, 4),
                                  "eta_seconds": self.eta_seconds(now)}
        if self.error:
            answer["error"] = self.error
        if self.state == "done":
            answer["video_url"] = f"/jobs/{self.job_id}/video"
        return answer


class JobStore:
    def __init__(self, root: Path, max_jobs: int, ttl_seconds: int, stale_seconds: float):
        self.root = root / "jobs"
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_jobs = max_jobs
        self.ttl_seconds = ttl_seconds
        self.stale_seconds = stale_seconds

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

    def work_dir(self, record: JobRecord) -> Path:
        """Where a render keeps its temporary files; removed with the job, even after a killed worker."""
        return self._path(record, ".work")

    def save(self, record: JobRecord) -> None:
        """Write the record atomically: readers never see half a file."""
        target = self.record_path(record)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(asdict(record)), encoding="utf-8")
        partial.replace(target)

    def find(self, job_id: object) -> JobRecord:
        """The job with this id; 400 for a malformed id, 404 for an unknown or expired one."""
        if not isinstance(job_id, str) or not JOB_ID.match(job_id):
            raise ApiError(400, "job_id must be the id that POST /jobs/animation returned.")
        matches = list(self.root.glob(f"*.{job_id}.json"))
        if not matches:
            raise ApiError(404, "Unknown or expired job; start it again with POST /jobs/animation.")
        return self._mark_stale(self._load(matches[0]))

    def _load(self, path: Path) -> JobRecord:
        return JobRecord(**json.loads(path.read_text(encoding="utf-8")))

    def _mark_stale(self, record: JobRecord) -> JobRecord:
        if record.state == "running" and time.time() - (record.heartbeat_at or 0) > self.stale_seconds:
            record.state = "failed"
            record.error = "The render worker stopped before finishing (it was restarted or killed); start the job again."
            self.save(record)
            shutil.rmtree(self.work_dir(record), ignore_errors=True)
        return record

    def active_count(self) -> int:
        count = 0
        for path in self.root.glob("*.json"):
            try:
                if self._mark_stale(self._load(path)).state in ACTIVE:
                    count += 1
            except (OSError, ValueError):
                continue
        return count

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """Serialise capacity checks across processes."""
        return exclusive_lock(self.root / ".jobs.lock")

    def cancel(self, record: JobRecord, wait_seconds: float = 2.0) -> JobRecord:
        """Stop a job: a queued one at once, a running one within wait_seconds (its renderer cleans up)."""
        if record.state == "queued":
            record.state = "cancelled"
            self.save(record)
            return record
        self.cancel_path(record).touch()
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            record = self.find(record.job_id)
            if record.state not in ACTIVE:
                break
            time.sleep(0.05)
        return record

    def cancel_requested(self, record: JobRecord) -> bool:
        return self.cancel_path(record).exists()

    def remove(self, record: JobRecord) -> None:
        for suffix in (".json", ".mp4", ".cancel"):
            self._path(record, suffix).unlink(missing_ok=True)
        shutil.rmtree(self.work_dir(record), ignore_errors=True)

    def remove_session(self, session_id: str) -> None:
        """Delete a session's jobs; running ones are told to stop and clean up after themselves."""
        for path in self.root.glob(f"{session_id}.*.json"):
            record = self._load(path)
            if record.state in ACTIVE:
                self.cancel_path(record).touch()
            self.remove(record)

    def remove_expired(self, now: float | None = None) -> int:
        cutoff = (time.time() if now is None else now) - self.ttl_seconds
        removed = 0
        for path in self.root.glob("*.json"):
            record = self._load(path)
            if record.state not in ACTIVE and path.stat().st_mtime < cutoff:
                self.remove(record)
                removed += 1
        return removed
