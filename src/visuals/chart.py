"""The still chart: the top N as horizontal bars, as a JPEG."""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from src.visuals.painter import Entry, FramePainter, Page
from src.visuals.style import Layout, ValueFormat, stable_colour

JPEG_QUALITY = 90


@dataclass(frozen=True)
class ChartItem:
    name: str
    artist: str | None
    value: float


def colour_key(name: str, artist: str | None) -> str:
    return name if artist is None else f"{name}\x1f{artist}"


def render_top_chart(items: list[ChartItem], title: str, subtitle: str, value_format: ValueFormat,
                     width: int, height: int, slots: int) -> bytes:
    """Draw the ranked items (already in rank order) and return JPEG bytes."""
    with_artist = any(item.artist for item in items)
    layout = Layout(width, height, max(min(slots, 4), len(items), 1), with_artist, race=False)
    entries = [Entry(item.name, item.artist, stable_colour(colour_key(item.name, item.artist))) for item in items]
    values = np.array([item.value for item in items], dtype=np.float64)
    painter = FramePainter(layout, entries, Page(title, subtitle), value_format, float(values.max(initial=0)))
    frame = painter.paint(np.arange(len(items), dtype=np.float64), values, float(values.max(initial=0)) or 1.0)
    buffer = io.BytesIO()
    frame.convert("RGB").save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()
