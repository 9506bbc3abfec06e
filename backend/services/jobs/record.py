"""A render job's record: its state and the validated race it renders, never the body that was sent.

The record holds the RaceRequest the edge produced, as a small dict of plain values (a few hundred
bytes): fields the caller added, padding and the raw spellings of aliases are never stored.
"""
from __future__ import annotations

import dataclasses
import time
import types
import typing
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from backend.services.charts import ATTRIBUTES, METRICS, Attribute, Metric, RaceRequest

ACTIVE = ("queued", "running")


@dataclass
class JobRecord:
    job_id: str
    session_id: str
    request: dict[str, Any]
    frames_total: int
    filename: str
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


def request_to_dict(req: RaceRequest) -> dict[str, Any]:
    """The validated race as plain JSON values: choices by their wire name, dates in ISO form."""
    return _plain(req)


def request_from_dict(data: dict[str, Any]) -> RaceRequest:
    """The RaceRequest that request_to_dict stored."""
    return _typed(RaceRequest, data)


def _plain(value: Any) -> Any:
    if isinstance(value, (Attribute, Metric)):
        return value.wire_name
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return {item.name: _plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    return value


def _typed(kind: Any, value: Any) -> Any:
    """Rebuild a value of the annotated type from its plain form (the inverse of _plain)."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        if value is None:
            return None
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if kind is Attribute:
        return ATTRIBUTES[value]
    if kind is Metric:
        return METRICS[value]
    if kind is date:
        return date.fromisoformat(value)
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{item.name: _typed(hints[item.name], value[item.name])
                       for item in dataclasses.fields(kind) if item.name in value})
    return value
