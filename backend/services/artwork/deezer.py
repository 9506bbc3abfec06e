"""Deezer's public API as an artwork source, no key: artists' pictures, and songs' and albums' covers, by name.

It serves what has no Spotify id (Account data) and artists the keyless Spotify source cannot
find. Only names are sent: an artist's, and a song's or album's title. A picture is taken only from
an item whose names match the ones asked exactly (artwork/names.py); where several artists bear the
name, the one with the most fans on Deezer. Deezer allows about 50 requests per 5 s: each process
keeps to half of that, and Deezer's own "quota exceeded" (error code 4, in a 200 answer) is waited out
within the budget like a 429.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from backend.services.artwork.fetching import RateLimited, RequestFetch, retry_after_of
from backend.services.artwork.names import name_key, same_name, without_featuring
from backend.services.artwork.states import source_key
from backend.services.artwork_store import image_url_of

QUOTA_ERROR = 4          # "Quota limit exceeded"
NO_DATA_ERROR = 800      # "no data": nothing found
QUOTA_WAIT_S = 1.0       # Deezer counts over 5 s: a second frees some of it
REQUESTS_PER_WINDOW, WINDOW_S = 25, 5.0   # per process: two workers together stay within 50 per 5 s
PICTURE_SIZES = (("small", 56), ("medium", 250), ("big", 500), ("xl", 1000))
SEARCHES = {"artist": ("search/artist", "deezer-artists"), "song": ("search", "deezer-songs"),
            "album": ("search/album", "deezer-albums")}



class _Window:
    """At most `limit` requests of this process in any `window_s` seconds, whichever thread sends them: a
    chart's few searches go at once, a long race's are spread out."""

    def __init__(self, limit: int, window_s: float):
        self.limit, self.window_s = limit, window_s
        self._slots: deque[float] = deque()
        self._lock = threading.Lock()

    def wait(self, seconds_left: float) -> None:
        with self._lock:
            now = time.monotonic()
            while self._slots and self._slots[0] <= now - self.window_s:
                self._slots.popleft()
            slot = now if len(self._slots) < self.limit else max(now, self._slots[-self.limit] + self.window_s)
            self._slots.append(slot)
        if slot > now:
            time.sleep(min(slot - now, seconds_left))


_window = _Window(REQUESTS_PER_WINDOW, WINDOW_S)


def _images(item: dict, prefix: str) -> list[list]:
    """An item's pictures, [url, width] from small to xl; Deezer's placeholder (no picture: an empty id in
    the path, ".../artist//250x250-...") is none."""
    found = []
    for size, width in PICTURE_SIZES:
        url = item.get(f"{prefix}_{size}")
        if isinstance(url, str) and url and "//" not in urlsplit(url).path:
            found.append([url, width])
    return found


def _artist_name(item: dict) -> Any:
    artist = item.get("artist")
    return artist.get("name") if isinstance(artist, dict) else None


def _fans(item: dict) -> int:
    fans = item.get("nb_fan")
    return fans if isinstance(fans, int) and not isinstance(fans, bool) else 0


def choose(kind: str, artist: str, title: str | None, items: list) -> dict:
    """The record of the item that matches exactly ({} when none does)."""
    candidates = [item for item in items if isinstance(item, dict)]
    if kind == "artist":
        named = [item for item in candidates if same_name(item.get("name"), artist)]
        named.sort(key=_fans, reverse=True)   # stable: Deezer's order among equals
        return {"images": _images(named[0], "picture")} if named else {}
    for item in candidates:
        titles = (item.get("title"), item.get("title_short"))
        if same_name(_artist_name(item), artist) and any(same_name(t, title) for t in titles):
            cover_of = item.get("album") if kind == "song" else item
            return {"images": _images(cover_of, "cover")} if isinstance(cover_of, dict) else {}
    return {}


def _quoted(text: str) -> str:
    return '"' + " ".join(without_featuring(text).replace('"', " ").split()) + '"'


class DeezerSource:
    name = "deezer"

    def __init__(self, fetch: RequestFetch):
        self.fetch = fetch
        self.key = source_key(fetch.settings, "deezer")

    def can_find(self, kind: str, item: Any) -> bool:
        return bool(name_key(item.artist_name)) and (kind == "artist" or bool(name_key(item.title)))

    def picture_urls(self, kind: str, items: list) -> list[str | None]:
        path, cache_kind = SEARCHES[kind]
        keys = [self._cache_key(item.artist_name, None if kind == "artist" else item.title) for item in items]
        asks: dict[str, Callable[[], dict | None]] = {}
        for cache_key, item in zip(keys, items):
            asks.setdefault(cache_key, lambda item=item: self._search(kind, path, item.artist_name, item.title))
        records = self.fetch.records(self.key, cache_kind, asks)
        hosts = self.fetch.settings.image_hosts
        return [image_url_of((records.get(k) or {}).get("images"), self.fetch.side, hosts) for k in keys]

    @staticmethod
    def _cache_key(artist: str, title: str | None) -> str:
        names = name_key(artist) if title is None else name_key(artist) + "\x1f" + name_key(title)
        return hashlib.sha256(names.encode()).hexdigest()[:40]

    def _search(self, kind: str, path: str, artist: str, title: str | None) -> dict | None:
        if kind == "artist":
            query = without_featuring(artist)
        else:
            query = f"artist:{_quoted(artist)} {'track' if kind == 'song' else 'album'}:{_quoted(title or '')}"
        _window.wait(self.fetch.remaining())
        response = self.fetch.session.get(self.fetch.settings.deezer_url + path, params={"q": query},
                                          timeout=self.fetch.settings.timeout_s, allow_redirects=False)
        if response.status_code == 429:
            raise RateLimited(retry_after_of(response.headers, QUOTA_WAIT_S))
        response.raise_for_status()
        if response.status_code != 200:
            raise ValueError(f"Deezer answered {response.status_code}")
        answer = response.json()
        if not isinstance(answer, dict):
            return None
        error = answer.get("error")
        if isinstance(error, dict) and error.get("code") == QUOTA_ERROR:
            raise RateLimited(QUOTA_WAIT_S)
        if isinstance(error, dict) and error.get("code") == NO_DATA_ERROR:
            return {}
        data = answer.get("data")
        if error is not None or not isinstance(data, list):
            return None   # an error of Deezer's, or not a search answer: asked again next time
        return choose(kind, artist, title, data)
