"""The picture beside each bar of a chart or race: the artist's, or the song's or album's cover (a podcast has
none)."""
from __future__ import annotations

from PIL import Image

from backend.services.artwork import ArtworkSettings, Wanted, fetch_pictures
from backend.services.charts.choices import Attribute


def bar_pictures(settings: ArtworkSettings, attribute: Attribute, names: list[tuple[str, str | None]],
                 uris: list[str | None], side: int) -> list[Image.Image | None]:
    """Each bar's picture, within the artwork budget; all None without artwork sources (and no call)."""
    if not settings.enabled or attribute.picture_kind is None:
        return [None] * len(names)
    if attribute.picture_kind == "artist":
        wanted = [Wanted(uri, name) for (name, _), uri in zip(names, uris)]
    else:
        wanted = [Wanted(uri, artist, name) for (name, artist), uri in zip(names, uris)]
    return fetch_pictures(settings, attribute.picture_kind, wanted, side)
