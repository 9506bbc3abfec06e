"""Usage events to Supabase (table user_events), sent off the request path.

Events carry sizes, counts, timings, chart choices and outcomes only: never names, listening
data, IPs or session ids (record() keeps only the properties named in FIELDS). Without
SUPABASE_URL/SUPABASE_KEY nothing is sent, no thread runs and nothing is logged. A slow or
failing Supabase never delays or fails a request: record() only puts the event on a bounded
queue (a full queue drops it), and one background thread sends the events, each insert bounded
as a whole (ANALYTICS_TIMEOUT_SECONDS from sending to the last byte of the answer, however slowly
Supabase trickles it) and its answer read at most to ANALYTICS_MAX_RESPONSE_KB. Failures are logged
once per burst, then at most every FAILURE_LOG_INTERVAL_S while they last, with counts.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from backend.core.settings import Settings

log = logging.getLogger(__name__)

TABLE = "user_events"
QUEUE_SIZE = 1000
FAILURE_LOG_INTERVAL_S = 60.0
# The only properties an event may carry; anything else passed to record() is left out.
FIELDS = frozenset({"format", "rows", "files", "attribute", "metric", "top_n", "frames", "bytes", "years",
                    "theme", "pictures", "duration_s", "ok", "status"})
_STOP = object()


class Analytics:
    def __init__(self, settings: Settings):
        url, key = settings.supabase_url, settings.supabase_key
        self.enabled = bool(url and key)
        self._url, self._key, self._timeout_s = url, key, settings.analytics_timeout_seconds
        # an insert with return=minimal answers an empty body; errors are small JSON
        self._max_response_bytes = int(settings.analytics_max_response_kb * 1024)
        self._queue: queue.Queue[Any] = queue.Queue(QUEUE_SIZE)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._dropped = 0  # events refused by the full queue, since the last report
        self._failed = 0  # events Supabase did not take, since the last report
        self._failing = False  # inside a burst of failures
        self._last_report = 0.0

    def record(self, event: str, **fields: Any) -> None:
        """Queue one event; returns at once whatever Supabase is doing."""
        if not self.enabled:
            return
        properties = {name: value for name, value in fields.items() if name in FIELDS}
        self._start_sender()
        try:
            self._queue.put_nowait({"event": event, "properties": properties})
        except queue.Full:
            with self._lock:
                self._dropped += 1

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until queued events are sent or given up on (for tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks

    def close(self, timeout: float = 1.0) -> None:
        """Stop sending: unsent events are dropped, the call in flight (if any) may finish later."""
        self.enabled = False
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
            self._queue.task_done()
        if self._thread is not None and self._thread.is_alive():
            try:
                self._queue.put_nowait(_STOP)
            except queue.Full:  # a record() raced in; the daemon thread then just idles
                return
            self._thread.join(timeout)

    def _start_sender(self) -> None:
        # Started on first use, not in __init__: a thread started before a fork does not run in the child.
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._send_forever, name="analytics", daemon=True)
                self._thread.start()

    def _connect(self):
        from supabase import create_client
        from supabase.lib.client_options import SyncClientOptions

        from backend.services.bounded_http.httpx_client import bounded_client

        # Our own httpx client: its transport bounds each insert as a whole (httpx's timeouts are per read)
        # and reads at most the cap of its answer.
        http = bounded_client(self._timeout_s, self._max_response_bytes)
        options = SyncClientOptions(httpx_client=http, auto_refresh_token=False, persist_session=False)
        try:
            return create_client(self._url, self._key, options), http
        except Exception:  # e.g. a SUPABASE_URL that is not http(s)://...
            http.close()
            raise

    def _send_forever(self) -> None:
        client, http = None, None
        while True:
            row = self._queue.get()
            try:
                if row is _STOP:
                    if http is not None:
                        http.close()
                    return
                if client is None:
                    client, http = self._connect()
                # return=minimal: an insert-only row-level security policy allows no read-back.
                client.table(TABLE).insert(row, returning="minimal").execute()
                self._delivered()
            except Exception as error:  # any client or network failure: count it, log once per burst
                self._undelivered(error)
            finally:
                self._queue.task_done()

    def _delivered(self) -> None:
        with self._lock:
            if not self._failing:
                return
            failed, dropped = self._failed, self._dropped
            self._failing, self._failed, self._dropped = False, 0, 0
        log.info("Usage events reach Supabase again (%d more not sent, %d dropped on a full queue)",
                 failed, dropped)

    def _undelivered(self, error: Exception) -> None:
        if not self.enabled:  # closed: the call in flight was cut short on purpose
            return
        now = time.monotonic()
        with self._lock:
            self._failed += 1
            if self._failing and now - self._last_report < FAILURE_LOG_INTERVAL_S:
                return
            failed, dropped = self._failed, self._dropped
            self._failing, self._last_report, self._failed, self._dropped = True, now, 0, 0
        log.warning("Usage events are not reaching Supabase (%s); %d not sent, %d dropped on a full queue "
                    "since the last report; while this lasts it is reported at most every %.0f s",
                    _describe(error), failed, dropped, FAILURE_LOG_INTERVAL_S)


def _describe(error: Exception) -> str:
    """The error's kind, and Supabase's code and message when it answered (our events hold no user data)."""
    parts = [str(part) for part in (getattr(error, "code", None), getattr(error, "message", None)) if part]
    return f"{type(error).__name__}: {' '.join(parts) or error}"[:300]

