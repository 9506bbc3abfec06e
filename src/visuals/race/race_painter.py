"""A bar-chart race ready to paint: its plan plus the painter that draws its frames."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image

from src.keyframes import Keyframes
from src.visuals.canvas import Canvas
from src.visuals.chart.layout import Layout
from src.visuals.chart.top_chart_painter import bar_colours
from src.visuals.painter import Entry, FramePainter, Page
from src.visuals.race.race_plan import RacePlan, plan_race
from src.visuals.race.yuv_canvas import YuvCanvas
from src.visuals.style import ValueFormat
from src.visuals.themes import Theme


@dataclass
class Race:
    plan: RacePlan
    painter: FramePainter

    @property
    def frame_count(self) -> int:
        return self.plan.frame_count

    def paint(self, index: int) -> Canvas:
        """Frame `index` on the painter's own canvas (overwritten by the next paint); .image() shows it."""
        plan = self.plan
        return self.painter.paint(plan.positions[index], plan.values[index], float(plan.scale[index]),
                                  int(plan.date_index[index]), float(plan.running_total[index]),
                                  marker=int(plan.marker_index[index]))

    def frames(self, start: int = 0, stop: int | None = None) -> Iterator[memoryview]:
        """Raw frames start..stop for ffmpeg's rawvideo input, in the canvas's pix_fmt (yuv420p, BT.709).

        Each is a view of the painter's buffer: write it out before asking for the next.
        """
        pixels = self.painter.canvas.raw
        for index in range(start, self.plan.frame_count if stop is None else stop):
            self.paint(index)
            yield pixels


def prepare_race(keyframes: Keyframes, names: list[tuple[str, str | None]], page: Page, value_format: ValueFormat,
                 top_n: int, *, interp_steps: int, hold_frames: int, fps: int, width: int, height: int, theme: Theme,
                 pictures: list[Image.Image | None] | None = None) -> Race:
    """pictures[i] (optional) is names[i]'s square picture, ideally already race_thumb_px() wide."""
    plan = plan_race(keyframes, top_n, interp_steps, hold_frames, fps, least_shown=value_format.least_shown)
    pictures = pictures or [None] * len(names)
    with_artist = any(artist for _, artist in names)
    layout = Layout(width, height, top_n, with_artist, race=True,
                    pictures=any(picture is not None for picture in pictures))
    # Entities choose palette colours in the order they first come on screen (as with intervals, that
    # leaves a free colour whenever one can be had), away from those they share the screen with longest.
    shown = plan.positions < layout.last_visible_position
    first_seen = np.where(shown.any(axis=0), shown.argmax(axis=0), shown.shape[0])
    priority = np.lexsort((-keyframes.values.max(axis=0, initial=0), first_seen))
    on_screen = shown[:, priority].astype(np.float32)
    chosen = bar_colours([names[i] for i in priority], [pictures[i] for i in priority], theme,
                         on_screen.T @ on_screen)
    colours = [chosen[rank] for rank in np.argsort(priority, kind="stable")]
    entries = [Entry(name, artist, colour, picture)
               for (name, artist), colour, picture in zip(names, colours, pictures)]
    page = Page(page.title, page.subtitle, page.footer, tuple(plan.date_labels), tuple(plan.marker_labels))
    painter = FramePainter(layout, theme, entries, page, value_format, largest_value=float(plan.values.max(initial=0)),
                           canvas_type=YuvCanvas)
    return Race(plan, painter)


def race_thumb_px(width: int, height: int, top_n: int) -> int:
    """Side of the square pictures a race of this size draws."""
    return Layout(width, height, top_n, False, race=True).thumb_px
