"""Picture downloads for one request: from the cache when drawn before, else fetched within the budget.

A download is not a call to a source's API (pictures come from image CDNs), so it pauses no source;
it is read within ARTWORK_MAX_IMAGE_KB, answered 200 (a redirect is never followed), and opened only
as the picture it claims to be (artwork/pictures.py).
"""
from __future__ import annotations

import logging

from PIL import Image

from backend.services.artwork.fetching import RateLimited, RequestFetch, retry_after_of
from backend.services.artwork.pictures import square_picture

log = logging.getLogger(__name__)


def download_pictures(fetch: RequestFetch, urls: list[str | None]) -> dict[str, Image.Image]:
    """The pictures at the URLs, square at the request's side: cached ones at once, the rest as time allows."""
    found: dict[str, Image.Image] = {}
    missing = []
    for url in dict.fromkeys(u for u in urls if u):
        cached = fetch.cache.picture(url, fetch.side)
        if cached is not None:
            found[url] = cached
        else:
            missing.append(url)
    futures = {url: fetch.submit(_download, fetch, url) for url in missing if fetch.remaining() > 0}
    fetch.wait(futures.values())
    for url, future in futures.items():
        if future.done() and future.exception() is None:
            found[url] = future.result()
        elif future.done():
            log.info("An artwork download failed: %s", type(future.exception()).__name__)
    return found


def _download(fetch: RequestFetch, url: str) -> Image.Image:
    response = fetch.picture_session.get(url, timeout=fetch.settings.timeout_s, allow_redirects=False)
    if response.status_code == 429:
        raise RateLimited(retry_after_of(response.headers))
    response.raise_for_status()
    if response.status_code != 200:
        raise ValueError(f"picture answered {response.status_code}")  # a redirect leads off the allowed hosts
    picture = square_picture(response.content, response.headers.get("Content-Type"), fetch.settings.max_pixels,
                             fetch.side)
    fetch.cache.store_picture(url, fetch.side, picture)
    return picture
