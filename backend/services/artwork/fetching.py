"""One request's fetching: its deadline, its thread pool, its bounded sessions, and what it learns of each source.

Every network call runs on a small pool and the request only ever waits on that pool until its
deadline, so a slow, refusing or unreachable source costs at most the budget. Each call to a source
goes through `call`, which keeps the sources' shared state (backend/services/artwork_store/
source_state.py): a 429 asking for more than the request's whole budget, or a refusal of the
service as such, pauses the source for every process; a source that gave this request no answer at
all, because it could not be reached, is paused for ARTWORK_UNREACHABLE_PAUSE_SECONDS (doubled on
each failure in a row, to at most an hour), so an offline machine pays one short wait, not one per
chart. Each pause is logged once, by the process that records it.
"""
from __future__ import annotations

import itertools
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Any

import requests

from backend.services.artwork.settings import ArtworkSettings
from backend.services.artwork.states import source_states
from backend.services.artwork_store import ArtworkCache, SourceState, paused_for
from backend.services.bounded_http.requests_session import bounded_session

log = logging.getLogger(__name__)

POOL_WORKERS = 4             # parallel calls: enough to hide latency, polite to the sources
MAX_RATE_LIMIT_WAITS = 3
CONNECT_TIMEOUT_S = 2.0      # a source that takes longer to accept a connection counts as unreachable
REFUSED_PAUSE_S = 3600.0     # a source that refuses the service as such (403 to every call, bad credentials)
MAX_UNREACHABLE_PAUSE_S = 3600.0


class RateLimited(Exception):
    """A 429, or a source's own way of saying "too many requests", with the wait it asked for."""

    def __init__(self, retry_after: float):
        super().__init__(f"rate limited for {retry_after:.0f} s")
        self.retry_after = retry_after


class Refused(Exception):
    """The source refuses the service as a whole (not one item): no point asking it again for a while."""


class SourcePaused(Exception):
    """The source is paused (by this request or another process): no call was made."""


def retry_after_of(headers: Mapping[str, str] | None, default: float = 1.0) -> float:
    """Seconds from a Retry-After header (delta-seconds; an HTTP date counts as the default)."""
    try:
        value = float((headers or {}).get("Retry-After", default))
    except (TypeError, ValueError):
        return default
    return value if math.isfinite(value) and value >= 0 else default


@dataclass
class _Tally:
    answered: int = 0        # calls the source answered, with any status
    unreachable: int = 0     # calls it never answered although the budget allowed it
    waiting: int = 0         # calls begun with the budget to spare and not answered yet
    closed: bool = False     # paused, by this request or found so


class RequestFetch:
    """One request's fetching: its deadline, its pool, its sessions (made only when needed)."""

    def __init__(self, settings: ArtworkSettings, cache: ArtworkCache, side: int):
        self.settings = settings
        self.cache = cache
        self.side = side
        self.states = source_states(settings)
        self.deadline = time.monotonic() + settings.timeout_s
        self.calls = 0
        self.session = bounded_session(self.deadline, settings.max_response_bytes, CONNECT_TIMEOUT_S)
        self.picture_session = bounded_session(self.deadline, settings.max_image_bytes, CONNECT_TIMEOUT_S)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._tallies: dict[str, _Tally] = {}

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def close(self) -> None:
        if self._pool is not None:
            # a call still running ends at the deadline, when its socket is shut (bounded_http)
            self._pool.shutdown(wait=False, cancel_futures=True)

    def submit(self, call: Callable[..., Any], *args: Any) -> Future:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(POOL_WORKERS, thread_name_prefix="artwork")
        self.calls += 1
        return self._pool.submit(call, *args)

    def wait(self, futures: Iterable[Future]) -> None:
        wait(list(futures), timeout=self.remaining())

    def _tally(self, key: str) -> _Tally:
        with self._lock:
            return self._tallies.setdefault(key, _Tally())

    def is_open(self, key: str) -> bool:
        """Whether the source may be called: not paused by this request, nor in its shared state."""
        tally = self._tally(key)
        if not tally.closed and self.states.read(key).paused():
            tally.closed = True
        return not tally.closed

    def call(self, key: str, call: Callable[..., Any], *args: Any) -> Any:
        """call(*args) as a call to the source `key`, waiting out a 429 while the budget allows."""
        tally = self._tally(key)
        # a call begun late that times out has run out of the request's budget, not proved the source silent
        early = self.remaining() >= self.settings.timeout_s / 2
        self._count(tally, "waiting", early)
        try:
            for attempt in itertools.count():
                if tally.closed:
                    raise SourcePaused(key)
                try:
                    result = call(*args)
                except (requests.ConnectionError, requests.Timeout):
                    self._count(tally, "unreachable", early)
                    raise
                except RateLimited as limited:
                    self._count(tally, "answered")
                    self._wait_out(key, limited, attempt)
                    continue
                except Refused as refused:
                    self._count(tally, "answered")
                    self.pause(key, REFUSED_PAUSE_S, "refused", str(refused))
                    raise SourcePaused(key) from refused
                except Exception:
                    self._count(tally, "answered")   # an error status or a bad answer: the source is there
                    raise
                self._count(tally, "answered")
                return result
        finally:
            self._count(tally, "waiting", early, -1)

    def records(self, key: str, kind: str, asks: Mapping[str, Callable[[], dict | None]]) -> dict[str, dict]:
        """Records of the cache keys: cached, else asked of the source `key` (in parallel, as time allows).

        An ask returns the record to keep ({} for "the source has no picture": remembered too), or None for
        an answer that cannot be trusted (not remembered: the next chart asks again).
        """
        found: dict[str, dict] = {}
        for cache_key in asks:
            cached = self.cache.lookup(kind, cache_key)
            if cached is not None:
                found[cache_key] = cached
        missing = [cache_key for cache_key in asks if cache_key not in found]
        if not missing or not self.is_open(key) or self.remaining() <= 0:
            return found
        futures = {cache_key: self.submit(self.call, key, asks[cache_key]) for cache_key in missing}
        self.wait(futures.values())
        for cache_key, future in futures.items():
            record = future.result() if future.done() and future.exception() is None else None
            if record is not None:
                self.cache.store_lookup(kind, cache_key, record)
                found[cache_key] = record
        return found

    def _count(self, tally: _Tally, what: str, counts: bool = True, step: int = 1) -> None:
        if counts:
            with self._lock:
                setattr(tally, what, getattr(tally, what) + step)

    def _wait_out(self, key: str, limited: RateLimited, attempt: int) -> None:
        if limited.retry_after > self.settings.timeout_s:
            self.pause(key, limited.retry_after, "quota", f"it asked to wait {limited.retry_after:.0f} s")
            raise SourcePaused(key) from limited
        if limited.retry_after >= self.remaining() or attempt == MAX_RATE_LIMIT_WAITS:
            raise limited
        log.info("An artwork source asked to wait %.1f s", limited.retry_after)
        time.sleep(limited.retry_after)

    def pause(self, key: str, seconds: float, reason: str, why: str) -> None:
        """Close the source for every process for `seconds`; logged once, by whoever records it."""
        self._tally(key).closed = True
        before, after = self.states.update(key, lambda state: paused_for(state, seconds, reason))
        if after.paused() and not before.paused():
            log.warning("Artwork source %s paused until %s (%s): charts are drawn with cached pictures and the "
                        "next source meanwhile", key.split("-")[0], after.describe().removeprefix("paused until "),
                        why)

    def settle(self, key: str) -> None:
        """After a source's turn: forget its failures once it answered; pause it when it could not be reached."""
        tally = self._tally(key)
        if tally.answered:
            state = self.states.read(key)
            if state.strikes or state.reason == "unreachable":
                self.states.update(key, _reachable)
        elif (tally.unreachable or tally.waiting) and not tally.closed:
            pause_s = self.settings.unreachable_pause_s
            before, after = self.states.update(key, lambda state: _unreachable(state, pause_s))
            tally.closed = True
            if not before.paused():
                log.warning("Artwork source %s could not be reached: not asked again for %.0f s",
                            key.split("-")[0], after.paused_until - time.time())


def _reachable(state: SourceState) -> SourceState:
    if state.reason == "unreachable":
        state = replace(state, paused_until=0.0, reason="")
    return replace(state, strikes=0)


def _unreachable(state: SourceState, base_pause_s: float) -> SourceState:
    if state.paused():
        return state   # another process got there first
    strikes = state.strikes + 1
    pause_s = min(base_pause_s * 2 ** min(strikes - 1, 16), max(base_pause_s, MAX_UNREACHABLE_PAUSE_S))
    return replace(paused_for(state, pause_s, "unreachable"), strikes=strikes)
