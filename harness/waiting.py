"""Waiting for something another thread or process does, without a fixed sleep."""
from __future__ import annotations

import time
from collections.abc import Callable

import requests


def eventually(condition: Callable[[], object], seconds: float) -> bool:
    """Whether condition() holds within `seconds`, asked every 50 ms (and once more at the end)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def job_state(url: str, job_id: str, states: tuple[str, ...] = ("done", "failed", "cancelled"),
              timeout: float = 120.0) -> dict:
    """The job's status from a running service at `url` once its state is one of `states` (asked every 0.1 s);
    AssertionError with the last status when it never gets there."""
    deadline, status = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        status = requests.get(f"{url}/jobs/{job_id}", timeout=30).json()
        if status["state"] in states:
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached {states}: {status}")
