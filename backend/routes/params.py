"""Request bodies, validated once at the edge into typed values the views can trust."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Request

from backend.core.errors import ApiError, bad_request
from backend.services.db import STREAM_MS
from backend.services.queries import (ATTRIBUTE_ALIASES, ATTRIBUTES, METRIC_ALIASES, METRICS, Attribute, Metric,
                                      time_zone_names)

DEFAULT_WIDTH, DEFAULT_HEIGHT = 1080, 1350
PERIODS = ("d", "w", "m")


@dataclass(frozen=True)
class ChartRequest:
    session_id: str
    attribute: Attribute
    metric: Metric
    top_n: int
    start: date | None
    end: date | None
    width: int
    height: int
    timezone: str | None = None     # None: calendar days in UTC
    min_ms: int = STREAM_MS         # shortest play that counts


@dataclass(frozen=True)
class RaceRequest:
    chart: ChartRequest
    fps: int
    days: int
    interp_steps: int
    period: str


def json_body(request: Request) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise bad_request("Send a JSON object body (Content-Type: application/json) with at least session_id.")
    return body


def _choice(body: dict, field: str, table: dict, aliases: dict, default: str | None = None):
    raw = body.get(field, default)
    if isinstance(raw, str):
        name = raw.strip()
        name = name if name in table else aliases.get(name.lower(), name.lower())
        if name in table:
            return table[name]
    accepted = ", ".join(list(table) + [a.title() for a in aliases])
    raise bad_request(f"{field} must be one of: {accepted}.")


def _integer(body: dict, field: str, default: int, low: int, high: int) -> int:
    raw = body.get(field, default)
    if raw is None:
        raw = default
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        raw = int(raw.strip())
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise bad_request(f"{field} must be a whole number from {low} to {high}.")
    return raw


def _number(body: dict, field: str, default: float, low: float, high: float) -> float:
    raw = body.get(field, default)
    if raw is None:
        raw = default
    try:
        value = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        value = math.nan
    if not low <= value <= high:
        raise bad_request(f"{field} must be a number from {low:g} to {high:g}.")
    return value


def _date(body: dict, field: str) -> date | None:
    raw = body.get(field)
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip()[:10])
        except ValueError:
            pass
    raise bad_request(f"{field} must be a date like 2023-01-31 (or left out for the whole history).")


def _timezone(body: dict) -> str | None:
    raw = body.get("timezone")
    if raw in (None, "", "UTC", "utc", "Z"):
        return None
    if isinstance(raw, str) and raw.strip() in time_zone_names():
        return raw.strip()
    raise bad_request("timezone must be an IANA time zone name like Europe/Berlin or America/New_York "
                      "(or left out for UTC).")


def _min_ms(body: dict) -> int:
    raw = body.get("count_short_plays", False)
    if not isinstance(raw, bool):
        raise bad_request("count_short_plays must be true or false (false: only plays of 30 s or more count).")
    return 0 if raw else STREAM_MS


def _pixel_size(body: dict, max_side: int) -> tuple[int, int]:
    figsize, dpi = body.get("figsize"), body.get("dpi")
    if figsize in (None, "") and dpi in (None, ""):
        return DEFAULT_WIDTH, DEFAULT_HEIGHT
    if not (isinstance(figsize, (list, tuple)) and len(figsize) == 2):
        raise bad_request("figsize must be [width, height] in inches, e.g. [10.8, 13.5] with dpi 100.")
    width_in = _number({"figsize": figsize[0]}, "figsize", 0, 0.5, 100)
    height_in = _number({"figsize": figsize[1]}, "figsize", 0, 0.5, 100)
    dpi_value = _number(body, "dpi", 100, 10, 1000)
    # H.264 in yuv420p needs even sides: round to the nearest even pixel count.
    width, height = (2 * round(width_in * dpi_value / 2), 2 * round(height_in * dpi_value / 2))
    if max(width, height) > max_side:
        raise ApiError(422, f"figsize x dpi gives {width}x{height} px; each side may be at most {max_side} px.")
    if min(width, height) < 320:
        raise ApiError(422, f"figsize x dpi gives {width}x{height} px; each side must be at least 320 px.")
    return width, height


def chart_request(body: dict, max_side: int) -> ChartRequest:
    session_id = body.get("session_id")
    if not isinstance(session_id, str) or not session_id:
        raise bad_request("session_id is required: send the id that POST /process returned.")
    start, end = _date(body, "start_date"), _date(body, "end_date")
    if start and end and end < start:
        raise bad_request(f"end_date {end} is before start_date {start}; send an end on or after the start.")
    width, height = _pixel_size(body, max_side)
    return ChartRequest(session_id, _choice(body, "selected_attribute", ATTRIBUTES, ATTRIBUTE_ALIASES, "artist_name"),
                        _choice(body, "analysis_metric", METRICS, METRIC_ALIASES, "Streams"),
                        _integer(body, "top_n", 10, 1, 50), start, end, width, height,
                        _timezone(body), _min_ms(body))


def race_request(body: dict, max_side: int) -> RaceRequest:
    period = body.get("period", "d")
    if not isinstance(period, str) or period.strip().lower()[:1] not in PERIODS:
        raise bad_request("period must be d (day), w (week) or m (month).")
    return RaceRequest(chart_request(body, max_side),
                       fps=_integer(body, "speed_for_bar_animation", 28, 1, 60),
                       days=_integer(body, "days", 30, 1, 3660),
                       interp_steps=_integer(body, "interp_steps", 14, 1, 120),
                       period=period.strip().lower()[:1])
