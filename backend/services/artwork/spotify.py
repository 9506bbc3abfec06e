"""The network side of artwork: a Spotify Web API client (spotipy) and picture downloads for one request.

Imported only when artwork is switched on (SPOTIFY_CLIENT_ID/SECRET): spotipy costs a worker
about 20 MB that a deployment without credentials never needs. Every call goes through a bounded
session (backend/services/bounded_http): each answer is over by the request's artwork deadline,
however slowly it comes, and read within its byte cap, as sent and inflated.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Callable, Iterable, Mapping

import spotipy
from PIL import Image
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.exceptions import SpotifyException

from backend.services.artwork.pictures import square_picture
from backend.services.artwork.settings import ArtworkSettings
from backend.services.artwork_store import ArtworkCache, match_items, single_record
from backend.services.bounded_http.requests_session import bounded_session

log = logging.getLogger(__name__)

BATCH_SIZE = 50            # Spotify's limit for /tracks?ids= and /artists?ids=
POOL_WORKERS = 4           # parallel single-item calls: enough to hide latency, polite to Spotify
MAX_RATE_LIMIT_WAITS = 3
# spotipy logs every failed call's URL at ERROR (and tokens at DEBUG); track ids are listening data.
logging.getLogger("spotipy").setLevel(logging.CRITICAL)


class _RateLimited(Exception):
    def __init__(self, retry_after: float):
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


_token_lock = threading.Lock()
_token_caches: dict[tuple[str, str, str], MemoryCacheHandler] = {}
_batch_refused: set[tuple[str, str]] = set()   # (API URL, client id): batch endpoints answered 403


def _token_cache_for(settings: ArtworkSettings) -> MemoryCacheHandler:
    """One token cache per credentials, so the token (valid an hour) is shared by requests."""
    key = (settings.client_id, settings.client_secret, settings.token_url)
    with _token_lock:
        return _token_caches.setdefault(key, MemoryCacheHandler())


class SpotifyFetch:
    """One request's fetching: its deadline, its pool, its Spotify client (all made only when needed)."""

    def __init__(self, settings: ArtworkSettings, cache: ArtworkCache, side: int):
        self.settings = settings
        self.cache = cache
        self.side = side
        self.deadline = time.monotonic() + settings.timeout_s
        self.calls = 0
        self._pool: ThreadPoolExecutor | None = None
        self._client: spotipy.Spotify | None = None
        # no retry adapter: a 429 comes back to us with its Retry-After
        self._session = bounded_session(self.deadline, settings.max_response_bytes)
        self._picture_session = bounded_session(self.deadline, settings.max_image_bytes)
        self._gave_up = False

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def close(self) -> None:
        if self._pool is not None:
            # a call still running ends at the deadline, when its socket is shut (bounded_http)
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _submit(self, call: Callable[..., Any], *args: Any) -> Future:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(POOL_WORKERS, thread_name_prefix="artwork")
        self.calls += 1
        return self._pool.submit(self._patiently, call, *args)

    def _patiently(self, call: Callable[..., Any], *args: Any) -> Any:
        """Run a call, waiting out a 429's Retry-After when the budget allows."""
        for _ in range(MAX_RATE_LIMIT_WAITS):
            try:
                return call(*args)
            except SpotifyException as error:
                if error.http_status != 429:
                    raise
                retry_after = _retry_after(error.headers)
            except _RateLimited as error:
                retry_after = error.retry_after
            if retry_after >= self.remaining():
                raise _RateLimited(retry_after)
            log.info("Spotify asked to wait %.1f s", retry_after)
            time.sleep(retry_after)
        return call(*args)

    def _wait(self, futures: Iterable[Future]) -> None:
        wait(list(futures), timeout=self.remaining())

    def _spotify(self) -> spotipy.Spotify | None:
        """A client with a token, fetched within the budget; None when Spotify cannot be reached."""
        if self._client is None and not self._gave_up:
            auth = spotipy.SpotifyClientCredentials(self.settings.client_id, self.settings.client_secret,
                                                    requests_session=self._session,
                                                    requests_timeout=self.settings.timeout_s,
                                                    cache_handler=_token_cache_for(self.settings))
            auth.OAUTH_TOKEN_URL = self.settings.token_url  # spotipy reads it from self: a stand-in can answer
            future = self._submit(auth.get_access_token, False)
            self._wait([future])
            if future.done() and future.exception() is None:
                client = spotipy.Spotify(auth=future.result(), requests_session=self._session,
                                         requests_timeout=self.settings.timeout_s)
                client.prefix = self.settings.api_url
                self._client = client
            else:
                self._gave_up = True
                log.warning("No Spotify token within the artwork budget: %s",
                            future.exception() if future.done() else "timed out")
        return self._client

    def lookups(self, kind: str, ids: list[str | None]) -> dict[str, dict]:
        """Cached answers for the ids; the missing ones fetched (batched where Spotify allows it)."""
        found: dict[str, dict] = {}
        for spotify_id in dict.fromkeys(i for i in ids if i):
            cached = self.cache.lookup(kind, spotify_id)
            if cached is not None:
                found[spotify_id] = cached
        missing = [i for i in dict.fromkeys(ids) if i and i not in found]
        client = self._spotify() if missing else None
        if client is None:
            return found
        refused_key = (self.settings.api_url, self.settings.client_id)
        singles = missing if refused_key in _batch_refused else self._batched(client, kind, missing, found)
        futures = {spotify_id: self._submit(self._fetch_one, client, kind, spotify_id) for spotify_id in singles}
        self._wait(futures.values())
        for spotify_id, future in futures.items():
            if future.done() and future.exception() is None and future.result() is not None:
                found[spotify_id] = future.result()
        return found

    def _batched(self, client: spotipy.Spotify, kind: str, missing: list[str], found: dict[str, dict]) -> list[str]:
        """Fetch in batches of 50; returns the ids left for single calls (all of them after a 403)."""
        chunks = [missing[i:i + BATCH_SIZE] for i in range(0, len(missing), BATCH_SIZE)]
        futures = [self._submit(self._fetch_batch, client, kind, chunk) for chunk in chunks]
        self._wait(futures)
        left: list[str] = []
        for chunk, future in zip(chunks, futures):
            error = future.exception() if future.done() else None
            if future.done() and error is None:
                found.update(future.result())
            elif isinstance(error, SpotifyException) and error.http_status == 403:
                _batch_refused.add((self.settings.api_url, self.settings.client_id))
                left += chunk
        if left:
            log.info("Spotify refused a batch lookup (403): fetching one %s at a time", kind.rstrip("s"))
        return left

    def _fetch_batch(self, client: spotipy.Spotify, kind: str, chunk: list[str]) -> dict[str, dict]:
        answer = client.tracks(chunk) if kind == "tracks" else client.artists(chunk)
        parsed = match_items(kind, chunk, answer.get(kind) if isinstance(answer, dict) else None)
        if len(parsed) < len(chunk):
            log.info("A %s answer lacked or garbled %d of %d items", kind, len(chunk) - len(parsed), len(chunk))
        for spotify_id, record in parsed.items():
            self.cache.store_lookup(kind, spotify_id, record)
        return parsed

    def _fetch_one(self, client: spotipy.Spotify, kind: str, spotify_id: str) -> dict | None:
        try:
            parsed = single_record(kind, spotify_id,
                                   client.track(spotify_id) if kind == "tracks" else client.artist(spotify_id))
        except SpotifyException as error:
            if error.http_status not in (400, 404):
                raise
            parsed = {}  # an id Spotify does not know: remembered as "no picture"
        if parsed is not None:  # a garbled answer is not remembered: the next chart asks again
            self.cache.store_lookup(kind, spotify_id, parsed)
        return parsed

    def pictures(self, urls: list[str | None]) -> dict[str, Image.Image]:
        found: dict[str, Image.Image] = {}
        missing = []
        for url in dict.fromkeys(u for u in urls if u):
            cached = self.cache.picture(url, self.side)
            if cached is not None:
                found[url] = cached
            else:
                missing.append(url)
        futures = {url: self._submit(self._download, url) for url in missing if self.remaining() > 0}
        self._wait(futures.values())
        for url, future in futures.items():
            if future.done() and future.exception() is None:
                found[url] = future.result()
            elif future.done():
                log.info("An artwork download failed: %s", type(future.exception()).__name__)
        return found

    def _download(self, url: str) -> Image.Image:
        response = self._picture_session.get(url, timeout=self.settings.timeout_s, allow_redirects=False)
        if response.status_code == 429:
            raise _RateLimited(_retry_after(response.headers))
        response.raise_for_status()
        if response.status_code != 200:
            raise ValueError(f"picture answered {response.status_code}")  # a redirect leads off the allowed hosts
        picture = square_picture(response.content, response.headers.get("Content-Type"), self.settings.max_pixels,
                                 self.side)
        self.cache.store_picture(url, self.side, picture)
        return picture


def _retry_after(headers: Mapping[str, str] | None) -> float:
    try:
        return max(0.0, float((headers or {}).get("Retry-After", 1)))
    except ValueError:
        return 1.0
