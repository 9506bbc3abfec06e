"""The race moves cleanly: every frame's bar boxes, computed from the plan, never pile up.

For several real-looking races (favourites that rise and fade, a late riser, ties, a slow start,
one entity, a crowd) and several speeds: at most two bars overlap, and only while they trade rows
as their values cross; bars come in and go out below the last row one at a time; the first frame
has a bar; the last frame is the final ranking.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pytest

from src.visuals.keyframes import Keyframes, build_keyframes, keyframe_dates
from src.visuals.layout import Layout
from src.visuals.race_motion import HIDDEN_GAP
from src.visuals.race_plan import RacePlan, frame_count, hold_frames_for, plan_race, swap_frames_for

START = date(2023, 1, 1)
SPEEDS = [(28, 14), (60, 6), (24, 30)]  # fps, interp_steps: the default, fast keyframes, slow keyframes


def listening(seed: int, entities: int, days: int, plays: int, top_n: int, every: int = 7,
              window_days: int | None = None) -> Keyframes:
    """Keyframes of plays by entities that come into favour and fade: each has a peak day and a span."""
    rng = np.random.default_rng(seed)
    peak = rng.uniform(-0.2, 1.1, entities) * days
    span = rng.uniform(0.05, 0.6, entities) * days
    weight = 1 / (1 + np.arange(entities)) ** 0.7
    entity, day = rng.integers(0, entities, plays * 4), rng.integers(0, days, plays * 4)
    keep = rng.random(entity.size) < weight[entity] * np.exp(-(((day - peak[entity]) / span[entity]) ** 2))
    dates = keyframe_dates(START, START + timedelta(days=days - 1), every, "d")
    return build_keyframes(entity[keep], day[keep], np.ones(int(keep.sum())), entities, np.arange(entities),
                           START, dates, top_n, window_days)


def designed(values: list[list[float]]) -> Keyframes:
    """Keyframes given directly: one row of cumulative values per keyframe, a week apart."""
    array = np.array(values, dtype=np.float64)
    dates = [START + timedelta(weeks=k) for k in range(array.shape[0])]
    members = np.arange(array.shape[1])
    return Keyframes(dates, array, members, members, array.sum(axis=1))


def late_riser() -> Keyframes:
    """Ten steady bars; the 9th jumps to 3rd within one keyframe, passing six close rivals."""
    base = np.array([100, 90, 80, 78, 77, 76, 75, 74, 40, 30], dtype=np.float64)
    rows = [base * (1 + 0.1 * k) for k in range(4)]
    rows[3][8] = rows[3][2] - 1
    rows.append(rows[3] * 1.05)
    return designed([row.tolist() for row in rows])


def ties() -> Keyframes:
    """Small whole counts: many bars share a value, and pass each other only through ties."""
    rng = np.random.default_rng(5)
    weekly = rng.integers(0, 3, (12, 14))
    return designed(np.cumsum(weekly, axis=0).tolist())


def slow_start() -> Keyframes:
    """The first keyframe has one play, the next many: bars must not rise in a packed stack."""
    first = [[1] + [0] * 11, [2, 5, 4, 4, 3, 6, 2, 1, 7, 3, 3, 2]]
    growth = np.cumsum(np.random.default_rng(8).integers(0, 6, (10, 12)), axis=0) + first[1]
    return designed(first + growth.tolist())


RACES = {
    "favourites": (lambda: listening(1, 120, 365, 40000, 10), 10),
    "crowd": (lambda: listening(2, 60, 200, 30000, 5, every=3), 5),
    "late riser": (late_riser, 10),
    "ties": (ties, 8),
    "slow start": (slow_start, 10),
    "one entity": (lambda: designed([[1], [4], [9]]), 10),
    "start before the plays": (lambda: listening(3, 40, 120, 8000, 10, every=10), 10),
    "last 30 days": (lambda: listening(4, 80, 365, 3000, 10, every=7, window_days=30), 10),
}


def bar_boxes(plan: RacePlan, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """frames x members: the pixel rows each bar spans, as the painter places it."""
    centre = layout.area_top + (plan.positions.astype(np.float64) + 0.5) * layout.slot_px
    return centre - layout.bar_px / 2, centre + layout.bar_px / 2


def ranks_ahead(plan: RacePlan, keyframes: Keyframes, a: int, b: int, frames: slice) -> bool:
    """At some frame in `frames`, a's value puts it ahead of b (ties go by tie order)."""
    va, vb = plan.values[frames, a], plan.values[frames, b]
    return bool(np.any((va > vb) | ((va == vb) & (keyframes.tie_order[a] < keyframes.tie_order[b]))))


@pytest.fixture(scope="module", params=list(RACES), ids=list(RACES))
def race(request):
    build, top_n = RACES[request.param]
    return build(), top_n


@dataclass
class Planned:
    keyframes: Keyframes
    plan: RacePlan
    layout: Layout
    steps: int
    swap: int          # frames a bar takes to change rows
    top: np.ndarray    # frames x members: pixel row of each bar's top edge ...
    bottom: np.ndarray  # ... and bottom edge
    visible: np.ndarray


@pytest.fixture(scope="module", params=SPEEDS, ids=[f"{fps}fps-{steps}steps" for fps, steps in SPEEDS])
def planned(race, request) -> Planned:
    keyframes, top_n = race
    fps, steps = request.param
    plan = plan_race(keyframes, top_n, steps, hold_frames_for(fps), fps)
    layout = Layout(1080, 1350, top_n, True, race=True)
    top, bottom = bar_boxes(plan, layout)
    visible = (bottom > layout.area_top) & (top < layout.area_bottom)
    return Planned(keyframes, plan, layout, steps, swap_frames_for(fps, steps), top, bottom, visible)


def overlapping_pairs(race: Planned) -> np.ndarray:
    """frame, a, b (a < b) for every two visible bars whose boxes share a pixel row."""
    top, bottom, visible = race.top, race.bottom, race.visible
    share = (top[:, :, None] < bottom[:, None, :]) & (top[:, None, :] < bottom[:, :, None])
    share &= visible[:, :, None] & visible[:, None, :]
    return np.argwhere(np.triu(share, k=1))


def test_no_bar_overlaps_more_than_one_other(planned):
    pairs = overlapping_pairs(planned)
    partners = np.zeros(planned.visible.shape, dtype=np.int64)
    np.add.at(partners, (pairs[:, 0], pairs[:, 1]), 1)
    np.add.at(partners, (pairs[:, 0], pairs[:, 2]), 1)
    assert partners.max(initial=0) <= 1


def test_bars_overlap_only_while_trading_rows_as_their_values_cross(planned):
    plan, swap = planned.plan, planned.swap
    positions = plan.positions.astype(np.float64)
    for frame, a, b in overlapping_pairs(planned):
        gap = positions[:, a] - positions[:, b]
        apart = np.abs(gap) >= 1 - 1e-6
        began = np.flatnonzero(apart[:frame + 1])[-1]
        landed = frame + np.flatnonzero(apart[frame:])[0]
        assert landed - began <= swap, (frame, a, b)
        riser, sinker = (a, b) if gap[began] > 0 else (b, a)
        assert np.sign(gap[landed]) == -np.sign(gap[began]), "they trade rows"
        assert ranks_ahead(plan, planned.keyframes, riser, sinker, slice(max(0, frame - swap), frame + 1))


def test_bars_enter_and_leave_below_the_last_row_one_at_a_time(planned):
    positions, visible, top_n = planned.plan.positions, planned.visible, planned.plan.top_n
    appearing = visible[1:] & ~visible[:-1]
    leaving = visible[:-1] & ~visible[1:]
    assert np.all(positions[1:][appearing] > top_n - 1)
    assert np.all(positions[:-1][leaving] > top_n - 1)
    straddling = visible & (planned.bottom > planned.layout.area_bottom)
    rising = np.diff(positions, axis=0, prepend=positions[:1]) < 0
    assert np.sum(straddling & rising, axis=1).max() <= 1
    assert np.sum(straddling & ~rising, axis=1).max() <= 1


def test_the_first_frame_shows_a_bar_and_the_last_the_final_ranking(planned):
    keyframes, plan, visible = planned.keyframes, planned.plan, planned.visible
    assert np.any(visible[0] & (plan.values[0] > 0))
    assert np.all(plan.positions[0][visible[0]] == np.round(plan.positions[0][visible[0]]))
    final = keyframes.values[-1]
    ranked = np.lexsort((keyframes.tie_order, -final))
    shown = ranked[:plan.top_n][final[ranked[:plan.top_n]] > 0]
    np.testing.assert_array_equal(plan.positions[-1][shown], np.arange(shown.size))
    assert np.all(plan.positions[-1][np.setdiff1d(ranked, shown)] >= plan.top_n)


def test_keyframes_land_exactly_and_the_frame_count_keeps_its_formula(planned):
    keyframes, plan, steps = planned.keyframes, planned.plan, planned.steps
    hold = plan.frame_count - 1 - (len(keyframes.dates) - 1) * steps
    assert hold in [hold_frames_for(fps) for fps, _ in SPEEDS]
    assert plan.frame_count == frame_count(len(keyframes.dates), steps, hold)
    for k, values in enumerate(keyframes.values):
        np.testing.assert_array_equal(plan.values[k * steps], values)
        assert plan.running_total[k * steps] == keyframes.totals[k]
    cumulative = np.all(np.diff(keyframes.values, axis=0) >= 0)
    assert not cumulative or np.all(np.diff(plan.running_total) >= 0)


def test_motion_is_eased_and_bounded(planned):
    plan = planned.plan
    # smoothstep moves at most 1.5x the average speed; the longest move is from below the chart to the top row
    bound = 1.5 * (plan.top_n + HIDDEN_GAP) / planned.swap
    assert np.abs(np.diff(plan.positions, axis=0)).max(initial=0) <= bound + 1e-6
