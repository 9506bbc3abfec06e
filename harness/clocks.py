"""The job store's clock in tests: real time plus whatever the test moved it on (advance), so a stale job or a
phase longer than JOB_STALE_SECONDS takes no real waiting.

A jump never skips a heartbeat: advance() moves on a little at a time and, whenever a pause on the clock
(the heartbeat's) has come due, waits until its thread has done its work and paused again, as it would
have had the time really passed. A thread whose pause came due always pauses again or ends (the heartbeat's
loop), so the wait ends.
"""
from __future__ import annotations

import threading
import time

STEP_SECONDS = 0.25
CATCH_UP_SECONDS = 30.0  # real time a heartbeat may take to write its beat, however busy the machine


class JobClock:
    def __init__(self) -> None:
        self.shift = 0.0
        self._changed = threading.Condition()
        self._pausing: dict[int, float] = {}  # thread id -> the clock time its pause ends
        self._due: set[int] = set()  # threads whose pause ended and that have not paused again

    def now(self) -> float:
        return time.time() + self.shift

    def pause(self, stop: threading.Event, seconds: float) -> bool:
        me = threading.get_ident()
        with self._changed:
            self._due.discard(me)
            self._pausing[me] = self.now() + seconds
            self._changed.notify_all()  # advance() may be waiting for this thread to pause again
            try:
                while not stop.is_set() and self.now() < self._pausing[me]:
                    self._changed.wait(min(0.05, max(self._pausing[me] - self.now(), 0.001)))
                if not stop.is_set():
                    self._due.add(me)
            finally:
                del self._pausing[me]
                self._changed.notify_all()
        return stop.is_set()

    def advance(self, seconds: float) -> None:
        """Move the clock on by `seconds`, letting every pause it passes end in turn."""
        left = seconds
        while left > 0:
            step = min(STEP_SECONDS, left)
            with self._changed:
                self.shift += step
                self._changed.notify_all()
                caught_up = self._changed.wait_for(
                    lambda: not self._due and all(end > self.now() for end in self._pausing.values()),
                    CATCH_UP_SECONDS)
            if not caught_up:
                raise AssertionError("a heartbeat did not pause again after its pause ended")
            left -= step

    def reset(self) -> None:
        """Back to real time (for stores beside processes that keep real time, as Celery workers do)."""
        with self._changed:
            self.shift = 0.0
            self._changed.notify_all()
