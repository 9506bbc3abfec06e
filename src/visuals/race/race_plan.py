"""Plan a bar-chart race: every frame's bar positions, values, total and scale, computed up front.

Frames are then independent of each other, so painting can be split between workers and a
test can check any frame without drawing the ones before it.
"""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

import numpy as np

from src.keyframes import Keyframes
from src.visuals.race.race_motion import plan_rows, target_rows
from src.visuals.race.race_timeline import Timeline, build_timeline, interpolate, month_track, opening_keyframe

MOVE_SECONDS = 0.3  # how long a bar takes to reach its new row: quick enough to keep the order true


@dataclass(frozen=True)
class RacePlan:
    """Every frame of a race, ready to paint in any order.

    positions:     frames x members: row (0 = top); top_n + HIDDEN_GAP and beyond is below the chart
    values:        frames x members: the value shown, counting up between keyframes
    running_total: frames: the metric summed over every entity, not just the bars: since the start
                   (e.g. all streams so far), or over the rolling window when the keyframes have one
    scale:         frames: the value a full-length bar stands for
    date_index:    frames: index into date_labels
    marker_index:  frames: index into marker_labels ("no plays, ..." over a cut quiet stretch), -1 for none
    """
    positions: np.ndarray
    values: np.ndarray
    running_total: np.ndarray
    scale: np.ndarray
    date_index: np.ndarray
    _: KW_ONLY   # from here on by keyword only
    date_labels: list[str]
    top_n: int
    marker_index: np.ndarray
    marker_labels: list[str]

    @property
    def frame_count(self) -> int:
        return self.positions.shape[0]


def frame_count(keyframes: int, interp_steps: int, hold_frames: int) -> int:
    """The most frames a race of `keyframes` keyframes can have: every transition, the last keyframe, the
    hold (quiet stretches cut to a jump and a late opening make it shorter)."""
    return (keyframes - 1) * interp_steps + 1 + hold_frames


def hold_frames_for(fps: int) -> int:
    return round(2 * fps)


def move_frames_for(fps: int, interp_steps: int) -> int:
    """Frames a bar takes to reach a new row: MOVE_SECONDS, or one keyframe's time in a faster race, so the
    rows never lag the values by more than a keyframe. Odd, so two bars trading rows never meet exactly
    halfway, each drawn exactly on the other's path."""
    frames = max(1, min(round(MOVE_SECONDS * fps), interp_steps))
    return frames if frames % 2 else max(1, frames - 1)


def plan_race(keyframes: Keyframes, top_n: int, interp_steps: int, hold_frames: int, fps: int,
              *, least_shown: float = 0.0) -> RacePlan:
    """Values count up linearly between keyframes; every frame ranks them and the rows follow at once.

    least_shown is the smallest value that reads as more than nothing at the end of a bar: a bar below it
    is not on the chart.
    """
    keyframes, timeline, shown, heading = _frames(keyframes, interp_steps, hold_frames, fps, least_shown)
    totals = interpolate(keyframes.totals, timeline)
    positions = plan_rows(shown, heading, keyframes.tie_order, top_n, move_frames_for(fps, interp_steps),
                          least_shown=least_shown)
    labels, date_index = month_track(timeline.day)
    scale = np.where(positions < top_n, shown, 0).max(axis=1, initial=0)
    return RacePlan(positions, shown, totals, np.maximum(scale, 1e-9), date_index, date_labels=labels, top_n=top_n,
                    marker_index=timeline.marker, marker_labels=timeline.marker_labels)


def race_targets(keyframes: Keyframes, top_n: int, interp_steps: int, hold_frames: int, fps: int,
                 *, least_shown: float = 0.0) -> np.ndarray:
    """frames x members: the row each bar's value earns at each frame of plan_race's race (what it heads for)."""
    keyframes, _, shown, heading = _frames(keyframes, interp_steps, hold_frames, fps, least_shown)
    return target_rows(shown, heading, keyframes.tie_order, top_n, least_shown)


def _frames(keyframes: Keyframes, interp_steps: int, hold_frames: int, fps: int,
            least_shown: float) -> tuple[Keyframes, Timeline, np.ndarray, np.ndarray]:
    """The keyframes the race opens on, its timeline, each frame's values and the values each frame heads for."""
    keyframes = keyframes.since(opening_keyframe(keyframes.values, least_shown))
    timeline = build_timeline(keyframes, interp_steps, hold_frames, fps)
    heading = keyframes.values[np.minimum(timeline.key + 1, len(keyframes.dates) - 1)]
    return keyframes, timeline, interpolate(keyframes.values, timeline), heading
