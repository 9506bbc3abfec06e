"""The typed chart, race, statistics and Wrapped requests the services take, built from the validated request models."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from backend.core.errors import ApiError, bad_request
from backend.routes.models import ChartBody, RaceBody, StatsQuery, WrappedBody, problem
from backend.services.charts import ATTRIBUTES, METRICS, ChartRequest, RaceRequest
from backend.services.renders import WrappedRequest
from backend.services.stats import StatsRequest
from src.exports.domain import STREAM_MS
from src.visuals.formats import FORMATS

SMALLEST_SIDE_PX = 320


def validated(model: type[ChartBody], body: Mapping[str, Any] | ChartBody) -> ChartBody:
    """`body` as `model`; a 400 naming the first field that is wrong."""
    if isinstance(body, model):
        return body
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise bad_request(problem(error, model)) from None


def _pixel_size(body: ChartBody, max_side: int) -> tuple[int, int]:
    if body.figsize is None:
        return FORMATS[body.format]
    dpi = body.dpi if body.dpi is not None else 100
    # H.264 in yuv420p needs even sides: round to the nearest even pixel count.
    width, height = (2 * round(side * dpi / 2) for side in body.figsize)
    if max(width, height) > max_side:
        raise ApiError(422, f"figsize x dpi gives {width}x{height} px; each side may be at most {max_side} px.")
    if min(width, height) < SMALLEST_SIDE_PX:
        raise ApiError(422, f"figsize x dpi gives {width}x{height} px; each side must be at least "
                            f"{SMALLEST_SIDE_PX} px.")
    return width, height


def chart_request(body: Mapping[str, Any] | ChartBody, max_side: int) -> ChartRequest:
    """The chart a body asks for; 400 for a wrong field, 422 for a picture size outside the limits."""
    body = validated(ChartBody, body)
    width, height = _pixel_size(body, max_side)
    return ChartRequest(body.session_id, ATTRIBUTES[body.selected_attribute], METRICS[body.analysis_metric],
                        body.top_n, body.start_date, body.end_date, width, height, body.timezone,
                        0 if body.count_short_plays else STREAM_MS, body.theme)


def race_request(body: Mapping[str, Any] | RaceBody, max_side: int) -> RaceRequest:
    """The race a body asks for, validated like chart_request."""
    body = validated(RaceBody, body)
    return RaceRequest(chart_request(body, max_side), fps=body.speed_for_bar_animation, days=body.days,
                       interp_steps=body.interp_steps, period=body.period, window_days=body.window_days)


def stats_request(session_id: str, query: StatsQuery) -> StatsRequest:
    """The plays a statistics query counts, like a chart's."""
    return StatsRequest(session_id, query.start_date, query.end_date, query.timezone,
                        0 if query.count_short_plays else STREAM_MS)


def wrapped_request(body: WrappedBody) -> WrappedRequest:
    """The card a body asks for: a year is its calendar days, else the range sent (the whole history by default)."""
    start, end = body.start_date, body.end_date
    if body.year is not None:
        start, end = date(body.year, 1, 1), date(body.year, 12, 31)
    stats = StatsRequest(body.session_id, start, end, body.timezone, 0 if body.count_short_plays else STREAM_MS)
    return WrappedRequest(stats, body.year, *FORMATS[body.format], body.theme)
