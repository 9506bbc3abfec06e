"""What a chart or race says and is called: its title, subtitle and footer, and its file name."""
from __future__ import annotations

import re
from datetime import date

from backend.services.charts import queries
from backend.services.charts.requests import ChartRequest
from src.visuals.painter import Page


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
