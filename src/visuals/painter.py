"""Paint chart frames from sprites drawn once: bars, labels, values, ranks, the date and running total.

The same painter draws the still chart (one frame) and every frame of a race, so a race's last
frame looks exactly like the picture of the same top list. What never moves (title, subtitle, rank
numbers, footer) is drawn once into the background; a frame is a copy of it plus a few pastes per bar.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image

from src.visuals.canvas import Canvas, RgbCanvas
from src.visuals.chart.bars import thumbnail
from src.visuals.chart.layout import Layout
from src.visuals.footer import footer_baselines, footer_lines
from src.visuals.style import ValueFormat
from src.visuals.text import TextSpec, render_texts, stamp
from src.visuals.text.labels import Numbers, label_blocks
from src.visuals.themes import Colour, Theme

# Spotify's developer terms and Deezer's ask that their artwork be credited where it is shown: a picture
# names who supplied it in its info under CREDIT_KEY, and the footer credits exactly those.
CREDIT_KEY = "credit"


def artwork_credit(pictures: list[Image.Image | None]) -> str:
    """'Artwork: Deezer, Spotify' for the suppliers of the pictures drawn; empty when none is credited."""
    names = sorted({picture.info[CREDIT_KEY] for picture in pictures
                    if picture is not None and picture.info.get(CREDIT_KEY)})
    return f"Artwork: {', '.join(names)}" if names else ""


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
    footer: str = ""                   # the metric and the range, in words
    date_labels: tuple[str, ...] = ()  # a race's date counter
    marker_labels: tuple[str, ...] = ()  # what a race's counter says over a cut quiet stretch


def paint_page(canvas: Image.Image, lay: Layout, theme: Theme, page: Page, credit: str) -> None:
    """What frames every picture: the title and subtitle above, the hairline and the footer below (with the
    artwork credit when pictures are drawn)."""
    footer = " · ".join(part for part in (page.footer, credit) if part)
    title, subtitle = render_texts([
        TextSpec(page.title, lay.title_px, bold=True, max_width=lay.title_width),
        TextSpec(page.subtitle, lay.subtitle_px, max_width=lay.title_width)])
    stamp(canvas, title, lay.label_left, lay.title_baseline, theme.text)
    stamp(canvas, subtitle, lay.label_left, lay.subtitle_baseline, theme.muted)
    hairline = max(1, round(lay.space / 12))
    canvas.paste(theme.rule, (lay.label_left, lay.rule_y, lay.right_edge, lay.rule_y + hairline))
    if footer:
        lines = footer_lines(footer, lay.footer_px, lay.text_width)
        for line, baseline in zip(lines, footer_baselines(lay.footer_baseline, lay.footer_px, len(lines)),
                                  strict=True):
            stamp(canvas, line, lay.label_left, baseline, theme.muted)


class FramePainter:
    """Holds everything drawn once; paint() composes one frame into a reused buffer."""

    def __init__(self, layout: Layout, theme: Theme, entries: list[Entry], page: Page, value_format: ValueFormat,
                 *, largest_value: float, canvas_type: type[Canvas] = RgbCanvas):
        self.layout, self.theme, self.entries, self.value_format = layout, theme, entries, value_format
        self.labels = label_blocks(layout, [e.name for e in entries], [e.artist for e in entries])
        self.numbers = Numbers(layout.value_px, True, (value_format.unit, value_format.unit_of_one))
        self.thumbs = [thumbnail(entry.picture, layout.thumb_px) if layout.pictures else None for entry in entries]
        self.dates = render_texts([TextSpec(label, layout.date_px) for label in page.date_labels])
        self.totals = Numbers(layout.total_px, False, (value_format.unit, value_format.unit_of_one)) \
            if self.dates else None
        self.markers = render_texts([TextSpec(label, layout.total_px, bold=True) for label in page.marker_labels])
        # The longest bar leaves room for the widest value label, so no label is ever cut off.
        self.value_gap = round(layout.space * 0.5)
        number = value_format.number(largest_value)
        widest = self.numbers.width(number, value_format.unit_after(number))
        self.bar_max = max(layout.right_edge - layout.bar_left - self.value_gap - widest, layout.width // 10)
        # Frames are painted in place into one buffer that ffmpeg reads as it is: no copy per frame.
        self.canvas = canvas_type(self._background(page))

    def __getstate__(self) -> dict:
        """What paints frames, for a race's segment helper: the pictures travel only as the thumbnails drawn
        from them (the canvas makes its frame buffer anew)."""
        state = self.__dict__.copy()
        state["entries"] = [replace(entry, picture=None) for entry in self.entries]
        return state

    def _background(self, page: Page) -> Image.Image:
        lay, theme = self.layout, self.theme
        canvas = Image.new("RGB", (lay.width, lay.height), theme.background)
        credit = artwork_credit([entry.picture for entry in self.entries]) if lay.pictures else ""
        paint_page(canvas, lay, theme, page, credit)
        rows = min(lay.slots, len(self.entries))
        ranks = render_texts([TextSpec(str(rank), lay.rank_px, bold=True) for rank in range(1, rows + 1)])
        for slot, rank in enumerate(ranks):
            centre = lay.area_top + (slot + 0.5) * lay.slot_px
            stamp(canvas, rank, lay.label_left + lay.rank_width - rank.width, round(centre + lay.rank_px * 0.36),
                  theme.muted)
        return canvas

    def paint(self, positions: np.ndarray, values: np.ndarray, scale: float,
              date_index: int | None = None, total: float | None = None, *, marker: int = -1) -> Canvas:
        """One frame: entry i sits at slot positions[i] with value values[i].

        Returns the painter's own canvas, overwritten by the next call.
        """
        lay = self.layout
        frame = self.canvas
        frame.reset()
        if date_index is not None and self.dates:
            self._paint_counter(frame, self.dates[date_index], total, marker)
        drawn = np.flatnonzero(positions < lay.slots + 0.5)
        # Lower bars first so a bar moving up passes over the ones it overtakes.
        drawn = drawn[np.argsort(-positions[drawn], kind="stable")]
        crowded = _crowded(positions[drawn])
        for i, backed in zip(drawn.tolist(), crowded.tolist()):
            self._paint_entry(frame, i, float(positions[i]), float(values[i]), scale, backed=backed)
        return frame

    def _paint_counter(self, frame: Canvas, date, total: float | None, marker: int) -> None:
        lay, muted = self.layout, self.theme.muted
        frame.stamp(date, lay.right_edge - date.width, lay.date_baseline, muted)
        if marker >= 0:
            # A cut quiet stretch: its marker stands where the total is (which the stretch leaves unchanged).
            sprite = self.markers[marker]
            frame.stamp(sprite, lay.right_edge - sprite.width, lay.total_baseline, self.theme.text)
        elif total is not None and self.totals is not None:
            number = self.value_format.number(total)
            unit = self.value_format.unit_after(number)
            x = lay.right_edge - self.totals.width(number, unit)
            self.totals.stamp(frame, number, unit, x, lay.total_baseline, colours=(muted, muted))

    def _paint_entry(self, frame: Canvas, i: int, slot: float, value: float, scale: float,
                     *, backed: bool) -> None:
        lay, theme = self.layout, self.theme
        clip_top, clip_bottom = clip = (lay.area_top, lay.area_bottom)
        centre = lay.area_top + (slot + 0.5) * lay.slot_px
        length = max(2.0, value / scale * self.bar_max) if value > 0 else 0.0
        frame.bar(self.entries[i].colour, lay.bar_left, lay.bar_left + length, centre - lay.bar_px / 2,
                  centre + lay.bar_px / 2, clip_top=clip_top, clip_bottom=clip_bottom)
        thumb = self.thumbs[i]
        if thumb is not None:
            frame.picture(thumb, lay.thumb_left, round(centre - thumb.height / 2), *clip)
        label = self.labels[i]
        if backed:
            # Bars passing each other: this label covers the one below instead of mixing letters with it.
            self._plate(frame, lay.name_left, lay.column_left, int(centre) + label.top, int(centre) + label.bottom)
        for line in label.lines:
            frame.stamp(line.sprite, lay.name_left, int(centre) + line.dy, theme.muted if line.muted else theme.text,
                        clip_top=clip_top, clip_bottom=clip_bottom)
        number = self.value_format.number(value)
        unit = self.value_format.unit_after(number)
        x, baseline = lay.bar_left + int(length) + self.value_gap, int(centre + lay.value_px * 0.36)
        if backed:
            self._plate(frame, x, x + self.numbers.width(number, unit), baseline - round(lay.value_px),
                        baseline + round(lay.value_px * 0.3))
        self.numbers.stamp(frame, number, unit, x, baseline, colours=(theme.text, theme.muted), clip=clip)

    def _plate(self, frame: Canvas, left: int, right: int, top: int, bottom: int) -> None:
        """The page's colour behind a label, inside the chart area."""
        top, bottom = max(top, self.layout.area_top), min(bottom, self.layout.area_bottom)
        if top < bottom and left < right:
            frame.fill(self.theme.background, (left, top, right, bottom))


def _crowded(positions: np.ndarray) -> np.ndarray:
    """For bars sorted lowest first: which come within a row of another, so their labels could touch."""
    near = np.abs(np.diff(positions)) < 1 - 1e-6
    crowded = np.zeros(positions.size, dtype=bool)
    crowded[:-1] |= near
    crowded[1:] |= near
    return crowded
