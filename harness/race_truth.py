"""What a viewer of a race sees, measured from its plan the way it is measured from a video's pixels.

A bar is *settled* when it sits exactly on a row; two settled bars are *inverted* when the lower one
is longer than the upper one by more than max(6 px, 3 % of the longest bar). A frame is *static*
when nothing on it differs from the frame before (bars, values as read, date, total, marker).
"""
from __future__ import annotations

import numpy as np

from src.visuals.chart.layout import Layout
from src.visuals.race.race_plan import RacePlan
from src.visuals.style import ValueFormat, count_format


def bar_lengths(plan: RacePlan, bar_max: float) -> np.ndarray:
    """frames x members: each bar's painted length in pixels."""
    return np.where(plan.values > 0, np.maximum(2.0, plan.values / plan.scale[:, None] * bar_max), 0.0)


def inverted_frames(plan: RacePlan, bar_max: float) -> np.ndarray:
    """frames: some settled bar sits under a settled bar shorter than itself by more than the tolerance."""
    lengths = bar_lengths(plan, bar_max)
    positions = plan.positions
    settled = (positions == np.round(positions)) & (positions < plan.top_n)
    tolerance = np.maximum(6.0, 0.03 * lengths.max(axis=1, initial=0))
    inverted = np.zeros(plan.frame_count, dtype=bool)
    for frame in np.flatnonzero(settled.sum(axis=1) >= 2):
        members = np.flatnonzero(settled[frame])
        by_row = members[np.argsort(positions[frame, members])]
        row_lengths = lengths[frame, by_row]
        shortest_above = np.minimum.accumulate(row_lengths)
        inverted[frame] = bool(np.any(row_lengths[1:] - shortest_above[:-1] > tolerance[frame]))
    return inverted


def longest_run(mask: np.ndarray) -> int:
    """The longest stretch of consecutive True."""
    best = current = 0
    for flag in mask.tolist():
        current = current + 1 if flag else 0
        best = max(best, current)
    return best


def static_frames(plan: RacePlan, bar_max: float, value_format: ValueFormat | None = None) -> np.ndarray:
    """frames: identical on screen to the frame before (the first frame is not): no bar moved or grew by a
    visible amount (a quarter pixel shows in a bar's anti-aliased end), no number, date or marker changed."""
    value_format = value_format or count_format()
    step = value_format.divisor * 10 ** -value_format.decimals
    read = np.round(plan.values / step)
    lengths = bar_lengths(plan, bar_max)
    same = np.zeros(plan.frame_count, dtype=bool)
    same[1:] = (np.all(plan.positions[1:] == plan.positions[:-1], axis=1)
                & np.all(np.abs(lengths[1:] - lengths[:-1]) < 0.25, axis=1)
                & np.all(read[1:] == read[:-1], axis=1)
                & (np.round(plan.running_total[1:] / step) == np.round(plan.running_total[:-1] / step))
                & (plan.date_index[1:] == plan.date_index[:-1])
                & (plan.marker_index[1:] == plan.marker_index[:-1]))
    return same


def visible_bars(plan: RacePlan) -> np.ndarray:
    """frames: bars at least partly inside the chart with a value."""
    return np.sum((plan.positions < plan.top_n) & (plan.values > 0), axis=1)


def opening_frames_with_at_most_one_bar(plan: RacePlan) -> int:
    counts = visible_bars(plan)
    return int(np.argmax(counts > 1)) if np.any(counts > 1) else plan.frame_count


def bar_max_for(layout: Layout) -> float:
    """The longest bar's length, near enough as the painter sets it (room kept for the value label)."""
    return layout.right_edge - layout.bar_left - layout.space * 5
