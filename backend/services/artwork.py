"""Artist pictures and album covers from the Spotify Web API, within a time budget per request.

Every network call runs on a small thread pool and the request only ever waits on that pool
until its deadline, so a slow, refusing or unreachable Spotify costs at most the budget: what
arrived is drawn, the rest is colour-only. Lookups and pictures go to a shared disk cache first,
so a chart drawn before makes no call at all (not even for a token). Every answer is bounded too:
read whole before the deadline, capped in bytes (ARTWORK_MAX_RESPONSE_KB for the API,
ARTWORK_MAX_IMAGE_KB for a picture) and in pixels, and trusted one item at a time
(backend/services/artwork_records.py).
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from PIL import Image

from backend.services.artwork_cache import ArtworkCache
from backend.services.artwork_records import artist_id_of, image_url_of

if TYPE_CHECKING:
    from backend.services.spotify_fetch import SpotifyFetch

log = logging.getLogger(__name__)

TRACK_URI = re.compile(r"^spotify:track:([0-9A-Za-z]{1,64})$")
DEFAULT_IMAGE_HOSTS = ("scdn.co", "spotifycdn.com")


def _hosts(value: Any) -> tuple[str, ...]:
    parts = value.split(",") if isinstance(value, str) else (value or DEFAULT_IMAGE_HOSTS)
    return tuple(host.strip().strip(".").lower() for host in parts if host.strip().strip("."))


def _kib(config: Mapping[str, Any], name: str, default: float) -> int:
    return int(float(config.get(name, default)) * 1024)


@dataclass(frozen=True)
class ArtworkSettings:
    client_id: str
    client_secret: str
    api_url: str
    token_url: str
    timeout_s: float
    cache_dir: Path
    cache_bytes: int
    max_response_bytes: int = 4096 * 1024
    max_image_bytes: int = 2048 * 1024
    max_pixels: int = 4194304
    image_hosts: tuple[str, ...] = DEFAULT_IMAGE_HOSTS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "ArtworkSettings":
        cache_dir = config.get("ARTWORK_CACHE_DIR") or Path(config["UPLOAD_DIR"]) / "artwork-cache"
        api_url = config.get("SPOTIFY_API_URL") or "https://api.spotify.com/v1/"
        return cls(config.get("SPOTIFY_CLIENT_ID") or "", config.get("SPOTIFY_CLIENT_SECRET") or "",
                   api_url if api_url.endswith("/") else api_url + "/",
                   config.get("SPOTIFY_TOKEN_URL") or "https://accounts.spotify.com/api/token",
                   float(config.get("ARTWORK_TIMEOUT_SECONDS", 5.0)), Path(cache_dir),
                   int(float(config.get("ARTWORK_CACHE_MB", 64.0)) * 2**20),
                   _kib(config, "ARTWORK_MAX_RESPONSE_KB", 4096), _kib(config, "ARTWORK_MAX_IMAGE_KB", 2048),
                   int(config.get("ARTWORK_MAX_PIXELS", 4194304)), _hosts(config.get("ARTWORK_IMAGE_HOSTS")))

    @classmethod
    def disabled(cls) -> "ArtworkSettings":
        """No artwork and no calls: for callers that only need the chart's shape (validation)."""
        return cls("", "", "", "", 0.0, Path("."), 0)

    @property
    def enabled(self) -> bool:
        return bool(self.client_id and self.client_secret and self.timeout_s > 0)


@dataclass(frozen=True)
class Wanted:
    """One bar's picture: found through a track the person played; for artists, the artist's name."""
    track_uri: str | None
    artist_name: str | None = None


def track_id(uri: str | None) -> str | None:
    match = TRACK_URI.match(uri or "")
    return match.group(1) if match else None


def fetch_pictures(settings: ArtworkSettings, kind: str, wanted: list[Wanted], side: int) -> list[Image.Image | None]:
    """Square pictures of `side` px for each wanted bar (None where there is none); kind: artist or album."""
    ids = [track_id(item.track_uri) for item in wanted]
    if not settings.enabled or not any(ids):
        return [None] * len(wanted)
    from backend.services.spotify_fetch import SpotifyFetch  # only with credentials: see its docstring
    started = time.monotonic()
    fetch = SpotifyFetch(settings, ArtworkCache(settings.cache_dir, settings.cache_bytes), side)
    try:
        urls = _picture_urls(fetch, kind, ids, wanted, side)
        pictures = fetch.pictures(urls)
    except (ValueError, TypeError, KeyError, AttributeError, OSError):
        # artwork is optional: whatever slips past the per-item checks must not fail the chart
        log.warning("Artwork skipped after an unexpected error", exc_info=True)
        return [None] * len(wanted)
    finally:
        fetch.close()
    found = [pictures.get(url) if url else None for url in urls]
    log.info("Artwork: %d of %d pictures, %d network calls, %.2f s", sum(p is not None for p in found),
             len(wanted), fetch.calls, time.monotonic() - started)
    return found


def _picture_urls(fetch: "SpotifyFetch", kind: str, ids: list[str | None], wanted: list[Wanted],
                  side: int) -> list[str | None]:
    tracks = fetch.lookups("tracks", ids)
    if kind == "artist":
        artist_ids = [artist_id_of(tracks.get(tid), item.artist_name) for tid, item in zip(ids, wanted)]
        artists = fetch.lookups("artists", artist_ids)
        return [image_url_of((artists.get(aid) or {}).get("images"), side, fetch.settings.image_hosts)
                for aid in artist_ids]
    return [image_url_of((tracks.get(tid) or {}).get("album_images"), side, fetch.settings.image_hosts)
            for tid in ids]


