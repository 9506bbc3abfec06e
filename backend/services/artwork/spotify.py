"""The Spotify Web API as an artwork source (spotipy, client credentials): pictures through a played track's id.

Imported only when the Web API is a source and has credentials: spotipy costs a worker about 20 MB
that a deployment without them never needs. Lookups use the several-ids endpoints (50 ids a call)
until Spotify refuses them with 403, as it does for apps in development mode since 2026; that is
remembered in the sources' shared state for a day, so no worker spends a call to learn it again,
and items are then asked one per call, four at a time. A 429 with a day-long Retry-After (the
development-mode quota, reason QUOTA_EXCEEDED) pauses the source for every process
(artwork/fetching.py); so does a 403 to single-item calls or a refused token: the app itself is refused.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.exceptions import SpotifyException
from spotipy.oauth2 import SpotifyOauthError

from backend.services.artwork.fetching import RateLimited, Refused, RequestFetch, retry_after_of
from backend.services.artwork.settings import ArtworkSettings
from backend.services.artwork.states import source_key
from backend.services.artwork_store import artist_id_of, image_url_of, match_items, single_record

log = logging.getLogger(__name__)

BATCH_SIZE = 50                   # Spotify's limit for /tracks?ids= and /artists?ids=
BATCH_REFUSAL_KEPT_S = 86400.0    # then the several-ids endpoints are tried once more (the app may have moved on)
# spotipy logs every failed call's URL at ERROR (and tokens at DEBUG); track ids are listening data.
logging.getLogger("spotipy").setLevel(logging.CRITICAL)

_token_lock = threading.Lock()
_token_caches: dict[tuple[str, str, str], MemoryCacheHandler] = {}



def _token_cache_for(settings: ArtworkSettings) -> MemoryCacheHandler:
    """One token cache per credentials, so the token (valid an hour) is shared by requests."""
    key = (settings.client_id, settings.client_secret, settings.token_url)
    with _token_lock:
        return _token_caches.setdefault(key, MemoryCacheHandler())


def _translated(call: Callable[..., Any], *args: Any) -> Any:
    """spotipy's errors as the fetching's: 429 waits, a refused token refuses the source."""
    try:
        return call(*args)
    except SpotifyException as error:
        if error.http_status == 429:
            raise RateLimited(retry_after_of(error.headers)) from error
        raise
    except SpotifyOauthError as error:
        answer = getattr(error.__context__, "response", None)
        status = getattr(answer, "status_code", None)
        if status == 429:
            raise RateLimited(retry_after_of(answer.headers)) from error
        if status in (400, 401, 403):
            raise Refused(f"token refused: {error.error or status}") from error
        raise


class SpotifySource:
    name = "spotify"

    def __init__(self, fetch: RequestFetch):
        self.fetch = fetch
        self.settings = fetch.settings
        self.key = source_key(fetch.settings, "spotify")
        self._client: spotipy.Spotify | None = None
        self._gave_up = False

    def can_find(self, kind: str, item: Any) -> bool:
        return item.track_id is not None

    def picture_urls(self, kind: str, items: list) -> list[str | None]:
        ids = [item.track_id for item in items]
        tracks = self._lookups("tracks", ids)
        hosts = self.settings.image_hosts
        if kind == "artist":
            artist_ids = [artist_id_of(tracks.get(tid), item.artist_name) for tid, item in zip(ids, items)]
            artists = self._lookups("artists", artist_ids)
            return [image_url_of((artists.get(aid) or {}).get("images"), self.fetch.side, hosts) for aid in artist_ids]
        return [image_url_of((tracks.get(tid) or {}).get("album_images"), self.fetch.side, hosts) for tid in ids]

    def _call(self, call: Callable[..., Any], *args: Any) -> Future:
        return self.fetch.submit(self.fetch.call, self.key, _translated, call, *args)

    def _spotify(self) -> spotipy.Spotify | None:
        """A client with a token, fetched within the budget; None when Spotify cannot be reached or is paused."""
        if self._client is None and not self._gave_up and self.fetch.is_open(self.key):
            auth = spotipy.SpotifyClientCredentials(self.settings.client_id, self.settings.client_secret,
                                                    requests_session=self.fetch.session,
                                                    requests_timeout=self.settings.timeout_s,
                                                    cache_handler=_token_cache_for(self.settings))
            auth.OAUTH_TOKEN_URL = self.settings.token_url  # spotipy reads it from self: a stand-in can answer
            future = self._call(auth.get_access_token, False)
            self.fetch.wait([future])
            if future.done() and future.exception() is None:
                client = spotipy.Spotify(auth=future.result(), requests_session=self.fetch.session,
                                         requests_timeout=self.settings.timeout_s)
                client.prefix = self.settings.api_url
                self._client = client
            else:
                self._gave_up = True
                log.warning("No Spotify token within the artwork budget: %s",
                            type(future.exception()).__name__ if future.done() else "timed out")
        return self._client

    def _lookups(self, kind: str, ids: list[str | None]) -> dict[str, dict]:
        """Cached answers for the ids; the missing ones fetched (batched where Spotify allows it)."""
        found: dict[str, dict] = {}
        for spotify_id in dict.fromkeys(i for i in ids if i):
            cached = self.fetch.cache.lookup(kind, spotify_id)
            if cached is not None:
                found[spotify_id] = cached
        missing = [i for i in dict.fromkeys(ids) if i and i not in found]
        client = self._spotify() if missing else None
        if client is None:
            return found
        singles = missing if self._batches_refused() else self._batched(client, kind, missing, found)
        futures = {spotify_id: self._call(self._fetch_one, client, kind, spotify_id) for spotify_id in singles}
        self.fetch.wait(futures.values())
        for spotify_id, future in futures.items():
            if future.done() and future.exception() is None and future.result() is not None:
                found[spotify_id] = future.result()
        return found

    def _batches_refused(self) -> bool:
        refused_at = self.fetch.states.read(self.key).batches_refused_at
        return time.time() - refused_at < BATCH_REFUSAL_KEPT_S

    def _batched(self, client: spotipy.Spotify, kind: str, missing: list[str], found: dict[str, dict]) -> list[str]:
        """Fetch in batches of 50; returns the ids left for single calls (all of them after a 403)."""
        chunks = [missing[i:i + BATCH_SIZE] for i in range(0, len(missing), BATCH_SIZE)]
        futures = [self._call(self._fetch_batch, client, kind, chunk) for chunk in chunks]
        self.fetch.wait(futures)
        left: list[str] = []
        for chunk, future in zip(chunks, futures):
            error = future.exception() if future.done() else None
            if future.done() and error is None:
                found.update(future.result())
            elif isinstance(error, SpotifyException) and error.http_status == 403:
                left += chunk
        if left:
            self.fetch.states.update(self.key, lambda state: replace(state, batches_refused_at=time.time()))
            log.info("Spotify refused a batch lookup (403): fetching one %s at a time", kind.rstrip("s"))
        return left

    def _fetch_batch(self, client: spotipy.Spotify, kind: str, chunk: list[str]) -> dict[str, dict]:
        answer = client.tracks(chunk) if kind == "tracks" else client.artists(chunk)
        parsed = match_items(kind, chunk, answer.get(kind) if isinstance(answer, dict) else None)
        if len(parsed) < len(chunk):
            log.info("A %s answer lacked or garbled %d of %d items", kind, len(chunk) - len(parsed), len(chunk))
        for spotify_id, record in parsed.items():
            self.fetch.cache.store_lookup(kind, spotify_id, record)
        return parsed

    def _fetch_one(self, client: spotipy.Spotify, kind: str, spotify_id: str) -> dict | None:
        try:
            parsed = single_record(kind, spotify_id,
                                   client.track(spotify_id) if kind == "tracks" else client.artist(spotify_id))
        except SpotifyException as error:
            if error.http_status == 403:
                raise Refused("403 to a single-item lookup") from error
            if error.http_status not in (400, 404):
                raise
            parsed = {}  # an id Spotify does not know: remembered as "no picture"
        if parsed is not None:  # a garbled answer is not remembered: the next chart asks again
            self.fetch.cache.store_lookup(kind, spotify_id, parsed)
        return parsed
