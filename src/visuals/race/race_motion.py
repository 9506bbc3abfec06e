"""Rows of a race, frame by frame: every bar heads for its rank in that frame's values, all at once.

Each frame ranks its (interpolated) values; a bar's target is its rank, or the place below the chart
when it is outside the top N or has nothing to show (a rolling window that ran dry). Whenever the
target changes, the bar eases from where it is toward the new one and arrives `move_frames` - 1
frames after the crossing, whatever other bars do: no queue, so a bar that has arrived is always in
the row its value earns. Passing bars overlap briefly; the painter keeps their labels legible.

Positions are computed once for the whole race, one short slice per change of target, so any
frame can be read without painting the others.
"""
from __future__ import annotations

import numpy as np

HIDDEN_GAP = 0.6  # bars outside the chart wait this far below its last row, where the painter skips them
PASSING_GAP = 0.05  # a moving bar is never drawn within this much of a row it is only passing through


def ease(t: np.ndarray) -> np.ndarray:
    """Smoothstep: bars start and stop gently, and never move faster than 1.5x their average speed."""
    return t * t * (3 - 2 * t)


def rank_order(values: np.ndarray, heading: np.ndarray, tie_order: np.ndarray) -> np.ndarray:
    """frames x members: member indices best first by value; equal values by the value they head for
    (the order a moment later, so bars that start level never swap back), then by tie order."""
    # Ascending by (value, heading, reversed tie order), then read backwards: no negated copies of big arrays.
    ascending = np.lexsort((np.broadcast_to(-tie_order, values.shape), heading, values), axis=1).astype(np.int32)
    return ascending[:, ::-1]


def target_rows(values: np.ndarray, heading: np.ndarray, tie_order: np.ndarray, top_n: int,
                least_shown: float) -> np.ndarray:
    """frames x members (float32): each member's rank in its frame, or the waiting place below the chart."""
    order = rank_order(values, heading, tie_order)
    rank = np.empty(values.shape, dtype=np.int32)
    np.put_along_axis(rank, order, np.arange(values.shape[1], dtype=np.int32)[None, :], axis=1)
    # A bar whose value would read as nothing has nothing to say on the chart; values below it rank lower still.
    shown = (rank < top_n) & (values >= least_shown) & (values > 0)
    return np.where(shown, rank, top_n + HIDDEN_GAP).astype(np.float32)


def follow(targets: np.ndarray, move_frames: int) -> np.ndarray:
    """frames x members: positions easing toward each new target, arriving move_frames - 1 frames after it.

    A bar whose target changes at frame s eases from where it was at frame s - 1 to the new target, and a
    change during a move starts a new move from where the bar is: it heads for its new row at once.
    """
    positions = targets.copy()
    if move_frames <= 1 or targets.shape[0] < 2:
        return positions
    eased = ease(np.arange(1, move_frames) / move_frames)
    frame, member = np.nonzero(np.diff(targets, axis=0))
    frame += 1
    by_member = np.lexsort((frame, member))
    frame, member = frame[by_member].tolist(), member[by_member].tolist()
    for index, (start, who) in enumerate(zip(frame, member)):
        following = frame[index + 1] if index + 1 < len(frame) and member[index + 1] == who else targets.shape[0]
        stop = min(start + move_frames - 1, following)
        origin, target = positions[start - 1, who], targets[start, who]
        positions[start:stop, who] = origin + (target - origin) * eased[:stop - start]
    return _off_passed_rows(positions, targets)


def _off_passed_rows(positions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """A bar on its way that happens to sit exactly on a row it is passing would look settled in the wrong
    place for a frame; it is drawn a little further along instead."""
    row = np.round(positions)
    passing = (np.abs(positions - row) < PASSING_GAP) & (row != targets) & (positions != targets)
    positions[passing] = (row + PASSING_GAP * np.sign(targets - row))[passing]
    return positions


def plan_rows(values: np.ndarray, heading: np.ndarray, tie_order: np.ndarray, top_n: int, move_frames: int,
              *, least_shown: float = 0.0) -> np.ndarray:
    """frames x members: the row each member is drawn at; waiting members sit at top_n + HIDDEN_GAP.

    values are each frame's values, heading the values of the keyframe each frame moves toward.
    """
    return follow(target_rows(values, heading, tie_order, top_n, least_shown), move_frames)
