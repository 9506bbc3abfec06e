"""The race tells the truth at every frame, measured from the plan as a viewer measures the video.

For several real-looking races (favourites that rise and fade, a late riser, ties, a slow start,
one entity, a crowd, a rolling window, quiet years) and several speeds: settled bars are never
inverted, every bar reaches the row its value earns within the move time, nothing stands still for
more than a second before the end hold, the race opens on more than one bar, and the last frame is
the final ranking.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pytest

from harness.race_truth import (
    bar_max_for,
    inverted_frames,
    longest_run,
    opening_frames_with_at_most_one_bar,
    static_frames,
)
from src.keyframes import Keyframes, build_keyframes, keyframe_dates
from src.visuals.chart.layout import Layout
from src.visuals.race.race_motion import HIDDEN_GAP, PASSING_GAP
from src.visuals.race.race_plan import RacePlan, frame_count, hold_frames_for, move_frames_for, plan_race, race_targets

START = date(2023, 1, 1)
SPEEDS = [(28, 14), (60, 6), (24, 30)]  # fps, interp_steps: the default, fast keyframes, slow keyframes


def listening(seed: int, entities: int, days: int, plays: int, top_n: int, every: int = 7,
              rolling_days: int | None = None) -> Keyframes:
    """Keyframes of plays by entities that come into favour and fade: each has a peak day and a span."""
    rng = np.random.default_rng(seed)
    peak = rng.uniform(-0.2, 1.1, entities) * days
    span = rng.uniform(0.05, 0.6, entities) * days
    weight = 1 / (1 + np.arange(entities)) ** 0.7
    entity, day = rng.integers(0, entities, plays * 4), rng.integers(0, days, plays * 4)
    keep = rng.random(entity.size) < weight[entity] * np.exp(-(((day - peak[entity]) / span[entity]) ** 2))
    dates = keyframe_dates(START, START + timedelta(days=days - 1), every, "d")
    return build_keyframes(entity[keep], day[keep], np.ones(int(keep.sum())), entities, np.arange(entities),
                           start=START, dates=dates, top_n=top_n, rolling_days=rolling_days)


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


def quiet_years() -> Keyframes:
    """One play, a year of nothing, a burst of listening, another quiet year, then more: monthly keyframes."""
    rng = np.random.default_rng(11)
    entity, day = [0], [3]
    for first, last in ((400, 520), (900, 1000)):
        count = 600
        entity += rng.integers(0, 25, count).tolist()
        day += rng.integers(first, last, count).tolist()
    dates = keyframe_dates(START, START + timedelta(days=1100), 30, "m")
    return build_keyframes(np.array(entity), np.array(day), np.ones(len(entity)), 25, np.arange(25), start=START,
                           dates=dates, top_n=10)


RACES = {
    "quiet years": (quiet_years, 10),
    "rolling over quiet months": (lambda: listening(6, 50, 700, 900, 10, every=7, rolling_days=30), 10),
    "favourites": (lambda: listening(1, 120, 365, 40000, 10), 10),
    "crowd": (lambda: listening(2, 60, 200, 30000, 5, every=3), 5),
    "late riser": (late_riser, 10),
    "ties": (ties, 8),
    "slow start": (slow_start, 10),
    "one entity": (lambda: designed([[1], [4], [9]]), 10),
    "start before the plays": (lambda: listening(3, 40, 120, 8000, 10, every=10), 10),
    "last 30 days": (lambda: listening(4, 80, 365, 3000, 10, every=7, rolling_days=30), 10),
}


LEAST_SHOWN = 0.5  # streams: a value under half a stream reads as 0


@pytest.fixture(scope="module", params=list(RACES), ids=list(RACES))
def race(request):
    build, top_n = RACES[request.param]
    return build(), top_n


@dataclass
class Planned:
    keyframes: Keyframes
    plan: RacePlan
    layout: Layout
    fps: int
    steps: int
    move: int          # frames a bar takes to reach a new row
    hold: int


@pytest.fixture(scope="module", params=SPEEDS, ids=[f"{fps}fps-{steps}steps" for fps, steps in SPEEDS])
def planned(race, request) -> Planned:
    keyframes, top_n = race
    fps, steps = request.param
    hold = hold_frames_for(fps)
    plan = plan_race(keyframes, top_n, steps, hold, fps, least_shown=LEAST_SHOWN)
    return Planned(keyframes, plan, Layout(1080, 1350, top_n, True, race=True), fps, steps,
                   move_frames_for(fps, steps), hold)


def test_settled_bars_are_never_inverted(planned):
    inverted = inverted_frames(planned.plan, bar_max_for(planned.layout))
    assert inverted.mean() <= 0.02
    assert longest_run(inverted) <= 0.4 * planned.fps


def test_every_bar_reaches_the_row_its_value_earns_within_the_move_time(planned):
    plan = planned.plan
    order_rows = race_targets(planned.keyframes, plan.top_n, planned.steps, planned.hold, planned.fps,
                              least_shown=LEAST_SHOWN)
    # Where the ranking held still for the last `move` frames, every bar sits exactly on its rank's row.
    still = np.ones(plan.frame_count, dtype=bool)
    changes = np.flatnonzero(np.any(np.diff(order_rows, axis=0) != 0, axis=1)) + 1
    for change in changes:
        still[change:change + planned.move - 1] = False
    np.testing.assert_array_equal(plan.positions[still], order_rows[still])
    # Moves start at the crossing: a bar never heads away from the row its value earns.
    moving = np.diff(plan.positions, axis=0)
    toward = np.sign(order_rows[1:] - plan.positions[:-1])
    assert np.all((moving == 0) | (np.sign(moving) == toward))


def test_bars_below_the_chart_or_reading_zero_are_not_on_it(planned):
    plan = planned.plan
    settled_in_chart = (plan.positions == np.round(plan.positions)) & (plan.positions < plan.top_n)
    assert np.all(plan.values[settled_in_chart] >= LEAST_SHOWN)


def test_nothing_stands_still_for_more_than_a_second_before_the_end_hold(planned):
    plan = planned.plan
    still = static_frames(plan, bar_max_for(planned.layout))[:plan.frame_count - planned.hold - 1]
    assert longest_run(still) <= planned.fps


def test_the_race_opens_on_more_than_one_bar(planned):
    final = np.sum(planned.keyframes.values[-1] > 0)
    if final >= 2:
        assert opening_frames_with_at_most_one_bar(planned.plan) <= 0.5 * planned.fps
    assert np.any((planned.plan.positions[0] < planned.plan.top_n) & (planned.plan.values[0] > 0))


def test_the_last_frame_shows_the_final_ranking(planned):
    keyframes, plan = planned.keyframes, planned.plan
    final = keyframes.values[-1]
    ranked = np.lexsort((keyframes.tie_order, -final))
    shown = ranked[:plan.top_n][final[ranked[:plan.top_n]] > 0]
    np.testing.assert_array_equal(plan.positions[-1][shown], np.arange(shown.size))
    assert np.all(plan.positions[-1][np.setdiff1d(ranked, shown)] >= plan.top_n)


def test_every_keyframe_lands_exactly_in_order_within_the_frame_budget(planned):
    keyframes, plan = planned.keyframes, planned.plan
    assert plan.frame_count <= frame_count(len(keyframes.dates), planned.steps, planned.hold)
    frame = 0
    opening = np.flatnonzero(np.all(keyframes.values == plan.values[0], axis=1))
    assert opening.size, "the race opens on a keyframe"
    for k in range(int(opening[0]), len(keyframes.dates)):
        landed = np.flatnonzero(np.all(plan.values[frame:] == keyframes.values[k], axis=1)
                                & (plan.running_total[frame:] == keyframes.totals[k]))
        assert landed.size, k
        frame += int(landed[0])
    np.testing.assert_array_equal(plan.values[-planned.hold - 1:], np.repeat(plan.values[-1:], planned.hold + 1, 0))


def test_quiet_stretches_are_cut_to_a_marked_jump(planned):
    plan = planned.plan
    marked = plan.marker_index >= 0
    assert longest_run(marked) <= round(0.6 * planned.fps)
    for index in np.unique(plan.marker_index[marked]).tolist():
        frames = np.flatnonzero(plan.marker_index == index)
        # nothing counts up while the marker says there were no plays
        assert np.all(plan.values[frames] == plan.values[frames[0]])
        assert plan.marker_labels[index].startswith("no plays, ")


def test_motion_is_eased_and_bounded(planned):
    plan = planned.plan
    # smoothstep moves at most 1.5x the average speed; the longest move is from below the chart to the top row
    bound = 1.5 * (plan.top_n + HIDDEN_GAP) / max(1, planned.move - 1)
    assert np.abs(np.diff(plan.positions, axis=0)).max(initial=0) <= bound + 2 * PASSING_GAP
