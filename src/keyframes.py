"""From per-day values to a race's keyframes: totals on the keyframe dates, since the start or over a rolling window.

Only the entities that ever reach the top N are kept, found with one pass over the keyframes
(a running total per entity), so ten years of daily keyframes stay cheap.
"""
from __future__ import annotations

import calendar
from dataclasses import KW_ONLY, dataclass
from datetime import date, timedelta

import numpy as np

PERIOD_DAYS = {"d": 1, "w": 7, "m": 30.44}


@dataclass(frozen=True)
class Keyframes:
    dates: list[date]
    values: np.ndarray          # keyframes x members: value on each date (cumulative, or the window's)
    member_ids: np.ndarray      # members -> entity index of the daily values
    tie_order: np.ndarray       # members: position in tie-break order (smaller ranks first)
    totals: np.ndarray          # keyframes: the value summed over every entity, members or not
    _: KW_ONLY   # from here on by keyword only
    played: np.ndarray | None = None  # keyframes: a play since the keyframe before (None: unknown, read the values)

    def since(self, first: int) -> Keyframes:
        """The keyframes from index `first` on."""
        played = None if self.played is None else self.played[first:]
        return Keyframes(self.dates[first:], self.values[first:], self.member_ids, self.tie_order,
                         self.totals[first:], played=played)


def keyframe_dates(start: date, end: date, spacing_days: int, period: str) -> list[date]:
    """Keyframe dates from start to end inclusive: period ends, every `spacing_days` days' worth of periods.

    period 'd' steps `spacing_days` days from the start; 'w' snaps to week ends (Sunday) and 'm' to month
    ends, stepping round(spacing_days / 7) weeks or round(spacing_days / 30.44) months (at least one). The
    last keyframe is always `end`.
    """
    step = max(1, round(spacing_days / PERIOD_DAYS[period]))
    dates: list[date] = []
    if period == "d":
        current = start
        while current < end:
            dates.append(current)
            current += timedelta(days=step)
    elif period == "w":
        current = start + timedelta(days=(6 - start.weekday()))
        while current < end:
            dates.append(current)
            current += timedelta(weeks=step)
    else:
        current = _month_end(start)
        while current < end:
            dates.append(current)
            current = _month_end(_add_months(current, step))
    dates.append(end)
    return dates


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)


def build_keyframes(entity: np.ndarray, day: np.ndarray, value: np.ndarray, entity_count: int,
                    tie_order: np.ndarray, *, start: date, dates: list[date], top_n: int,
                    rolling_days: int | None = None) -> Keyframes:
    """Value per member entity on each keyframe date (days counted from `start`): everything up to that
    day, or with `rolling_days` only the days of the window ending on it (that day included).

    Keyframes before the first play are dropped, so a race opens on bars rather than an empty chart.
    """
    key_days = np.array([(d - start).days for d in dates], dtype=np.int64)
    order = np.argsort(day, kind="stable")
    entity, day, value = entity[order], day[order], value[order]
    # rows with day <= key_days[k] belong to keyframe k or earlier; with a window, rows with
    # day <= key_days[k] - rolling_days have left it by keyframe k
    bounds = np.searchsorted(day, key_days, side="right")
    left = (np.searchsorted(day, key_days - rolling_days, side="right") if rolling_days
            else np.zeros_like(bounds))
    running = np.zeros(entity_count, dtype=np.float64)
    totals = np.zeros(len(dates), dtype=np.float64)
    snapshots = np.zeros((len(dates), entity_count), dtype=np.float64) if entity_count <= 2048 else None
    members: set[int] = set()
    previous = gone = 0
    for k, (bound, leaving) in enumerate(zip(bounds, left)):
        np.add.at(running, entity[previous:bound], value[previous:bound])
        np.subtract.at(running, entity[gone:leaving], value[gone:leaving])
        previous, gone = bound, leaving
        # sums of whole play counts and milliseconds: exact in float64, so a window that empties reads 0
        totals[k] = running.sum()
        members.update(_top_ids(running, tie_order, top_n))
        if snapshots is not None:
            snapshots[k] = running
    member_ids = np.array(sorted(members, key=lambda i: tie_order[i]), dtype=np.int64)
    if snapshots is not None:
        values = snapshots[:, member_ids]
    else:
        values = _member_series(entity, day, value, member_ids, key_days)
        if rolling_days:
            values = values - _member_series(entity, day, value, member_ids, key_days - rolling_days)
    played = np.diff(bounds, prepend=0) > 0
    first = int(np.argmax(totals > 0)) if totals.any() else len(dates) - 1
    return Keyframes(dates, values, member_ids, tie_order[member_ids], totals, played=played).since(first)


def _top_ids(running: np.ndarray, tie_order: np.ndarray, top_n: int) -> list[int]:
    positive = np.flatnonzero(running > 0)
    if positive.size <= top_n:
        return positive.tolist()
    candidates = positive[np.argpartition(-running[positive], top_n - 1)[:top_n]]
    threshold = running[candidates].min()
    tied = positive[running[positive] >= threshold]
    ranked = tied[np.lexsort((tie_order[tied], -running[tied]))]
    return ranked[:top_n].tolist()


def _member_series(entity, day, value, member_ids, key_days) -> np.ndarray:
    column = np.full(entity.max(initial=0) + 1, -1, dtype=np.int64)
    column[member_ids] = np.arange(member_ids.size)
    keep = column[entity] >= 0
    per_day = np.zeros((key_days.size, member_ids.size), dtype=np.float64)
    slot = np.searchsorted(key_days, day[keep], side="left")
    inside = slot < key_days.size
    np.add.at(per_day, (slot[inside], column[entity[keep]][inside]), value[keep][inside])
    return np.cumsum(per_day, axis=0)
