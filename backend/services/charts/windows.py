"""The days and plays a chart counts, and the refusals when they hold nothing to draw."""
from __future__ import annotations

from datetime import date

import duckdb

from backend.services.charts import queries
from backend.services.charts.choices import Attribute, Metric
from backend.services.charts.errors import EmptyRange, NothingToDraw
from backend.services.charts.requests import ChartRequest
from backend.services.charts.zone_shifts import zone_shifts


def play_window(con: duckdb.DuckDBPyConnection, start: date | None, end: date | None, timezone: str | None,
                min_ms: int) -> queries.Window:
    """The days asked for (defaulting to the whole history) in the time zone, and the shortest play counted;
    EmptyRange when they hold no day."""
    shifts = zone_shifts(con, timezone) if timezone is not None else ()
    first, last = queries.date_bounds(con, timezone, shifts)
    if first is None:
        raise NothingToDraw("No plays are left to count: the filters leave out every play of this session; "
                            "change them with PUT /sessions/<id>/filters.")
    start, end = start or first, end or last
    if end < start:
        raise EmptyRange(f"The range {start} to {end} is empty: your history runs from {first} to {last}.")
    return queries.Window(start, end, timezone, min_ms, shifts)


def chart_window(con: duckdb.DuckDBPyConnection, req: ChartRequest) -> queries.Window:
    return play_window(con, req.start, req.end, req.timezone, req.min_ms)


def _counted(window: queries.Window) -> str:
    return "plays of 30 seconds or more" if window.min_ms else "plays"


def no_plays(window: queries.Window) -> NothingToDraw:
    return NothingToDraw(f"No {_counted(window)} between {window.start} and {window.end}; pick another date range.")


def no_timed_plays(con: duckdb.DuckDBPyConnection, window: queries.Window, metric: Metric,
                   attribute: Attribute) -> NothingToDraw:
    """Why a chart found nothing to rank: no plays at all, no podcast episodes (for podcasts), or (by listening
    time) only plays whose service records no duration."""
    if attribute.play_kind == "episode":
        return NothingToDraw(f"No podcast episodes played ({_counted(window)}) between {window.start} and "
                             f"{window.end}; pick another date range, or chart artists, songs or albums.")
    untimed = [source.source for source in queries.sources_of(con, window) if source.without_duration]
    if metric.ms_per_unit is None or not untimed:
        return no_plays(window)
    return NothingToDraw(f"The plays between {window.start} and {window.end} come from {', '.join(untimed)}, which "
                         "records no play durations, so there is no listening time to rank; chart streams "
                         "instead (analysis_metric Streams).")


def no_plays_in_windows(window: queries.Window, window_days: int | None) -> NothingToDraw:
    """A rolling race whose every window is empty: nothing to show, refused as a chart without plays is."""
    return NothingToDraw(f"No {_counted(window)} in the {window_days} days up to any date of the race from "
                         f"{window.start} to {window.end}; send a larger window_days, a smaller days or another "
                         "date range.")
