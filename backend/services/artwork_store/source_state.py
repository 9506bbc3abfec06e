"""Each artwork source's state, shared by every process through one small file per source beside the cache.

A source is paused when it asked for a longer wait than a request's budget (a 429 whose Retry-After
is a day: Spotify's quota lockout), when it refused the service outright, or when it could not be
reached; and the Web API remembers that it refused its several-ids endpoints. Processes and restarts
read the same files, so no worker spends a call to learn any of it again. A file is written whole
(a temporary file, then os.replace) under a lock, and read defensively: a damaged or strange file
means "ok", never an error, and no pause read from a file lasts more than MAX_PAUSE_S.
"""
from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backend.core.shared_files import opened_lock, parse_bounded_json, read_shared_bytes

log = logging.getLogger(__name__)

REASONS = ("quota", "refused", "unreachable")
MAX_PAUSE_S = 7 * 86400.0
MAX_STRIKES = 32
KEY = re.compile(r"^[a-z]+-[0-9a-f]{1,32}$")
STATE_MAX_BYTES = 4096  # a state is about 100 bytes


@dataclass(frozen=True)
class SourceState:
    paused_until: float = 0.0          # time.time(); until then no process calls the source
    reason: str = ""                   # one of REASONS while paused
    strikes: int = 0                   # requests in a row that could not reach the source
    batches_refused_at: float = 0.0    # when the Web API last refused its several-ids endpoints

    def paused(self, now: float | None = None) -> bool:
        return self.paused_until > (time.time() if now is None else now)

    def describe(self, now: float | None = None) -> str:
        """What /health shows: ok, unreachable, or paused until a UTC time."""
        if not self.paused(now):
            return "ok"
        if self.reason == "unreachable":
            return "unreachable"
        until = datetime.fromtimestamp(self.paused_until, UTC).replace(microsecond=0)
        return f"paused until {until.isoformat().replace('+00:00', 'Z')}"


def _seconds(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
        return float(value)
    return 0.0


def parse_state(raw: bytes | None, now: float) -> SourceState:
    """The state a file holds; the default ("ok") for anything damaged, in part or in whole."""
    try:
        data = parse_bounded_json(raw) if raw else {}
    except ValueError:
        return SourceState()
    if not isinstance(data, dict):
        return SourceState()
    reason = data.get("reason") if data.get("reason") in REASONS else ""
    strikes = data.get("strikes")
    return SourceState(paused_until=min(_seconds(data.get("paused_until")), now + MAX_PAUSE_S) if reason else 0.0,
                       reason=reason,
                       strikes=strikes if isinstance(strikes, int) and 0 <= strikes <= MAX_STRIKES else 0,
                       batches_refused_at=min(_seconds(data.get("batches_refused_at")), now))


class SourceStates:
    """The state files of every source, in one folder (created on the first write)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        if not KEY.match(key):
            raise ValueError(f"not a source key: {key!r}")
        return self.folder / f"{key}.json"

    def read(self, key: str) -> SourceState:
        return parse_state(read_shared_bytes(self._path(key), STATE_MAX_BYTES), time.time())

    def update(self, key: str, change: Callable[[SourceState], SourceState]) -> tuple[SourceState, SourceState]:
        """Apply change to the stored state under the folder's lock; (before, after). When the folder cannot
        be written, the change still holds for the caller (after), just not for other processes."""
        before = self.read(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with opened_lock(self.folder / ".lock") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                before = self.read(key)
                after = change(before)
                if after != before:
                    self._write(self._path(key), after)
                return before, after
        except OSError:
            log.warning("Could not record the state of an artwork source", exc_info=True)
            return before, change(before)

    @staticmethod
    def _write(path: Path, state: SourceState) -> None:
        temporary = path.with_name(f".tmp-{uuid.uuid4().hex}")
        try:
            temporary.write_text(json.dumps(asdict(state)), encoding="utf-8")
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)


def paused_for(state: SourceState, seconds: float, reason: str, now: float | None = None) -> SourceState:
    """The state paused for `seconds` from now (never shortening a longer pause already there)."""
    until = (time.time() if now is None else now) + min(seconds, MAX_PAUSE_S)
    if state.paused() and state.paused_until >= until:
        return state
    return replace(state, paused_until=until, reason=reason)
