"""Spotify's oEmbed endpoint as an artwork source: a song's or album's cover from a played track's id, no key.

`GET <SPOTIFY_OEMBED_URL>?url=https://open.spotify.com/track/<id>` answers JSON whose `thumbnail_url`
is the track's album cover on Spotify's image CDN (300 px). It knows nothing of artists. Only the
track id is sent. An answer is trusted for the id asked only: when its embed HTML names another
track, it is not drawn.
"""
from __future__ import annotations

import logging
from typing import Any

from backend.services.artwork.fetching import RateLimited, RequestFetch, retry_after_of
from backend.services.artwork.states import source_key
from backend.services.artwork_store import URL_SCHEMES, image_url_of

log = logging.getLogger(__name__)

TRACK_PAGE = "https://open.spotify.com/track/"
CACHE_KIND = "oembed"



def cover_record(track_id: str, answer: Any) -> dict | None:
    """What the cache keeps of an oEmbed answer: {"images": [[url, width]]}; None when it cannot be trusted."""
    if not isinstance(answer, dict):
        return None
    url, width, html = answer.get("thumbnail_url"), answer.get("thumbnail_width"), answer.get("html")
    if isinstance(html, str) and html and track_id not in html:
        return None   # an embed of another track
    if not isinstance(url, str) or url.split(":", 1)[0].lower() not in URL_SCHEMES:
        return {} if url is None else None
    if not (isinstance(width, int) and not isinstance(width, bool) and width > 0):
        width = None
    return {"images": [[url, width]]}


class OembedSource:
    name = "oembed"

    def __init__(self, fetch: RequestFetch):
        self.fetch = fetch
        self.key = source_key(fetch.settings, "oembed")

    def can_find(self, kind: str, item: Any) -> bool:
        return kind != "artist" and item.track_id is not None

    def picture_urls(self, kind: str, items: list) -> list[str | None]:
        ids = [item.track_id for item in items]
        records = self.fetch.records(self.key, CACHE_KIND,
                                     {tid: (lambda tid=tid: self._cover(tid)) for tid in dict.fromkeys(ids)})
        hosts = self.fetch.settings.image_hosts
        return [image_url_of((records.get(tid) or {}).get("images"), self.fetch.side, hosts) for tid in ids]

    def _cover(self, track_id: str) -> dict | None:
        response = self.fetch.session.get(self.fetch.settings.oembed_url, params={"url": TRACK_PAGE + track_id},
                                          timeout=self.fetch.settings.timeout_s, allow_redirects=False)
        if response.status_code == 429:
            raise RateLimited(retry_after_of(response.headers))
        if response.status_code == 404:
            return {}   # no such track: remembered as no picture
        response.raise_for_status()
        if response.status_code != 200:
            raise ValueError(f"oEmbed answered {response.status_code}")
        record = cover_record(track_id, response.json())
        if record is None:
            log.info("An oEmbed answer was not about the track asked for, or malformed")
        return record
