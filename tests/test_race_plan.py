"""The race plan: keyframes land exactly, motion is eased and bounded, values only count up."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from src.visuals.keyframes import build_keyframes, keyframe_dates
from src.visuals.race_plan import HIDDEN_GAP, ease, frame_count, plan_race

TOP_N, STEPS, HOLD = 3, 6, 5


@pytest.fixture
def plan_and_keyframes():
    rng = np.random.default_rng(3)
    entity = rng.integers(0, 8, 400)
    day = rng.integers(0, 120, 400)
    value = np.ones(400)
    start = date(2022, 1, 1)
    dates = keyframe_dates(start, date(2022, 4, 30), 10, "d")
    tie_order = np.arange(8)
    keyframes = build_keyframes(entity, day, value, 8, tie_order, start, dates, TOP_N)
    return plan_race(keyframes.values, keyframes.tie_order, dates, TOP_N, STEPS, HOLD), keyframes, (entity, day)


def test_keyframe_dates_daily_weekly_monthly():
    start, end = date(2023, 1, 1), date(2023, 3, 15)
    assert keyframe_dates(start, end, 30, "d") == [date(2023, 1, 1), date(2023, 1, 31), date(2023, 3, 2), end]
    assert keyframe_dates(start, end, 30, "m") == [date(2023, 1, 31), date(2023, 2, 28), end]
    weekly = keyframe_dates(start, end, 14, "w")
    assert weekly[0] == date(2023, 1, 1) and all(d.weekday() == 6 for d in weekly[:-1])
    assert all((b - a).days == 14 for a, b in zip(weekly[:-2], weekly[1:-1]))


def test_keyframe_values_are_cumulative_totals(plan_and_keyframes):
    _, keyframes, (entity, day) = plan_and_keyframes
    for k, when in enumerate(keyframes.dates):
        offset = (when - date(2022, 1, 1)).days
        for column, member in enumerate(keyframes.member_ids):
            assert keyframes.values[k, column] == np.sum((entity == member) & (day <= offset))


def test_frame_count_and_keyframes_land_exactly(plan_and_keyframes):
    plan, keyframes, _ = plan_and_keyframes
    assert plan.frame_count == frame_count(len(keyframes.dates), STEPS, HOLD)
    for k in range(len(keyframes.dates)):
        np.testing.assert_allclose(plan.values[k * STEPS], keyframes.values[k])
    np.testing.assert_array_equal(plan.positions[-HOLD - 1:], np.repeat(plan.positions[-1:], HOLD + 1, axis=0))


def test_values_only_count_up_and_motion_is_bounded(plan_and_keyframes):
    plan, _, _ = plan_and_keyframes
    assert np.all(np.diff(plan.values, axis=0) >= 0)
    # smoothstep moves at most 1.5x the average speed; a bar crosses at most TOP_N + gap slots
    assert np.abs(np.diff(plan.positions, axis=0)).max() <= 1.5 * (TOP_N + HIDDEN_GAP) / STEPS + 1e-6


def test_keyframes_show_the_top_n_in_rank_order_and_the_rest_wait_below(plan_and_keyframes):
    plan, keyframes, _ = plan_and_keyframes
    for k, values in enumerate(keyframes.values):
        positions = plan.positions[k * STEPS]
        shown = min(TOP_N, int((values > 0).sum()))
        ranked = np.lexsort((keyframes.tie_order, -values))
        np.testing.assert_array_equal(positions[ranked[:shown]], np.arange(shown))
        assert np.all(positions[ranked[shown:]] == TOP_N + HIDDEN_GAP)


def test_ease_is_monotonic_from_0_to_1():
    t = np.linspace(0, 1, 101)
    eased = ease(t)
    assert eased[0] == 0 and eased[-1] == 1 and np.all(np.diff(eased) >= 0)
