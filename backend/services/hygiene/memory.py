"""Resident memory: read with psutil, logged around heavy requests, freed back to the system after them."""
from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

import psutil

from backend.services.hygiene.allocator import release_free_memory

log = logging.getLogger(__name__)

MB = 2**20


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / MB


@contextlib.contextmanager
def logged_memory(what: str) -> Iterator[None]:
    """Log resident memory and duration at the start and end of a heavy request, and hand what it
    freed back to the system at the end."""
    started = time.perf_counter()
    log.info("%s: start, rss=%.0f MB", what, rss_mb())
    try:
        yield
    finally:
        release_free_memory()
        log.info("%s: end after %.2f s, rss=%.0f MB", what, time.perf_counter() - started, rss_mb())
