"""Running checks (client gone, session deleted, job cancelled) while frames pass, so a render stops early."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

CHECK_SECONDS = 0.25
Item = TypeVar("Item")


def until_stopped(items: Iterable[Item], check: Callable[[], None],
                  check_seconds: float = CHECK_SECONDS) -> Iterator[Item]:
    """Pass items through, running check (which raises to stop them) at most every check_seconds."""
    last_check = time.monotonic()
    for item in items:
        now = time.monotonic()
        if now - last_check >= check_seconds:
            last_check = now
            check()
        yield item
