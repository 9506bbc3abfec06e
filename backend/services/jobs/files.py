"""Where a render job's files live and how they are written: whole files replaced atomically, under one lock.

A job is a small JSON record and, when done, an MP4 under UPLOAD_DIR/jobs, named <session>.<job>.*,
so deleting a session finds its jobs, and every process that shares UPLOAD_DIR (gunicorn workers,
Celery workers on other machines) sees the same state.

The job store (store.py) reaches them only through the operations below the path helpers, so another
place to keep them (shared.py: redis and the session bucket) replaces those operations and nothing else.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from backend.core.shared_files import read_shared_json
from backend.services.jobs.clock import Clock
from backend.services.jobs.record import JobRecord, parse_record
from backend.services.sessions import exclusive_lock

READ_MAX_BYTES = 1024 * 1024  # a record is held to MAX_JOB_RECORD_KB, a ranking and a beat are smaller still
_held_locks = threading.local()  # lock files this thread holds: the store's lock is re-entrant per thread


class JobFiles:
    """A job's files under <root>/jobs: its record, beat, cancel flag, video and work folder."""

    def __init__(self, root: Path, clock: Clock):
        self.root = root / "jobs"
        self.clock = clock
        self.root.mkdir(parents=True, exist_ok=True)

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

    def items_path(self, record: JobRecord) -> Path:
        """The race's final ranking, kept beside the record: names of any length stay out of its budget."""
        return self._path(record, ".items.json")

    def write_items(self, record: JobRecord, items: list[dict]) -> None:
        _replace_atomically(self.items_path(record), json.dumps(items, ensure_ascii=False).encode("utf-8"))

    def read_items(self, record: JobRecord) -> list[dict] | None:
        items = read_shared_json(self.items_path(record), READ_MAX_BYTES)
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            return None
        return items

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

    def _load(self, path: Path) -> JobRecord | None:
        """The record a file holds; None when it is gone or is not a record this service wrote."""
        return parse_record(read_shared_json(path, READ_MAX_BYTES))

    def _reload(self, record: JobRecord) -> JobRecord | None:
        """The record as stored now; None once deleted."""
        return self._load(self.record_path(record))

    def _beat(self, record: JobRecord) -> tuple[float, int] | None:
        beat = read_shared_json(self.beat_path(record), READ_MAX_BYTES)
        try:
            return float(beat["at"]), int(beat["frames_done"])
        except (ValueError, KeyError, TypeError):
            return None

    def beat(self, record: JobRecord) -> None:
        """Say the render is alive and how far it got: a few bytes, not the whole record."""
        beat = json.dumps({"at": self.clock.now(), "frames_done": record.frames_done}).encode("ascii")
        _replace_atomically(self.beat_path(record), beat)

    def find_stored(self, job_id: str) -> JobRecord | None:
        for path in self.root.glob(f"*.{job_id}.json"):
            record = self._load(path)
            if record is not None:
                return record
        return None

    def stored(self, session_id: str = "*") -> list[JobRecord]:
        """Every stored record (of one session), as written."""
        records = []
        for path in self.root.glob(f"{session_id}.*.json"):
            record = self._load(path)
            if record is not None:
                records.append(record)
        return records

    def written_at(self, record: JobRecord) -> float | None:
        try:
            return self.record_path(record).stat().st_mtime
        except FileNotFoundError:
            return None

    def drop_items(self, record: JobRecord) -> None:
        self.items_path(record).unlink(missing_ok=True)

    def drop_beat(self, record: JobRecord) -> None:
        self.beat_path(record).unlink(missing_ok=True)

    def flag_cancel(self, record: JobRecord) -> None:
        self.cancel_path(record).touch()

    def drop_cancel(self, record: JobRecord) -> None:
        self.cancel_path(record).unlink(missing_ok=True)

    def cancel_flagged(self, record: JobRecord) -> bool:
        return self.cancel_path(record).exists() or not self.record_path(record).exists()

    def keep_video(self, record: JobRecord, rendered: Path) -> None:
        rendered.replace(self.video_path(record))

    def drop_video(self, record: JobRecord) -> None:
        self.video_path(record).unlink(missing_ok=True)

    def video_file(self, record: JobRecord) -> Path:
        """A local file of the finished video, to send."""
        return self.video_path(record)

    def remove_files(self, record: JobRecord) -> None:
        for path in self.root.glob(f"{record.session_id}.{record.job_id}.*"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _replace_atomically(target: Path, data: bytes) -> None:
    partial = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    finally:  # a full disk leaves no half-written file
        partial.unlink(missing_ok=True)
