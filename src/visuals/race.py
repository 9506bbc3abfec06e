"""A bar-chart race ready to paint: its plan plus the painter that draws its frames."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from PIL import Image

from src.visuals.chart import bar_colour
from src.visuals.keyframes import Keyframes
from src.visuals.painter import Entry, FramePainter, Page
from src.visuals.race_plan import RacePlan, plan_race
from src.visuals.style import Layout, ValueFormat


@dataclass
class Race:
    plan: RacePlan
    painter: FramePainter

    @property
    def frame_count(self) -> int:
        return self.plan.frame_count

    def frames(self, start: int = 0, stop: int | None = None) -> Iterator[memoryview]:
        """Raw rgb0 frames start..stop for ffmpeg's rawvideo input.

        Each is a view of the painter's buffer: write it out before asking for the next.
        """
        plan = self.plan
        pixels = memoryview(self.painter.pixels).cast("B")
        for index in range(start, plan.frame_count if stop is None else stop):
            self.painter.paint(plan.positions[index], plan.values[index], float(plan.scale[index]),
                               int(plan.date_index[index]))
            yield pixels


def prepare_race(keyframes: Keyframes, names: list[tuple[str, str | None]], title: str, subtitle: str,
                 value_format: ValueFormat, top_n: int, interp_steps: int, hold_frames: int,
                 width: int, height: int, pictures: list[Image.Image | None] | None = None) -> Race:
    """pictures[i] (optional) is names[i]'s square picture, ideally already race_thumb_px() wide."""
    plan = plan_race(keyframes.values, keyframes.tie_order, keyframes.dates, top_n, interp_steps, hold_frames)
    pictures = pictures or [None] * len(names)
    with_artist = any(artist for _, artist in names)
    layout = Layout(width, height, top_n, with_artist, race=True,
                    pictures=any(picture is not None for picture in pictures))
    entries = [Entry(name, artist, bar_colour(name, artist, picture), picture)
               for (name, artist), picture in zip(names, pictures)]
    painter = FramePainter(layout, entries, Page(title, subtitle, tuple(plan.date_labels)), value_format,
                           float(plan.values.max(initial=0)))
    return Race(plan, painter)


def race_thumb_px(width: int, height: int, top_n: int) -> int:
    """Side of the square pictures a race of this size draws."""
    return Layout(width, height, top_n, False, race=True).thumb_px
