"""The still chart: the top N as horizontal bars, as a JPEG."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from src.visuals.chart.layout import Layout
from src.visuals.painter import Entry, FramePainter, Page
from src.visuals.style import ValueFormat, picture_colour
from src.visuals.themes import Colour, Theme, assign_colours

JPEG_QUALITY = 90


@dataclass(frozen=True)
class ChartItem:
    name: str
    artist: str | None
    value: float
    picture: Image.Image | None = field(default=None, compare=False)


def colour_key(name: str, artist: str | None) -> str:
    # Only hashed into a palette slot, never used to tell items apart: two crafted names that meet here
    # share a preferred colour, nothing more.
    return name if artist is None else f"{name}\x1f{artist}"


def bar_colours(names: list[tuple[str, str | None]], pictures: list[Image.Image | None], theme: Theme,
                together: np.ndarray | None = None) -> list[Colour]:
    """Each bar's colour, bars in priority order: the picture's colour when a colourful picture is
    drawn, else the entity's palette colour (stable by name, distinct among the bars seen together)."""
    palette = assign_colours([colour_key(name, artist) for name, artist in names], theme, together)
    from_pictures = [picture_colour(picture, theme) if picture is not None else None for picture in pictures]
    return [own or stable for own, stable in zip(from_pictures, palette)]


def chart_slots(top_n: int, count: int) -> int:
    """Bar rows of a still chart: room for the top N, but never so few that four bars fill the page."""
    return max(min(top_n, 4), count, 1)


def chart_layout(width: int, height: int, top_n: int, count: int, with_artist: bool, *, pictures: bool) -> Layout:
    return Layout(width, height, chart_slots(top_n, count), with_artist, race=False, pictures=pictures)


def chart_thumb_px(width: int, height: int, top_n: int, count: int) -> int:
    """Side of the square pictures a still chart of `count` bars draws."""
    return chart_layout(width, height, top_n, count, False, pictures=False).thumb_px


def paint_top_chart(items: list[ChartItem], page: Page, value_format: ValueFormat, width: int, height: int,
                     *, slots: int, theme: Theme) -> bytes:
    """Draw the ranked items (already in rank order) and return JPEG bytes."""
    with_artist = any(item.artist for item in items)
    pictures = [item.picture for item in items]
    layout = chart_layout(width, height, slots, len(items), with_artist, pictures=any(p is not None for p in pictures))
    colours = bar_colours([(item.name, item.artist) for item in items], pictures, theme)
    entries = [Entry(item.name, item.artist, colour, item.picture) for item, colour in zip(items, colours)]
    values = np.array([item.value for item in items], dtype=np.float64)
    painter = FramePainter(layout, theme, entries, page, value_format, largest_value=float(values.max(initial=0)))
    frame = painter.paint(np.arange(len(items), dtype=np.float64), values, float(values.max(initial=0)) or 1.0)
    buffer = io.BytesIO()
    frame.image().save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()
