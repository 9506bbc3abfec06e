"""What a still chart and a race share: the request's days, its checks, its titles, file name and pictures."""
from __future__ import annotations

import re
from datetime import date

import duckdb
from PIL import Image

from backend.core.errors import ApiError, unprocessable
from backend.services.artwork import ArtworkSettings, Wanted, fetch_pictures
from backend.services.charts import queries
from backend.services.charts.choices import Attribute
from backend.services.charts.requests import ChartRequest
from backend.services.sessions import read_summary
from src.visuals.painter import Page


def play_window(con: duckdb.DuckDBPyConnection, start: date | None, end: date | None, timezone: str | None,
                min_ms: int) -> queries.Window:
    """The days asked for (defaulting to the whole history) in the time zone, and the shortest play counted;
    422 when they hold no day."""
    first, last = queries.date_bounds(con, timezone)
    start, end = start or first, end or last
    if end < start:
        raise unprocessable(f"The range {start} to {end} is empty: your history runs from {first} to {last}.")
    return queries.Window(start, end, timezone, min_ms)


def chart_window(con: duckdb.DuckDBPyConnection, req: ChartRequest) -> queries.Window:
    return play_window(con, req.start, req.end, req.timezone, req.min_ms)


def check_attribute(con: duckdb.DuckDBPyConnection, req: ChartRequest) -> None:
    if req.attribute.needs_albums and not read_summary(con)["albums_available"]:
        raise unprocessable("This export has no album names (Account data packages never do); chart artists or "
                            "songs, or upload the Extended streaming history for albums.")


def no_plays(window: queries.Window) -> ApiError:
    what = "plays of 30 seconds or more" if window.min_ms else "plays"
    return unprocessable(f"No {what} between {window.start} and {window.end}; pick another date range.")


def no_plays_in_windows(window: queries.Window, window_days: int | None) -> ApiError:
    """A rolling race whose every window is empty: nothing to show, refused as a chart without plays is."""
    what = "plays of 30 seconds or more" if window.min_ms else "plays"
    return unprocessable(f"No {what} in the {window_days} days up to any date of the race from {window.start} to "
                         f"{window.end}; send a larger window_days, a smaller days or another date range.")


def counted_plays(min_ms: int) -> str:
    """What a picture's footer says was counted."""
    return "plays of 30 s or more" if min_ms else "plays of any length"


def date_range_text(start: date, end: date) -> str:
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def chart_title(req: ChartRequest, n: int) -> str:
    return f"Top {n} {req.attribute.label} by {req.metric.label}"


def chart_page(req: ChartRequest, n: int, window: queries.Window, window_days: int | None = None) -> Page:
    """Title, subtitle (the range, and a rolling race's window) and the quiet footer saying what was
    counted over which days."""
    counted = counted_plays(window.min_ms)
    what = "Streams" if req.metric.ms_per_unit is None else "Listening time"
    days = date_range_text(window.start, window.end)
    zone = req.timezone or "UTC"
    if window_days:
        last, span = ((f"last {window_days} days", f"the {window_days} days up to each date") if window_days > 1
                      else ("each day", "each day"))
        return Page(chart_title(req, n), f"{days} · {last}", f"{what} of {counted} in {span} · {zone} days")
    return Page(chart_title(req, n), days, f"{what} of {counted} · {days} ({zone} days)")


def file_name(kind: str, req: ChartRequest, start: date, end: date, extension: str) -> str:
    stem = f"{kind}_top{req.top_n}_{req.attribute.wire_name}_{req.metric.wire_name}_{start}_{end}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem).lower() + extension


def bar_pictures(settings: ArtworkSettings, attribute: Attribute, names: list[tuple[str, str | None]],
                 uris: list[str | None], side: int) -> list[Image.Image | None]:
    """Each bar's picture, within the artwork budget; all None without artwork sources (and no call)."""
    if not settings.enabled:
        return [None] * len(names)
    if attribute.picture_kind == "artist":
        wanted = [Wanted(uri, name) for (name, _), uri in zip(names, uris)]
    else:
        wanted = [Wanted(uri, artist, name) for (name, artist), uri in zip(names, uris)]
    return fetch_pictures(settings, attribute.picture_kind, wanted, side)
