"""Bars read back from a decoded video's pixels, as a viewer's measuring tool would find them.

In each frame, the column just right of where bars start is split into runs of one bar colour; a run
is a bar *settled* on a row when its top and bottom match that row's bar box within a pixel, and its
length is how far its colour reaches along its middle line.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from src.visuals.chart.layout import Layout

EDGE_PX = 1.5       # how far a settled bar's edge may sit from its row's, after H.264's blur
COLOUR_DISTANCE = 60  # RGB distance within which a decoded pixel still shows a bar's colour


@dataclass(frozen=True)
class SettledBar:
    row: int
    length: int


def settled_bars(frame: np.ndarray, layout: Layout, colours: list[tuple[int, int, int]]) -> list[SettledBar]:
    """The bars of one decoded RGB frame that sit exactly on a row, top row first."""
    palette = np.array(colours, dtype=np.int32)
    x = layout.bar_left + 1
    column = frame[layout.area_top:layout.area_bottom, x].astype(np.int32)
    distance = np.linalg.norm(column[:, None, :] - palette[None, :, :], axis=2)
    nearest = np.where(distance.min(axis=1) < COLOUR_DISTANCE, distance.argmin(axis=1), -1)
    bars = []
    for top, bottom, colour in _runs(nearest):
        row = _row_of(top + layout.area_top, bottom + layout.area_top, layout)
        if row is not None:
            middle = layout.area_top + (top + bottom) // 2
            bars.append(SettledBar(row, _reach(frame[middle], layout.bar_left, palette[colour])))
    return sorted(bars, key=lambda bar: bar.row)


def inverted(bars: list[SettledBar]) -> bool:
    """A settled bar sits under one shorter than itself by more than max(6 px, 3 % of the longest)."""
    if len(bars) < 2:
        return False
    lengths = np.array([bar.length for bar in bars])
    tolerance = max(6.0, 0.03 * lengths.max())
    return bool(np.any(lengths[1:] - np.minimum.accumulate(lengths)[:-1] > tolerance))


def _runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """(first, last + 1, label) of each run of one label other than -1."""
    bounds = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate([[0], bounds])
    stops = np.concatenate([bounds, [labels.size]])
    return [(int(a), int(b), int(labels[a])) for a, b in zip(starts, stops) if labels[a] >= 0]


def _row_of(top: int, bottom: int, layout: Layout) -> int | None:
    """The row whose bar box this run fills, if it fills one exactly."""
    row = round(((top + bottom) / 2 - layout.area_top) / layout.slot_px - 0.5)
    centre = layout.area_top + (row + 0.5) * layout.slot_px
    expected_top, expected_bottom = centre - layout.bar_px / 2, centre + layout.bar_px / 2
    if 0 <= row < layout.slots and abs(top - expected_top) <= EDGE_PX and abs(bottom - expected_bottom) <= EDGE_PX:
        return row
    return None


def _reach(line: np.ndarray, left: int, colour: np.ndarray) -> int:
    """Pixels from `left` along one line of the frame that still show `colour`."""
    close = np.linalg.norm(line[left:].astype(np.int32) - colour, axis=1) < COLOUR_DISTANCE
    return int(np.argmin(close)) if not close.all() else close.size
