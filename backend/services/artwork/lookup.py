"""Artist pictures and album covers from the Spotify Web API, within a time budget per request.

Every network call runs on a small thread pool and the request only ever waits on that pool
until its deadline, so a slow, refusing or unreachable Spotify costs at most the budget: what
arrived is drawn, the rest is colour-only. Lookups and pictures go to a shared disk cache first,
so a chart drawn before makes no call at all (not even for a token). Every answer is bounded too:
read whole before the deadline, capped in bytes (ARTWORK_MAX_RESPONSE_KB for the API,
ARTWORK_MAX_IMAGE_KB for a picture) and in pixels, and trusted one item at a time
(backend/services/artwork_store/records.py).
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image

from backend.services.artwork.settings import ArtworkSettings
from backend.services.artwork_store import ArtworkCache, artist_id_of, image_url_of

if TYPE_CHECKING:
    from backend.services.artwork.spotify import SpotifyFetch

log = logging.getLogger(__name__)

TRACK_URI = re.compile(r"^spotify:track:([0-9A-Za-z]{1,64})$")


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
    from backend.services.artwork.spotify import SpotifyFetch  # only with credentials: see its docstring
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


