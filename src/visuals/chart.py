"""The still chart: the top N as horizontal bars, as a JPEG."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from src.visuals.painter import Entry, FramePainter, Page
from src.visuals.style import Colour, Layout, ValueFormat, picture_colour, stable_colour

JPEG_QUALITY = 90


@dataclass(frozen=True)
class ChartItem:
    name: str
    artist: str | None
    value: float
    picture: Image.Image | None = field(default=None, compare=False)


def colour_key(name: str, artist: str | None) -> str:
    # Only hashed into a colour, never used to tell items apart: two crafted names that meet here
    # share a colour, nothing more.
    return name if artist is None else f"{name}\x1f{artist}"


def bar_colour(name: str, artist: str | None, picture: Image.Image | None) -> Colour:
    """The picture's colour when there is a colourful picture, else the name's stable colour."""
    from_picture = picture_colour(picture) if picture is not None else None
    return from_picture or stable_colour(colour_key(name, artist))


def chart_slots(top_n: int, count: int) -> int:
    """Bar rows of a still chart: room for the top N, but never so few that four bars fill the page."""
    return max(min(top_n, 4), count, 1)


def chart_thumb_px(width: int, height: int, top_n: int, count: int) -> int:
    """Side of the square pictures a still chart of `count` bars draws."""
    return Layout(width, height, chart_slots(top_n, count), False, race=False).thumb_px


def render_top_chart(items: list[ChartItem], title: str, subtitle: str, value_format: ValueFormat,
                     width: int, height: int, slots: int) -> bytes:
    """Draw the ranked items (already in rank order) and return JPEG bytes."""
    with_artist = any(item.artist for item in items)
    pictures = any(item.picture is not None for item in items)
    layout = Layout(width, height, chart_slots(slots, len(items)), with_artist, race=False, pictures=pictures)
    entries = [Entry(item.name, item.artist, bar_colour(item.name, item.artist, item.picture), item.picture)
               for item in items]
    values = np.array([item.value for item in items], dtype=np.float64)
    painter = FramePainter(layout, entries, Page(title, subtitle), value_format, float(values.max(initial=0)))
    frame = painter.paint(np.arange(len(items), dtype=np.float64), values, float(values.max(initial=0)) or 1.0)
    buffer = io.BytesIO()
    frame.convert("RGB").save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()
