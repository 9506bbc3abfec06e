"""The race plan: keyframes land exactly, values and the running total only count up, the race opens on plays."""
from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pytest

from src.keyframes import build_keyframes, keyframe_dates
from src.visuals.race.race_motion import HIDDEN_GAP, ease
from src.visuals.race.race_plan import frame_count, plan_race

TOP_N, STEPS, HOLD, FPS = 3, 6, 5, 12


@pytest.fixture
def plan_and_keyframes():
    rng = np.random.default_rng(3)
    entity = rng.integers(0, 8, 400)
    day = rng.integers(0, 120, 400)
    value = np.ones(400)
    start = date(2022, 1, 1)
    dates = keyframe_dates(start, date(2022, 4, 30), 10, "d")
    tie_order = np.arange(8)
    keyframes = build_keyframes(entity, day, value, 8, tie_order, start=start, dates=dates, top_n=TOP_N)
    return plan_race(keyframes, TOP_N, STEPS, HOLD, FPS), keyframes, (entity, day)


def test_keyframe_dates_daily_weekly_monthly():
    start, end = date(2023, 1, 1), date(2023, 3, 15)
    assert keyframe_dates(start, end, 30, "d") == [date(2023, 1, 1), date(2023, 1, 31), date(2023, 3, 2), end]
    assert keyframe_dates(start, end, 30, "m") == [date(2023, 1, 31), date(2023, 2, 28), end]
    weekly = keyframe_dates(start, end, 14, "w")
    assert weekly[0] == date(2023, 1, 1) and all(d.weekday() == 6 for d in weekly[:-1])
    assert all((b - a).days == 14 for a, b in itertools.pairwise(weekly[:-1]))  # the end date closes the last step


def test_keyframe_values_are_cumulative_totals(plan_and_keyframes):
    _, keyframes, (entity, day) = plan_and_keyframes
    for k, when in enumerate(keyframes.dates):
        offset = (when - date(2022, 1, 1)).days
        for column, member in enumerate(keyframes.member_ids):
            assert keyframes.values[k, column] == np.sum((entity == member) & (day <= offset))


def test_frame_count_and_keyframes_land_exactly(plan_and_keyframes):
    plan, keyframes, (_entity, day) = plan_and_keyframes
    assert plan.frame_count == frame_count(len(keyframes.dates), STEPS, HOLD)
    for k, when in enumerate(keyframes.dates):
        np.testing.assert_array_equal(plan.values[k * STEPS], keyframes.values[k])
        assert plan.running_total[k * STEPS] == np.sum(day <= (when - date(2022, 1, 1)).days)
    np.testing.assert_array_equal(plan.values[-HOLD - 1:], np.repeat(plan.values[-1:], HOLD + 1, axis=0))


def test_values_and_the_running_total_only_count_up(plan_and_keyframes):
    plan, _, _ = plan_and_keyframes
    assert np.all(np.diff(plan.values, axis=0) >= 0)
    assert np.all(np.diff(plan.running_total) >= 0)
    # the total counts every entity's plays, not only the bars on the chart
    assert np.all(plan.running_total >= plan.values.sum(axis=1))


def test_keyframes_before_the_first_play_are_dropped_and_the_race_opens_on_two_bars():
    start = date(2022, 1, 1)
    dates = keyframe_dates(start, date(2022, 3, 31), 7, "d")
    entity, day = np.array([0, 1, 1, 2]), np.array([40, 44, 60, 89])
    keyframes = build_keyframes(entity, day, np.ones(4), 3, np.arange(3), start=start, dates=dates, top_n=TOP_N)
    assert keyframes.dates == [d for d in dates if (d - start).days >= 40]
    assert keyframes.totals[0] == 1 and keyframes.totals[-1] == 4
    assert keyframes.played.tolist() == [True, True, False, True, False, False, False, True]
    plan = plan_race(keyframes, TOP_N, STEPS, HOLD, FPS)
    # the keyframe with one bar is skipped; the three quiet weeks after day 60 (18 frames) are one 7-frame jump
    assert plan.positions[0][plan.values[0] > 0].tolist() == [0.0, 1.0]
    assert np.all(plan.positions[0][plan.values[0] == 0] == TOP_N + HIDDEN_GAP)
    assert plan.frame_count == frame_count(len(keyframes.dates) - 1, STEPS, HOLD) - 3 * STEPS + 7
    assert plan.marker_labels == ["no plays, Mar 2022"]
    assert np.sum(plan.marker_index == 0) == 7


def test_ease_is_monotonic_from_0_to_1():
    t = np.linspace(0, 1, 101)
    eased = ease(t)
    assert eased[0] == 0 and eased[-1] == 1 and np.all(np.diff(eased) >= 0)
