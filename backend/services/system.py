"""Memory logging with psutil, and cleanup of sessions past their time to live."""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Callable, Iterator

import psutil

from backend.services.allocator import release_free_memory
from backend.services.sessions import SessionStore

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


def cleanup_old_sessions(store: SessionStore, now: float | None = None) -> list[str]:
    """Delete sessions idle for longer than the TTL (a session a request is using is skipped), and
    the scratch folders of requests whose process died."""
    now = time.time() if now is None else now
    removed = [sid for sid in store.expired_ids(now)
               if store.delete(sid, only_if_idle=True, older_than=now - store.ttl_seconds)]
    if removed:
        log.info("Removed %d expired sessions", len(removed))
    abandoned = store.remove_abandoned_scratch()
    if abandoned:
        log.warning("Removed %d scratch folders left by requests that died", abandoned)
    return removed


def start_cleanup_thread(store: SessionStore, also: Callable[[], object] = lambda: None,
                         interval_seconds: float = 60.0) -> threading.Thread:
    """Clean up every interval: expired sessions, then whatever `also` removes (expired job results)."""
    def loop() -> None:
        while True:
            time.sleep(interval_seconds)
            try:
                cleanup_old_sessions(store)
                also()
            except OSError:
                log.warning("Session cleanup failed", exc_info=True)

    thread = threading.Thread(target=loop, name="session-cleanup", daemon=True)
    thread.start()
    return thread
