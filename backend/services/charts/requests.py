"""What a chart or a race is asked to show, as typed values the routes build from a validated body, and as
the plain JSON values a render job stores; the picture's size in pixels."""
from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import KW_ONLY, dataclass
from datetime import date
from typing import Any

from backend.services.charts.choices import ATTRIBUTES, METRICS, Attribute, Metric
from backend.services.charts.errors import PictureSizeOutOfRange
from backend.services.curation import Filters, filters_from_json
from src.exports.domain import STREAM_MS
from src.visuals.formats import FORMATS
from src.visuals.themes import DEFAULT_THEME

SMALLEST_SIDE_PX = 320
# What RaceRequest's fields were called in job records stored before they were renamed.
EARLIER_FIELD_NAMES = {"days": "keyframe_spacing_days", "window_days": "rolling_days"}


@dataclass(frozen=True)
class ChartRequest:
    session_id: str
    attribute: Attribute
    metric: Metric
    top_n: int
    _: KW_ONLY
    start: date | None
    end: date | None
    width: int
    height: int
    timezone: str | None = None     # None: calendar days in UTC
    min_ms: int = STREAM_MS         # shortest play that counts
    theme: str = DEFAULT_THEME      # a name in src.visuals.themes.THEMES
    filters: Filters | None = None  # None: the session's own (services/curation)


@dataclass(frozen=True)
class RaceRequest:
    chart: ChartRequest
    _: KW_ONLY
    fps: int
    keyframe_spacing_days: int      # the wire's `days`: how far apart the keyframes are
    interp_steps: int
    period: str
    rolling_days: int | None = None  # the wire's `window_days`; None: each bar counts everything so far


def picture_size(format_name: str, figsize: tuple[float, float] | None, dpi: float | None,
                 max_side: int) -> tuple[int, int]:
    """The format's size, or figsize x dpi (100 by default) in pixels; PictureSizeOutOfRange for a side over
    max_side or under SMALLEST_SIDE_PX."""
    if figsize is None:
        return FORMATS[format_name]
    dpi = dpi if dpi is not None else 100
    # H.264 in yuv420p needs even sides: round to the nearest even pixel count.
    width, height = (2 * round(side * dpi / 2) for side in figsize)
    if max(width, height) > max_side:
        raise PictureSizeOutOfRange(f"figsize x dpi gives {width}x{height} px; each side may be at most "
                                    f"{max_side} px.")
    if min(width, height) < SMALLEST_SIDE_PX:
        raise PictureSizeOutOfRange(f"figsize x dpi gives {width}x{height} px; each side must be at least "
                                    f"{SMALLEST_SIDE_PX} px.")
    return width, height


def request_to_dict(req: RaceRequest) -> dict[str, Any]:
    """The validated race as plain JSON values: choices by their wire name, dates in ISO form."""
    return _plain(req)


def request_from_dict(data: dict[str, Any]) -> RaceRequest:
    """The RaceRequest that request_to_dict stored, also under the names records had before (a job queued
    before an upgrade still runs after it)."""
    return _typed(RaceRequest, {EARLIER_FIELD_NAMES.get(name, name): value for name, value in data.items()})


def _plain(value: Any) -> Any:
    if isinstance(value, Filters):
        return value.to_json() if not value.is_empty() else {}
    if isinstance(value, (Attribute, Metric)):
        return value.wire_name
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return {item.name: _plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    return value


def _typed(kind: Any, value: Any) -> Any:
    """Rebuild a value of the annotated type from its plain form (the inverse of _plain)."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        if value is None:
            return None
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if kind is Filters:
        return filters_from_json(value)
    if kind is Attribute:
        return ATTRIBUTES[value]
    if kind is Metric:
        return METRICS[value]
    if kind is date:
        return date.fromisoformat(value)
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{item.name: _typed(hints[item.name], value[item.name])
                       for item in dataclasses.fields(kind) if item.name in value})
    return value
