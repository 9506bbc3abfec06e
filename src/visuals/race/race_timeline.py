"""Which moment of the listening history each frame of a race shows.

Keyframe transitions take `interp_steps` frames each, but time in which nothing happens is not
shown: a stretch of keyframes with no plays (and so no change) longer than a short jump is cut to
that jump, marked on screen ("no plays, Oct 2021 – Sep 2022") while it lasts. The race opens where
there is something to compare: on the first keyframe with two bars (or the final number, if fewer).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from src.keyframes import Keyframes

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
JUMP_SECONDS = 0.6  # how long a cut stretch without plays stays on screen: long enough to read its marker


@dataclass(frozen=True)
class Timeline:
    """Per frame: the keyframe it leaves (key), how far toward the next (fraction), the day shown, and
    the index of the marker drawn over the counter (-1 for none)."""
    key: np.ndarray
    fraction: np.ndarray
    day: np.ndarray
    marker: np.ndarray
    marker_labels: list[str]

    @property
    def frames(self) -> int:
        return self.key.size


def opening_keyframe(values: np.ndarray, least_shown: float) -> int:
    """The first keyframe with two bars on screen, or with as many as the race ever has, if fewer."""
    shown = (values >= least_shown) & (values > 0)
    counts = shown.sum(axis=1)
    wanted = min(2, int(counts.max(initial=0)))
    return int(np.argmax(counts >= wanted))


def quiet_transitions(keyframes: Keyframes) -> np.ndarray:
    """keyframes - 1 booleans: no play between keyframe k and k + 1, so nothing on screen changes."""
    values, totals = keyframes.values, keyframes.totals
    unchanged = np.all(values[1:] == values[:-1], axis=1) & (totals[1:] == totals[:-1])
    if keyframes.played is not None:
        unchanged &= ~keyframes.played[1:]
    return unchanged


def build_timeline(keyframes: Keyframes, interp_steps: int, hold_frames: int, fps: int) -> Timeline:
    """The frames of a race: every transition, quiet stretches cut to a jump, the last keyframe, the hold."""
    ordinals = np.array([day.toordinal() for day in keyframes.dates], dtype=np.float64)
    quiet = quiet_transitions(keyframes)
    jump = max(1, round(JUMP_SECONDS * fps))
    steps = np.arange(interp_steps) / interp_steps
    keys, fractions, days, markers, labels = [], [], [], [], []
    k, last = 0, len(keyframes.dates) - 1
    while k < last:
        end = k
        while end < last and quiet[end]:
            end += 1
        if (end - k) * interp_steps > jump:
            # Quiet from the day after keyframe k to keyframe `end`: shown as one marked jump.
            labels.append(_quiet_label(keyframes.dates[k] + timedelta(days=1), keyframes.dates[end]))
            keys.append(np.full(jump, k))
            fractions.append(np.zeros(jump))
            days.append(np.full(jump, ordinals[end]))
            markers.append(np.full(jump, len(labels) - 1))
            k = end
            continue
        keys.append(np.full(interp_steps, k))
        fractions.append(steps)
        days.append(ordinals[k] + steps * (ordinals[k + 1] - ordinals[k]))
        markers.append(np.full(interp_steps, -1))
        k += 1
    keys.append(np.full(hold_frames + 1, last))
    fractions.append(np.zeros(hold_frames + 1))
    days.append(np.full(hold_frames + 1, ordinals[last]))
    markers.append(np.full(hold_frames + 1, -1))
    return Timeline(np.concatenate(keys).astype(np.int64), np.concatenate(fractions),
                    np.floor(np.concatenate(days)).astype(np.int64), np.concatenate(markers).astype(np.int32),
                    labels)


def _quiet_label(first: date, last: date) -> str:
    since, until = _month(first), _month(last)
    return f"no plays, {since}" if since == until else f"no plays, {since} – {until}"


def _month(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def interpolate(keyed: np.ndarray, timeline: Timeline) -> np.ndarray:
    """Rows of `keyed` (one per keyframe) at every frame, moving linearly from each keyframe to the next."""
    following = np.minimum(timeline.key + 1, keyed.shape[0] - 1)
    start, stop = keyed[timeline.key], keyed[following]
    fraction = timeline.fraction.reshape((-1,) + (1,) * (keyed.ndim - 1))
    return start + (stop - start) * fraction


def month_track(day_ordinals: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The month shown at each frame (index into the labels), and the labels, one per month reached."""
    epoch = date(1970, 1, 1).toordinal()
    months = (day_ordinals - epoch).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    changes = np.diff(months) != 0
    firsts = months[np.concatenate([[True], changes])]
    labels = [f"{MONTHS[month % 12]} {1970 + month // 12}" for month in firsts.tolist()]
    return labels, np.concatenate([[0], np.cumsum(changes)]).astype(np.int32)
