"""Paint chart frames from sprites drawn once: bars, names, values, the date.

The same painter draws the still chart (one frame) and every frame of a race, so a race's last
frame looks exactly like the picture of the same top list.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from src.visuals.sprites import Sprite, TextSpec, render_texts, stamp
from src.visuals.style import BACKGROUND, DATE_TEXT, MUTED, TEXT, Colour, Layout, ValueFormat

GLYPHS = "0123456789,."


@dataclass(frozen=True)
class Entry:
    name: str
    artist: str | None
    colour: Colour
    picture: Image.Image | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Page:
    title: str
    subtitle: str
    date_labels: tuple[str, ...] = ()


class FramePainter:
    """Holds everything drawn once; paint() composes one frame into a reused buffer."""

    def __init__(self, layout: Layout, entries: list[Entry], page: Page, value_format: ValueFormat,
                 largest_value: float):
        self.layout = layout
        self.entries = entries
        self.value_format = value_format
        self._prepare_sprites(page)
        self.thumbs = [_thumbnail(entry.picture, layout.thumb_px) if layout.pictures else None
                       for entry in entries]
        self.thumb_left, self.label_right = layout.thumb_left, layout.label_right  # per-frame constants
        # The longest bar leaves room for the widest value label, so no label is ever cut off.
        self.value_gap = int(layout.width * 0.015)
        self.bar_max = max(layout.right_edge - layout.bar_left - self.value_gap - self._value_width(largest_value),
                           layout.width // 10)
        # Frames are painted in place into one RGBX buffer that ffmpeg reads as rgb0: no copy per frame.
        self.background = np.asarray(self._background().convert("RGBX")).copy()
        self.pixels = self.background.copy()
        self.frame = Image.frombuffer("RGBX", (layout.width, layout.height), self.pixels, "raw", "RGBX", 0, 1)
        self.frame.readonly = 0  # frombuffer marks shared buffers read-only; painting into it is the point

    def _prepare_sprites(self, page: Page) -> None:
        lay = self.layout
        specs = [TextSpec(page.title, lay.title_px, bold=True, max_width=int(lay.width * 0.92)),
                 TextSpec(page.subtitle, lay.subtitle_px, max_width=int(lay.width * 0.92)),
                 TextSpec(self.value_format.unit, lay.value_px), TextSpec(self.value_format.unit_of_one, lay.value_px)]
        specs += [TextSpec(ch, lay.value_px) for ch in GLYPHS]
        specs += [TextSpec(entry.name, lay.name_px, bold=True, max_width=lay.label_width) for entry in self.entries]
        specs += [TextSpec(entry.artist or "", lay.artist_px, max_width=lay.label_width) for entry in self.entries]
        specs += [TextSpec(label, lay.date_px, bold=True) for label in page.date_labels]
        sprites = render_texts(specs)
        self.title, self.subtitle = sprites[:2]
        self.units = {self.value_format.unit: sprites[2], self.value_format.unit_of_one: sprites[3]}
        glyphs = sprites[4:4 + len(GLYPHS)]
        self.glyphs = dict(zip(GLYPHS, glyphs))
        digit_width = max(g.width for g in glyphs[:10])
        gap = max(1, round(lay.value_px * 0.06))
        self.advance = {ch: (digit_width if ch.isdigit() else g.width) + gap for ch, g in self.glyphs.items()}
        count = len(self.entries)
        rest = sprites[4 + len(GLYPHS):]
        self.names, self.artists, self.dates = rest[:count], rest[count:2 * count], rest[2 * count:]

    def _value_width(self, value: float) -> int:
        text = self.value_format.number(value)
        return sum(self.advance[ch] for ch in text) + self._unit_gap() + self._unit_after(text).width

    def _unit_after(self, number: str) -> Sprite:
        return self.units[self.value_format.unit_after(number)]

    def _unit_gap(self) -> int:
        return int(self.layout.value_px * 0.25)

    def _background(self) -> Image.Image:
        lay = self.layout
        canvas = Image.new("RGB", (lay.width, lay.height), BACKGROUND)
        stamp(canvas, self.title, lay.label_left, int(lay.height * 0.065), TEXT)
        stamp(canvas, self.subtitle, lay.label_left, int(lay.height * 0.105), MUTED)
        return canvas

    def paint(self, positions: np.ndarray, values: np.ndarray, scale: float,
              date_index: int | None = None) -> Image.Image:
        """One frame: entry i sits at slot positions[i] with value values[i].

        Returns the painter's own RGBX image, overwritten by the next call.
        """
        lay = self.layout
        frame = self.frame
        np.copyto(self.pixels, self.background)
        if date_index is not None and self.dates:
            label = self.dates[date_index]
            stamp(frame, label, int(lay.width * 0.96) - label.width, int(lay.height * 0.95), DATE_TEXT)
        # Lower bars first so a bar moving up passes over the ones it overtakes.
        for i in np.argsort(-positions, kind="stable"):
            if positions[i] < lay.slots + 0.5:
                self._paint_entry(frame, i, float(positions[i]), float(values[i]), scale)
        return frame

    def _paint_entry(self, frame: Image.Image, i: int, slot: float, value: float, scale: float) -> None:
        lay = self.layout
        top, bottom = lay.area_top, lay.area_bottom
        centre = top + (slot + 0.5) * lay.slot_px
        length = max(2.0, value / scale * self.bar_max) if value > 0 else 0.0
        entry = self.entries[i]
        fill_bar(frame, lay.bar_left, lay.bar_left + length, centre - lay.bar_px / 2, centre + lay.bar_px / 2,
                 entry.colour, top, bottom)
        thumb = self.thumbs[i]
        if thumb is not None:
            paste_clipped(frame, thumb, self.thumb_left, int(round(centre - thumb.height / 2)), top, bottom)
        name, artist = self.names[i], self.artists[i]
        right = self.label_right
        if entry.artist:
            stamp(frame, name, right - name.width, int(centre - lay.slot_px * 0.03), TEXT, top, bottom)
            stamp(frame, artist, right - artist.width, int(centre + lay.artist_px * 1.1), MUTED, top, bottom)
        else:
            stamp(frame, name, right - name.width, int(centre + lay.name_px * 0.36), TEXT, top, bottom)
        self._paint_value(frame, lay.bar_left + int(length) + self.value_gap,
                          int(centre + lay.value_px * 0.36), value, top, bottom)

    def _paint_value(self, frame: Image.Image, x: int, baseline: int, value: float, top: int, bottom: int) -> None:
        text = self.value_format.number(value)
        for ch in text:
            stamp(frame, self.glyphs[ch], x, baseline, TEXT, top, bottom)
            x += self.advance[ch]
        stamp(frame, self._unit_after(text), x + self._unit_gap(), baseline, MUTED, top, bottom)


def _thumbnail(picture: Image.Image | None, side: int) -> Image.Image | None:
    """The picture as an RGBX square of the drawn size, made once: frames paste it without resampling."""
    if picture is None:
        return None
    if picture.size != (side, side):
        picture = picture.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)
    return picture.convert("RGBX")


def paste_clipped(frame: Image.Image, tile: Image.Image, x: int, y: int, clip_top: int, clip_bottom: int) -> None:
    """Paste a same-mode tile (a plain copy), cropped to rows clip_top..clip_bottom."""
    y0, y1 = max(y, clip_top), min(y + tile.height, clip_bottom)
    if y0 >= y1:
        return
    if (y0, y1) != (y, y + tile.height):
        tile = tile.crop((0, y0 - y, tile.width, y1 - y))
    frame.paste(tile, (x, y0))


def fill_bar(frame: Image.Image, x0: int, x1: float, y0: float, y1: float,
             colour: Colour, clip_top: int, clip_bottom: int) -> None:
    """A bar with anti-aliased right, top and bottom edges, so sub-pixel motion stays smooth."""
    if x1 <= x0:
        return
    row0, row1 = max(int(np.ceil(y0)), clip_top), min(int(np.floor(y1)), clip_bottom)
    full_right = int(x1)
    if row1 > row0:
        if full_right > x0:
            frame.paste(colour, (x0, row0, full_right, row1))
        _blend_box(frame, (full_right, row0, full_right + 1, row1), colour, x1 - full_right)
    for row, coverage in ((int(np.floor(y0)), np.ceil(y0) - y0), (int(np.floor(y1)), y1 - np.floor(y1))):
        if clip_top <= row < clip_bottom and full_right > x0:
            _blend_box(frame, (x0, row, full_right, row + 1), colour, coverage)


def _blend_box(frame: Image.Image, box: tuple[int, int, int, int], colour: Colour, coverage: float) -> None:
    """Blend colour over box with the given coverage: the anti-aliased edge of a bar."""
    alpha = int(coverage * 255)
    if alpha > 0 and box[2] > box[0] and box[3] > box[1]:
        frame.paste(colour, box, Image.new("L", (box[2] - box[0], box[3] - box[1]), alpha))
