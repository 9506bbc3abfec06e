"""The days and plays a chart counts, and the refusals when they hold nothing to draw."""
from __future__ import annotations

from datetime import date

import duckdb

from backend.services.charts import queries
from backend.services.charts.choices import Attribute, Metric
from backend.services.charts.errors import EmptyRange, NothingToDraw
from backend.services.charts.requests import ChartRequest
from backend.services.charts.zone_shifts import zone_shifts
from backend.services.curation import Curation, set_aside_within

ALL_LEFT_OUT = ("No plays are left to count: the filters leave out every play of this session; change them with "
                "PUT /sessions/<id>/filters.")


def play_scope(con: duckdb.DuckDBPyConnection, start: date | None, end: date | None, timezone: str | None,
               min_ms: int, *, known_days: dict | None = None) -> queries.PlayScope:
    """The days asked for (defaulting to the whole history) in the time zone, and the shortest play counted;
    EmptyRange when they hold no day. The history's first and last days are read only when a day was not
    asked for or the range is empty, and only once per time zone where `known_days` keeps them."""
    shifts = zone_shifts(con, timezone) if timezone is not None else ()
    if start is None or end is None or end < start:
        found = known_days.get(timezone) if known_days is not None else None
        first, last = found or queries.date_bounds(con, timezone, shifts)
        if known_days is not None:
            known_days[timezone] = (first, last)
        if first is None:
            raise NothingToDraw(ALL_LEFT_OUT)
        start, end = start or first, end or last
        if end < start:
            raise EmptyRange(f"The range {start} to {end} is empty: your history runs from {first} to {last}.")
    return queries.PlayScope(start, end, timezone, min_ms, shifts)


def chart_scope(con: duckdb.DuckDBPyConnection, req: ChartRequest,
                curation: Curation | None = None) -> queries.PlayScope:
    """The chart's scope; the filters' first and last days are kept with what they leave out."""
    known = curation.known_days if curation is not None and curation.in_effect else None
    return play_scope(con, req.start, req.end, req.timezone, req.min_ms, known_days=known)


def _counted(scope: queries.PlayScope) -> str:
    return "plays of 30 seconds or more" if scope.min_ms else "plays"


def no_plays(con: duckdb.DuckDBPyConnection, scope: queries.PlayScope) -> NothingToDraw:
    """Why a range holds nothing to count: the filters left out every play, or the range holds none."""
    if not con.execute("SELECT EXISTS (SELECT 1 FROM plays)").fetchone()[0]:
        return NothingToDraw(ALL_LEFT_OUT)
    return NothingToDraw(f"No {_counted(scope)} between {scope.start} and {scope.end}; pick another date range.")


def no_timed_plays(con: duckdb.DuckDBPyConnection, scope: queries.PlayScope, metric: Metric,
                   attribute: Attribute) -> NothingToDraw:
    """Why a chart found nothing to rank: no plays at all, no podcast episodes (for podcasts), or (by listening
    time) only plays whose service records no duration."""
    if attribute.play_kind == "episode":
        return NothingToDraw(f"No podcast episodes played ({_counted(scope)}) between {scope.start} and "
                             f"{scope.end}; pick another date range, or chart artists, songs or albums.")
    untimed = [source.source for source in queries.sources_of(con, scope) if source.without_duration]
    if metric.ms_per_unit is None or not untimed:
        return no_plays(con, scope)
    return NothingToDraw(f"The plays between {scope.start} and {scope.end} come from {', '.join(untimed)}, which "
                         "records no play durations, so there is no listening time to rank; chart streams "
                         "instead (analysis_metric Streams).")


def no_plays_in_rolling_windows(scope: queries.PlayScope, rolling_days: int | None) -> NothingToDraw:
    """A rolling race whose every window is empty: nothing to show, refused as a chart without plays is."""
    return NothingToDraw(f"No {_counted(scope)} in the {rolling_days} days up to any date of the race from "
                         f"{scope.start} to {scope.end}; send a larger window_days, a smaller days or another "
                         "date range.")


def seen_in(con: duckdb.DuckDBPyConnection, curation: Curation | None, scope: queries.PlayScope) -> Curation | None:
    """What the filters set aside within the scope, as its picture's footer says it (curation.set_aside_within)."""
    if curation is None or not curation.in_effect:
        return curation
    return set_aside_within(con, curation, scope.in_range_sql, scope.params())
