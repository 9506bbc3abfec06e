"""Usage events to Supabase (table user_events), sent off the request path.

Events carry sizes, counts and timings only: never names, listening data, IPs or session ids.
Without SUPABASE_URL/SUPABASE_KEY nothing is sent. A slow or failing Supabase never delays or
fails a request: events go through a bounded queue to one background thread, and are dropped
when the queue is full.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

TABLE = "user_events"
QUEUE_SIZE = 1000
FAILURE_LOG_INTERVAL_S = 60.0


class Analytics:
    def __init__(self, url: str = "", key: str = ""):
        self.enabled = bool(url and key)
        self._url, self._key = url, key
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(QUEUE_SIZE)
        self._last_failure_log = 0.0
        self._suppressed = 0
        if self.enabled:
            threading.Thread(target=self._send_forever, name="analytics", daemon=True).start()

    def record(self, event: str, **fields: Any) -> None:
        """Queue one event; returns at once whatever Supabase is doing."""
        if not self.enabled:
            return
        try:
            self._queue.put_nowait({"event": event, "properties": fields})
        except queue.Full:
            self._suppressed += 1

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until queued events are sent or dropped (for tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks

    def _send_forever(self) -> None:
        client = None
        while True:
            row = self._queue.get()
            try:
                if client is None:
                    from supabase import create_client
                    client = create_client(self._url, self._key)
                client.table(TABLE).insert(row).execute()
            except Exception as error:  # any client or network failure: log once per burst, carry on
                self._log_failure(error)
            finally:
                self._queue.task_done()

    def _log_failure(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_failure_log >= FAILURE_LOG_INTERVAL_S:
            log.warning("Analytics events are not reaching Supabase (%s); %d more failures since last report",
                        type(error).__name__, self._suppressed)
            self._last_failure_log, self._suppressed = now, 0
        else:
            self._suppressed += 1
