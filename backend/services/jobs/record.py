"""A render job's record: its state and the validated race it renders, never the body that was sent.

The record holds the RaceRequest the edge produced, as a small dict of plain values (a few hundred
bytes, backend/services/charts/requests.py): fields the caller added, padding and the raw spellings of
aliases are never stored.
"""
from __future__ import annotations

import time
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

ACTIVE = ("queued", "running")


@dataclass
class JobRecord:
    job_id: str
    session_id: str
    request: dict[str, Any]
    frames_total: int
    filename: str
    _: KW_ONLY
    state: str = "queued"
    frames_done: int = 0
    error: str | None = None
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None

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


STATES = ("queued", "running", "done", "failed", "cancelled")
_TEXT_FIELDS = ("job_id", "session_id", "filename")
_TIME_FIELDS = ("created_at", "started_at", "finished_at")


def parse_record(data: Any) -> JobRecord | None:
    """A record read back from its file; None unless it has the shape and the types this service writes."""
    if not isinstance(data, dict) or data.get("state") not in STATES:
        return None
    try:
        record = JobRecord(**data)
    except TypeError:  # a field missing or one too many
        return None
    numbers_ok = all(isinstance(getattr(record, name), (int, float)) or getattr(record, name) is None
                     for name in _TIME_FIELDS)
    counts_ok = all(isinstance(getattr(record, name), int) and not isinstance(getattr(record, name), bool)
                    for name in ("frames_total", "frames_done"))
    texts_ok = all(isinstance(getattr(record, name), str) for name in _TEXT_FIELDS)
    shape_ok = isinstance(record.request, dict) and isinstance(record.error, (str, type(None)))
    return record if numbers_ok and counts_ok and texts_ok and shape_ok and record.created_at is not None else None
