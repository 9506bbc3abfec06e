"""The job store's time: when a job started, finished or last beat, and the heartbeat's pauses.

The store takes its clock (SystemClock unless told otherwise) so that a caller can move job time on without
waiting for it: a render whose beat stopped reads as failed, a slow phase covered by the beat, at once.
"""
from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def pause(self, stop: threading.Event, seconds: float) -> bool:
        """Wait `seconds`, or less if `stop` is set meanwhile; whether it is set."""
        ...


class SystemClock:
    """The machine's wall clock, and pauses as long as they say."""

    def now(self) -> float:
        return time.time()

    def pause(self, stop: threading.Event, seconds: float) -> bool:
        return stop.wait(seconds)
