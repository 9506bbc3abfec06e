"""Removing sessions past their time to live, and scratch folders of requests whose process died."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from backend.services.sessions.errors import StorageUnavailable
from backend.services.sessions.store import SessionStore

if TYPE_CHECKING:
    from backend.services.sessions.bucket import BucketSessionStore

log = logging.getLogger(__name__)


def cleanup_old_sessions(store: SessionStore, now: float | None = None) -> list[str]:
    """Delete sessions idle for longer than the TTL (a session a request is using is skipped), and
    the scratch folders of requests whose process died."""
    now = time.time() if now is None else now
    removed = [sid for sid in store.expired_ids(now)
               if store.delete(sid, only_if_idle=True, older_than=now - store.ttl_seconds)]
    if removed:
        log.info("Removed %d expired sessions", len(removed))
    store.tidy()
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
            except (OSError, StorageUnavailable):
                log.warning("Session cleanup failed", exc_info=True)

    thread = threading.Thread(target=loop, name="session-cleanup", daemon=True)
    thread.start()
    return thread


def start_cache_check_thread(store: BucketSessionStore, interval_seconds: float) -> threading.Thread:
    """With sessions in a bucket: drop this machine's copies of sessions deleted or expired elsewhere within
    interval_seconds, not only at the next cleanup (a deleted session's data leaves every machine soon)."""
    def loop() -> None:
        while True:
            time.sleep(interval_seconds)
            try:
                store.drop_copies_of_gone_sessions()
            except (OSError, StorageUnavailable):
                log.warning("Checking the cached sessions failed", exc_info=True)

    thread = threading.Thread(target=loop, name="session-cache-check", daemon=True)
    thread.start()
    return thread
