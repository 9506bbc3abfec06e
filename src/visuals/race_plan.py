"""Plan a bar-chart race: every frame's bar positions, values and scale, computed up front.

Frames are then independent of each other, so painting can be split between workers and a
test can check any frame without drawing the ones before it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

HIDDEN_GAP = 0.6  # how far below the last visible slot a bar waits before sliding in
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class RacePlan:
    positions: np.ndarray    # frames x members: slot index (0 = top); >= top_n is below the chart
    values: np.ndarray       # frames x members: the value shown (counts up between keyframes)
    scale: np.ndarray        # frames: the value a full-length bar stands for
    date_index: np.ndarray   # frames: index into date_labels
    date_labels: list[str]
    top_n: int

    @property
    def frame_count(self) -> int:
        return self.positions.shape[0]


def frame_count(keyframes: int, interp_steps: int, hold_frames: int) -> int:
    """Frames a race of `keyframes` keyframes has: the transitions, the last keyframe, the hold."""
    return (keyframes - 1) * interp_steps + 1 + hold_frames


def hold_frames_for(fps: int) -> int:
    return round(2 * fps)


def ease(t: np.ndarray) -> np.ndarray:
    """Smoothstep: bars start and stop gently, and never move faster than 1.5x their average speed."""
    return t * t * (3 - 2 * t)


def keyframe_slots(values: np.ndarray, tie_order: np.ndarray, top_n: int) -> np.ndarray:
    """Slot of each member at each keyframe; members outside the top N wait below the chart."""
    slots = np.full(values.shape, top_n + HIDDEN_GAP, dtype=np.float64)
    for k, row in enumerate(values):
        order = np.lexsort((tie_order, -row))
        visible = order[:top_n][row[order[:top_n]] > 0]
        slots[k, visible] = np.arange(visible.size)
    return slots


def plan_race(values: np.ndarray, tie_order: np.ndarray, dates: list[date], top_n: int,
              interp_steps: int, hold_frames: int) -> RacePlan:
    slots = keyframe_slots(values, tie_order, top_n)
    t = np.arange(interp_steps) / interp_steps
    eased = ease(t)[None, :, None]
    linear = t[None, :, None]
    positions = _between(slots, eased)
    shown = _between(values, linear)
    labels, date_index = _date_track(dates, t)
    positions = np.concatenate([positions, np.repeat(slots[-1:], hold_frames + 1, axis=0)])
    shown = np.concatenate([shown, np.repeat(values[-1:], hold_frames + 1, axis=0)])
    date_index = np.concatenate([date_index, np.full(hold_frames + 1, len(labels) - 1)])
    visible = positions < top_n
    scale = np.where(visible, shown, 0).max(axis=1, initial=0)
    return RacePlan(positions.astype(np.float32), shown.astype(np.float64), np.maximum(scale, 1e-9),
                    date_index.astype(np.int32), labels, top_n)


def _between(keyed: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(K-1)*steps frames moving from each keyframe row to the next by `weights`."""
    if keyed.shape[0] < 2:
        return np.empty((0, keyed.shape[1]))
    start, stop = keyed[:-1, None, :], keyed[1:, None, :]
    return (start + (stop - start) * weights).reshape(-1, keyed.shape[1])


def _date_track(dates: list[date], t: np.ndarray) -> tuple[list[str], np.ndarray]:
    labels: list[str] = []
    index: list[int] = []
    for first, second in zip(dates[:-1], dates[1:]):
        span = (second - first).days
        for fraction in t:
            index.append(_label_index(labels, first + timedelta(days=int(fraction * span))))
    _label_index(labels, dates[-1])
    return labels, np.array(index, dtype=np.int32)


def _label_index(labels: list[str], day: date) -> int:
    label = f"{MONTHS[day.month - 1]} {day.year}"
    if not labels or labels[-1] != label:
        labels.append(label)
    return len(labels) - 1
