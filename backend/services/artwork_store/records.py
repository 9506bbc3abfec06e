"""What artwork keeps of Spotify's answers, and how an answer is trusted.

A batch answer is matched to the ids asked for by each item's own id, never by its position, so
an answer in another order still gives every bar its own picture. An item that is malformed (a
wrong type anywhere, an id not asked for) is skipped alone: it costs its own picture, not the
chart's. Picture URLs are used only on the image hosts the operator allows (ARTWORK_IMAGE_HOSTS),
as the service would otherwise fetch whatever address an answer names.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{1,64}$")  # base62: the only ids that may become file names
URL_SCHEMES = ("https", "http")


class Malformed(ValueError):
    """An item or record that does not have the shape Spotify documents."""


def _text(value: Any, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise Malformed("expected text")
    return value


def _list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed("expected a list")
    return value


def _dict(value: Any) -> dict:
    if not isinstance(value, dict):
        raise Malformed("expected an object")
    return value


def _width(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    raise Malformed("expected a width in pixels")


def _images(raw: Any) -> list[list]:
    return [[_text(image["url"]), _width(image.get("width"))] for image in map(_dict, _list(raw))
            if image.get("url")]


def _artists(raw: Any) -> list[list]:
    found = []
    for artist in map(_dict, _list(raw)):
        artist_id = _text(artist.get("id"), optional=True)
        if artist_id and SPOTIFY_ID.match(artist_id):
            found.append([artist_id, _text(artist.get("name"), optional=True)])
    return found


def lookup_record(kind: str, item: Any) -> dict | None:
    """What the cache keeps of a track or an artist ({} for Spotify's null: no such id; None when malformed)."""
    if item is None:
        return {}
    try:
        item = _dict(item)
        if kind == "tracks":
            album = _dict(item.get("album") or {})
            return {"artists": _artists(item.get("artists")), "album_artists": _artists(album.get("artists")),
                    "album_images": _images(album.get("images"))}
        return {"images": _images(item.get("images"))}
    except (Malformed, KeyError):
        return None


def valid_record(kind: str, record: Any) -> bool:
    """Whether a record read back from the cache has the shape lookup_record writes."""
    def pairs(value: Any, first: type, second: tuple[type, ...]) -> bool:
        return isinstance(value, list) and all(
            isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], first) and isinstance(pair[1], second)
            for pair in value)
    if not isinstance(record, dict):
        return False
    if kind == "tracks":
        return record == {} or (set(record) == {"artists", "album_artists", "album_images"}
                                and pairs(record["artists"], str, (str, type(None)))
                                and pairs(record["album_artists"], str, (str, type(None)))
                                and pairs(record["album_images"], str, (int, type(None))))
    return record == {} or (set(record) == {"images"} and pairs(record["images"], str, (int, type(None))))


def _item_id(item: Any) -> str | None:
    return item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None


def match_items(kind: str, asked: list[str], items: Any) -> dict[str, dict]:
    """Records for the ids asked, from a batch answer's items, each matched by its own id.

    Spotify answers null for an id it does not know; a null is taken as "no such id" (cached as no
    picture) only when every other item stands at the position of its own id, as it then cannot
    belong to another id. Otherwise nulls, and ids the answer lacks, stay unknown (asked again later).
    """
    items = items if isinstance(items, list) else []
    wanted = set(asked)
    found: dict[str, dict] = {}
    for item in items:
        item_id = _item_id(item)
        record = lookup_record(kind, item) if item_id in wanted and item_id not in found else None
        if record is not None:
            found[item_id] = record
    in_order = len(items) == len(asked) and all(item is None or _item_id(item) == spotify_id
                                                for spotify_id, item in zip(asked, items))
    if in_order:
        found.update({spotify_id: {} for spotify_id, item in zip(asked, items) if item is None})
    return found


def single_record(kind: str, asked: str, item: Any) -> dict | None:
    """The record of a one-item answer, None when it is malformed or about another id."""
    return lookup_record(kind, item) if _item_id(item) == asked else None


def artist_id_of(track: dict | None, name: str | None) -> str | None:
    """The played track's artist with the chart's name (album artist first), else its first artist."""
    if not track:
        return None
    candidates = [*track.get("album_artists", []), *track.get("artists", [])]
    wanted_name = (name or "").casefold()
    for artist_id, artist_name in candidates:
        if artist_name and artist_name.casefold() == wanted_name:
            return artist_id
    return candidates[0][0] if candidates else None


def host_allowed(url: str, hosts: tuple[str, ...]) -> bool:
    """An http(s) URL on one of the hosts, or a subdomain of one (`scdn.co` allows `i.scdn.co`)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    return parts.scheme in URL_SCHEMES and bool(host) and any(
        host == allowed or host.endswith("." + allowed) for allowed in hosts)


def image_url_of(images: list | None, side: int, hosts: tuple[str, ...]) -> str | None:
    """The smallest image at least `side` wide (Spotify lists 640, 300 and 64 px), else the largest,
    among those on an allowed host."""
    usable = [(width or 0, url) for url, width in images or [] if host_allowed(url, hosts)]
    if not usable:
        return None
    large_enough = [item for item in usable if item[0] >= side]
    return min(large_enough)[1] if large_enough else max(usable)[1]
