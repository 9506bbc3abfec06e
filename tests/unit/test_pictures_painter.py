"""The painter: labels of bars passing each other, and the counter under the date."""
from __future__ import annotations

import numpy as np

from src.visuals.chart.layout import Layout
from src.visuals.painter import Entry, FramePainter, Page
from src.visuals.style import count_format
from src.visuals.themes import THEMES


def painter() -> FramePainter:
    layout = Layout(1080, 1350, 10, True, race=True)
    entries = [Entry("Symphony No. 5 in C Minor, Op. 67: I. Allegro con brio", "Beethoven", (40, 140, 220)),
               Entry("Dreamy Brown Noise for Deep Sleep (Loopable)", "Sleep Sounds Collective", (220, 80, 80))]
    return FramePainter(layout, THEMES["dark"], entries, Page("t", "s", "f", ("Jan 2023",)), count_format(),
                        largest_value=100)


def test_the_label_on_top_of_a_swap_reads_as_if_alone():
    paint = painter()
    lay, label = paint.layout, paint.labels[0]
    region = np.s_[:, lay.name_left:lay.column_left]
    alone = np.asarray(paint.paint(np.array([3.4, 20.0]), np.array([90.0, 80.0]), 100, 0, 170).image())[region]
    both = np.asarray(paint.paint(np.array([3.4, 3.7]), np.array([90.0, 80.0]), 100, 0, 170).image())[region]
    centre = int(lay.area_top + 3.9 * lay.slot_px)
    rows = slice(centre + label.top, centre + label.bottom)
    assert np.array_equal(alone[rows], both[rows])       # the other bar's name does not show through
    assert not np.array_equal(alone, both)              # while it is drawn below, where it shows


def test_the_running_total_is_drawn_under_the_date():
    paint = painter()
    lay = paint.layout
    band = np.s_[lay.date_baseline + 4:lay.total_baseline + 4, lay.width // 2:lay.right_edge, :3]
    small = np.asarray(paint.paint(np.array([0.0, 1.0]), np.array([90.0, 80.0]), 100, 0, 7).image())[band]
    large = np.asarray(paint.paint(np.array([0.0, 1.0]), np.array([90.0, 80.0]), 100, 0, 1_234_567).image())[band]
    ink = (np.abs(large.astype(int) - THEMES["dark"].background).max(axis=2) > 60).sum()
    assert ink > (np.abs(small.astype(int) - THEMES["dark"].background).max(axis=2) > 60).sum() > 0
