"""Artist pictures and covers for the bars, from the sources ARTWORK_SOURCES lists, in order, within one budget.

Each source is asked only for the bars still without a picture and only for what it can find: the
Web API (with credentials) and oEmbed by a played track's id, Deezer by exact name. Lookups and
pictures go to the shared disk cache first, so a chart drawn before makes no call at all, even
while its source is paused. Every answer is bounded (backend/services/bounded_http): read whole
before the deadline, capped in bytes and in pixels, and trusted one item at a time.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from PIL import Image

from backend.services.artwork.settings import ArtworkSettings
from backend.services.artwork_store import ArtworkCache
from src.visuals.painter import CREDIT_KEY

if TYPE_CHECKING:
    from backend.services.artwork.fetching import RequestFetch

log = logging.getLogger(__name__)

TRACK_URI = re.compile(r"^spotify:track:([0-9A-Za-z]{1,64})$")
PictureKind = Literal["artist", "song", "album"]   # the artist's picture, the song's cover, the album's cover


@dataclass(frozen=True)
class Wanted:
    """One bar's picture: found through a track the person played, or by its names."""
    track_uri: str | None
    artist_name: str | None = None
    title: str | None = None      # the song's or album's name (songs and albums)

    @property
    def track_id(self) -> str | None:
        match = TRACK_URI.match(self.track_uri or "")
        return match.group(1) if match else None


class PictureSource(Protocol):
    name: str
    key: str    # its shared state's name

    def can_find(self, kind: PictureKind, item: Wanted) -> bool: ...

    def picture_urls(self, kind: PictureKind, items: list[Wanted]) -> list[str | None]: ...


def _sources(fetch: RequestFetch) -> list[PictureSource]:
    """The configured sources, their modules imported only when used (spotipy costs a worker about 20 MB)."""
    sources: list[PictureSource] = []
    for name in fetch.settings.active_sources:
        if name == "spotify":
            from backend.services.artwork.spotify import SpotifySource
            sources.append(SpotifySource(fetch))
        elif name == "oembed":
            from backend.services.artwork.oembed import OembedSource
            sources.append(OembedSource(fetch))
        elif name == "deezer":
            from backend.services.artwork.deezer import DeezerSource
            sources.append(DeezerSource(fetch))
    return sources


# Who a picture is credited to on the chart: the Web API and oEmbed serve Spotify's artwork.
CREDITS = {"spotify": "Spotify", "oembed": "Spotify", "deezer": "Deezer"}


def fetch_pictures(settings: ArtworkSettings, kind: PictureKind, wanted: list[Wanted],
                   side: int) -> list[Image.Image | None]:
    """Square pictures of `side` px for each wanted bar (None where there is none)."""
    found: list[Image.Image | None] = [None] * len(wanted)
    if not settings.enabled or not wanted:
        return found
    from backend.services.artwork.fetching import RequestFetch  # requests: only where artwork is on (about 6 MB)
    started = time.monotonic()
    fetch = RequestFetch(settings, ArtworkCache(settings.cache_dir, settings.cache_bytes), side)
    try:
        for source in _sources(fetch):
            todo = [i for i, item in enumerate(wanted) if found[i] is None and source.can_find(kind, item)]
            try:
                if todo:
                    _ask(fetch, source, kind, wanted, todo, found=found)
            except (ValueError, TypeError, KeyError, AttributeError, OSError):
                # artwork is optional: whatever slips past the per-item checks must not fail the chart
                log.warning("Artwork from %s skipped after an unexpected error", source.name, exc_info=True)
    finally:
        fetch.close()
    log.info("Artwork: %d of %d pictures, %d network calls, %.2f s", sum(p is not None for p in found),
             len(wanted), fetch.calls, time.monotonic() - started)
    return found


def _ask(fetch: RequestFetch, source: PictureSource, kind: PictureKind, wanted: list[Wanted], todo: list[int],
         *, found: list[Image.Image | None]) -> None:
    from backend.services.artwork.downloads import download_pictures
    urls = source.picture_urls(kind, [wanted[i] for i in todo])
    pictures = download_pictures(fetch, urls)
    for index, url in zip(todo, urls):
        found[index] = pictures.get(url) if url else None
        if found[index] is not None:
            found[index].info[CREDIT_KEY] = CREDITS[source.name]
    fetch.settle(source.key)
