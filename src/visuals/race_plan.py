"""Plan a bar-chart race: every frame's bar positions, values, total and scale, computed up front.

Frames are then independent of each other, so painting can be split between workers and a
test can check any frame without drawing the ones before it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from src.visuals.keyframes import Keyframes
from src.visuals.race_motion import plan_rows

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SWAP_SECONDS = 1 / 3  # how long two bars take to trade rows: slow enough to follow, quick enough to keep up


@dataclass(frozen=True)
class RacePlan:
    """Every frame of a race, ready to paint in any order.

    positions:     frames x members: row (0 = top); top_n + HIDDEN_GAP and beyond is below the chart
    values:        frames x members: the value shown, counting up between keyframes
    running_total: frames: the metric summed over every entity, not just the bars: since the start
                   (e.g. all streams so far), or over the rolling window when the keyframes have one
    scale:         frames: the value a full-length bar stands for
    date_index:    frames: index into date_labels
    """
    positions: np.ndarray
    values: np.ndarray
    running_total: np.ndarray
    scale: np.ndarray
    date_index: np.ndarray
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


def swap_frames_for(fps: int, interp_steps: int) -> int:
    """Frames a bar takes to move one row: a third of a second, or one keyframe's time in a faster race.

    A bar passes one bar per swap, so swaps slower than the keyframes would leave the rows lagging
    the values (and the last frame unsettled) in a race that moves fast.
    """
    return max(1, min(round(SWAP_SECONDS * fps), interp_steps))


def plan_race(keyframes: Keyframes, top_n: int, interp_steps: int, hold_frames: int, fps: int) -> RacePlan:
    """Values count up linearly between keyframes; rows follow each frame's ranking one swap at a time."""
    t = np.arange(interp_steps) / interp_steps
    shown = _with_hold(_between(keyframes.values, t), keyframes.values[-1], hold_frames)
    totals = _with_hold(_between(keyframes.totals[:, None], t)[:, 0], keyframes.totals[-1], hold_frames)
    labels, date_index = _date_track(keyframes.dates, t)
    date_index = np.concatenate([date_index, np.full(hold_frames + 1, len(labels) - 1)])
    heading = _with_hold(np.repeat(keyframes.values[1:], interp_steps, axis=0), keyframes.values[-1], hold_frames)
    positions = plan_rows(shown, heading, keyframes.tie_order, top_n, swap_frames_for(fps, interp_steps))
    scale = np.where(positions < top_n, shown, 0).max(axis=1, initial=0)
    return RacePlan(positions.astype(np.float32, copy=False), shown, totals, np.maximum(scale, 1e-9),
                    date_index.astype(np.int32), labels, top_n)


def _between(keyed: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(K-1)*steps frames moving linearly from each keyframe row to the next; each keyframe lands exactly."""
    if keyed.shape[0] < 2:
        return np.empty((0, keyed.shape[1]))
    start, stop = keyed[:-1, None, :], keyed[1:, None, :]
    return (start + (stop - start) * t[None, :, None]).reshape(-1, keyed.shape[1])


def _with_hold(moving: np.ndarray, last: np.ndarray, hold_frames: int) -> np.ndarray:
    """The last keyframe, then held still for hold_frames more frames."""
    return np.concatenate([moving, np.repeat(np.asarray(last)[None], hold_frames + 1, axis=0)])


def _date_track(dates: list[date], t: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The month shown at each moving frame (index into the labels), and the labels, which end on the last date."""
    ordinals = np.array([day.toordinal() for day in dates], dtype=np.int64)
    days = ordinals[:-1, None] + (t[None, :] * np.diff(ordinals)[:, None]).astype(np.int64)
    days = np.append(days.ravel(), ordinals[-1])
    epoch = date(1970, 1, 1).toordinal()
    months = (days - epoch).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)  # months since 1970
    changes = np.diff(months) != 0
    firsts = months[np.concatenate([[True], changes])]
    labels = [f"{MONTHS[month % 12]} {1970 + month // 12}" for month in firsts.tolist()]
    return labels, np.concatenate([[0], np.cumsum(changes)])[:-1].astype(np.int32)
