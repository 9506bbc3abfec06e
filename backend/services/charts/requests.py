"""What a chart or a race is asked to show, as typed values the routes build from a validated body."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backend.services.charts.choices import Attribute, Metric
from src.exports.domain import STREAM_MS
from src.visuals.themes import DEFAULT_THEME


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
    theme: str = DEFAULT_THEME      # a name in src.visuals.themes.THEMES


@dataclass(frozen=True)
class RaceRequest:
    chart: ChartRequest
    fps: int
    days: int
    interp_steps: int
    period: str
    window_days: int | None = None  # None: each bar counts everything so far; else only the last window_days days
