"""A bar-chart race ready to paint: its plan plus the painter that draws its frames."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from src.visuals.chart import colour_key
from src.visuals.keyframes import Keyframes
from src.visuals.painter import Entry, FramePainter, Page
from src.visuals.race_plan import RacePlan, plan_race
from src.visuals.style import Layout, ValueFormat, stable_colour


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
                 width: int, height: int) -> Race:
    plan = plan_race(keyframes.values, keyframes.tie_order, keyframes.dates, top_n, interp_steps, hold_frames)
    with_artist = any(artist for _, artist in names)
    layout = Layout(width, height, top_n, with_artist, race=True)
    entries = [Entry(name, artist, stable_colour(colour_key(name, artist))) for name, artist in names]
    painter = FramePainter(layout, entries, Page(title, subtitle, tuple(plan.date_labels)), value_format,
                           float(plan.values.max(initial=0)))
    return Race(plan, painter)
