"""A frame painted straight into Y'CbCr planes equals the same frame painted in sRGB and converted: bars,
labels cut at the chart's edges, at odd positions and past the frame's right edge, plates and pictures."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from src.visuals.canvas import RgbCanvas
from src.visuals.chart.layout import Layout
from src.visuals.painter import Entry, FramePainter, Page
from src.visuals.race.yuv import rgb_to_planes
from src.visuals.race.yuv_canvas import YuvCanvas
from src.visuals.style import count_format
from src.visuals.themes import THEMES

WIDTH, HEIGHT = 481 * 2, 301 * 2   # odd chroma sizes: the last chroma column and row stand for one pixel pair
# Each entry: (position, value). Bars passing (crowded labels on plates), one cut by the chart's top and one by
# its bottom, one sliding out below, a bar of one pixel and one whose value reaches the frame's right edge.
FRAMES = [([0.0, 1.0, 2.0, 3.0, 4.0], [900, 700, 520, 300, 12]),
          ([-0.43, 0.57, 1.5, 1.9, 4.71], [880, 860, 640, 630, 1]),
          ([0.31, 1.27, 2.77, 3.13, 5.2], [901, 900, 333, 334, 7000])]


def planes_of(canvas: YuvCanvas) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(plane, dtype=np.int16) for plane in canvas.planes)


@pytest.mark.parametrize("theme_name", ["dark", "light"])
def test_planes_painted_equal_the_rgb_frame_converted(theme_name):
    theme = THEMES[theme_name]
    pictures = [Image.new("RGB", (64, 64), colour) for colour in ((250, 30, 30), (20, 200, 90))] + [None] * 3
    entries = [Entry(f"Name number {k} with a long tail", "An artist" if k % 2 else None, theme.palette[k], picture)
               for k, picture in enumerate(pictures)]
    layout = Layout(WIDTH, HEIGHT, 5, True, race=True, pictures=True)
    page = Page("Top artists", "2022", "Streams", ("Jan 2022",))
    painters = [FramePainter(layout, theme, entries, page, count_format(), largest_value=900.0, canvas_type=canvas)
                for canvas in (RgbCanvas, YuvCanvas)]
    for positions, values in FRAMES:
        arguments = (np.array(positions), np.array(values, dtype=float), 900.0, 0, float(sum(values)))
        rgb = np.asarray(painters[0].paint(*arguments).image())
        expected = [plane.astype(np.int16) for plane in rgb_to_planes(rgb)]
        painted = planes_of(painters[1].paint(*arguments))
        for name, plane, wanted in zip(("Y'", "Cb", "Cr"), painted, expected):
            difference = np.abs(plane - wanted)
            # Each space rounds its own blends: one level at most. A chroma sample blends the mean coverage
            # over the mean of what lies below, where sRGB averages after blending: the two differ only where
            # an anti-aliased edge of one bar crosses the end of another, mid-pass, at a few samples.
            tolerance = 1 if name == "Y'" else 10
            assert difference.max() <= tolerance, (name, positions, np.argwhere(difference == difference.max())[:3])
            assert (difference > 1).sum() <= 8, (name, positions, np.argwhere(difference > 1)[:8])
