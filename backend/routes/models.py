"""The request models: every JSON body and path a route takes, declared once, and the typed request each
hands the services (`to_request`).

Validation, the error a caller reads and /openapi.json all come from these classes. A value of null
means "use the default", as it always did. Fields not listed here are ignored.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from backend.routes.fields import Day, choice, decimal, figure_size, flag, text, time_zone, whole_number
from backend.services.charts import (
    ATTRIBUTE_ALIASES,
    ATTRIBUTES,
    METRIC_ALIASES,
    METRICS,
    ChartRequest,
    RaceRequest,
    picture_size,
    time_zone_names,
)
from backend.services.curation import MOMENT_PATTERN, Filters, filters_from_json
from backend.services.renders import WrappedRequest
from backend.services.sessions import SESSION_ID
from backend.services.stats import RepeatsRequest, StatsRequest
from src.exports.domain import FIRST_DAY, LAST_DAY, MAX_NAME_CHARS, STREAM_MS
from src.visuals.formats import DEFAULT_FORMAT, FORMATS, WRAPPED_FORMAT
from src.visuals.themes import DEFAULT_THEME, THEMES

NOT_AN_OBJECT = "Send a JSON object body (Content-Type: application/json) with at least session_id."
# Words a front end may send for a period (the service once read only their first letter).
PERIOD_SPELLINGS = {"day": "d", "days": "d", "daily": "d", "week": "w", "weeks": "w", "weekly": "w",
                    "month": "m", "months": "m", "monthly": "m"}


def _documented(names: list[str], aliases: dict[str, str]) -> list[str]:
    """The names, then each alias as a person would write it, without repeating a name."""
    spelled = [alias.title() for alias in aliases if alias.title() not in names]
    return names + spelled


def rule_broken(message: str) -> PydanticCustomError:
    """A rule between fields; its message is the one the caller reads."""
    return PydanticCustomError("request_rule", message)


class RequestModel(BaseModel):
    """A body or query; every field but the required ones may be null, which means its default."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any, info: ValidationInfo) -> Any:
        if info.mode == "json":   # flask-openapi3 parses a body that is a JSON string again: a string is no object
            raise PydanticCustomError("not_an_object", NOT_AN_OBJECT)
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


NAME = Field(min_length=1, max_length=MAX_NAME_CHARS, pattern=r"\S", description="a name as the export spells it, or "
             "with another letter case, accents, \"&\" for \"and\" or typographic apostrophes")
MOMENT = Field(pattern=MOMENT_PATTERN, description="ISO 8601 in UTC (Z) or with an offset, e.g. 2023-09-10T01:00:00Z")


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrackEntry(StrictModel):
    track: str = NAME
    artist: str = NAME


class AlbumEntry(StrictModel):
    album: str = NAME
    artist: str = NAME


class PeriodEntry(StrictModel):
    """Plays that stopped from start to end (both included) are left out."""
    start: str = MOMENT
    end: str = MOMENT


INCOGNITO_HINT = ("false: leave out the plays the Extended streaming history marks incognito_mode (Account data does "
                  "not mark them)")


class FiltersBody(RequestModel):
    """What to leave out of every answer and picture of a session: PUT /sessions/<id>/filters, or `filters`
    in a chart, race or card body for that request alone. At most 1,000 entries in all (413 beyond)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exclude_artists: list[Annotated[str, NAME]] | None = Field([], description="artists whose plays are left out")
    exclude_tracks: list[TrackEntry] | None = Field([], description="songs (of an artist) whose plays are left out")
    exclude_albums: list[AlbumEntry] | None = Field([], description="albums (of an artist) whose plays are left out")
    exclude_periods: list[PeriodEntry] | None = Field([], description="stretches of time whose plays are left out")
    include_incognito: bool | None = Field(True, description=INCOGNITO_HINT)
    merge_versions: bool | None = Field(False, description="true: remasters and deluxe editions of one recording or "
                                                            "album count as one entry (docs/api.md lists the rules)")

    @model_validator(mode="before")
    @classmethod
    def _read_as_the_service_reads_them(cls, data: Any, info: ValidationInfo) -> Any:
        """FiltersInvalid (400) or TooManyFilterEntries (413) in the service's words, before any field check. A
        body that is a JSON string reaches here parsed again (as RequestModel says): it is read as the string."""
        filters_from_json(data if info.mode == "python" else json.dumps(data))
        return data

    def to_filters(self) -> Filters:
        return filters_from_json(self.model_dump())


SHORT_PLAYS_HINT = "true or false (false: only plays of 30 s or more count)"
TimeZone = time_zone(time_zone_names())
SessionId = text(SESSION_ID.pattern, description="the UUID that POST /process returned",
                 json_schema_extra={"format": "uuid"})


def shortest_play_ms(count_short_plays: bool) -> int:
    """The shortest play that counts: any, or only streams (30 s or more)."""
    return 0 if count_short_plays else STREAM_MS


def check_range(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise rule_broken(f"end_date {end} is before start_date {start}; send an end on or after the start.")


FORMAT_HINT = "one of: " + ", ".join(f"{name} ({w}x{h})" for name, (w, h) in FORMATS.items()) + " (any letter case)"
THEME_HINT = f"one of: {', '.join(THEMES)} (any letter case)"


class ChartBody(RequestModel):
    """A top-N chart: POST /generate_image."""

    session_id: SessionId
    selected_attribute: choice(list(ATTRIBUTES), ATTRIBUTE_ALIASES,
                               _documented(list(ATTRIBUTES), ATTRIBUTE_ALIASES)) = "artist_name"
    analysis_metric: choice(list(METRICS), METRIC_ALIASES, _documented(list(METRICS), METRIC_ALIASES)) = "Streams"
    top_n: whole_number(1, 50, "[1-9]|[1-4][0-9]|50") = 10
    start_date: Day = None
    end_date: Day = None
    timezone: TimeZone = None
    count_short_plays: flag(SHORT_PLAYS_HINT) = False
    figsize: figure_size(0.5, 100, r"0\.[5-9][0-9]*|[1-9][0-9]?(?:\.[0-9]+)?|100(?:\.0+)?") = None
    dpi: decimal(10, 1000, r"[1-9][0-9]{1,2}(?:\.[0-9]+)?|1000(?:\.0+)?",
                 "a number from 10 to 1000 (dots per inch; needs figsize)") = None
    format: choice(list(FORMATS), {}, list(FORMATS),
                   FORMAT_HINT[:-1] + "; figsize, when sent, sets the size instead)") = DEFAULT_FORMAT
    theme: choice(list(THEMES), {}, list(THEMES), THEME_HINT) = DEFAULT_THEME
    filters: FiltersBody | None = Field(None, description="filters for this request alone, instead of the session's "
                                                          "(PUT /sessions/<id>/filters); {} for none")

    @model_validator(mode="after")
    def _fields_agree(self) -> ChartBody:
        check_range(self.start_date, self.end_date)
        if self.dpi is not None and self.figsize is None:
            raise rule_broken("figsize must be [width, height] in inches when dpi is sent, e.g. [10.8, 13.5] "
                              "with dpi 100.")
        return self

    def to_request(self, max_side: int) -> ChartRequest:
        """The chart asked for; PictureSizeOutOfRange for a figsize x dpi outside the limits."""
        width, height = picture_size(self.format, self.figsize, self.dpi, max_side)
        return ChartRequest(self.session_id, ATTRIBUTES[self.selected_attribute], METRICS[self.analysis_metric],
                            self.top_n, start=self.start_date, end=self.end_date, width=width, height=height,
                            timezone=self.timezone, min_ms=shortest_play_ms(self.count_short_plays),
                            theme=self.theme, filters=requested_filters(self.filters))


def requested_filters(body: FiltersBody | None) -> Filters | None:
    """A request's own filters, or None for the session's."""
    return body.to_filters() if body is not None else None


class StatsQuery(RequestModel):
    """The query of GET /sessions/<id>/stats: the plays that count, as a chart's body names them."""

    start_date: Day = None
    end_date: Day = None
    timezone: TimeZone = None
    count_short_plays: flag(SHORT_PLAYS_HINT, spelled=True) = False

    @model_validator(mode="after")
    def _range_in_order(self) -> StatsQuery:
        check_range(self.start_date, self.end_date)
        return self

    def to_request(self, session_id: str) -> StatsRequest:
        """The plays the query counts, like a chart's."""
        return StatsRequest(session_id, self.start_date, self.end_date, self.timezone,
                            shortest_play_ms(self.count_short_plays))


class RepeatsQuery(RequestModel):
    """The query of GET /sessions/<id>/repeats: how long a stretch of one song must be, and the zone of its nights."""

    timezone: TimeZone = None
    min_plays: whole_number(2, 100_000, "[2-9]|[1-9][0-9]{1,4}|100000") = 20
    min_minutes: whole_number(1, 100_000, "[1-9][0-9]{0,4}|100000") = 120

    def to_request(self, session_id: str) -> RepeatsRequest:
        return RepeatsRequest(session_id, self.timezone, self.min_plays, self.min_minutes)


class WrappedBody(RequestModel):
    """A Wrapped card: POST /generate_wrapped."""

    session_id: SessionId
    year: whole_number(FIRST_DAY.year, LAST_DAY.year, "20[0-9]{2}") = None
    start_date: Day = None
    end_date: Day = None
    timezone: TimeZone = None
    count_short_plays: flag(SHORT_PLAYS_HINT) = False
    format: choice(list(FORMATS), {}, list(FORMATS), FORMAT_HINT) = WRAPPED_FORMAT
    theme: choice(list(THEMES), {}, list(THEMES), THEME_HINT) = DEFAULT_THEME
    filters: FiltersBody | None = Field(None, description="filters for this request alone, instead of the session's "
                                                          "(PUT /sessions/<id>/filters); {} for none")

    @model_validator(mode="after")
    def _one_range(self) -> WrappedBody:
        if self.year is not None and (self.start_date or self.end_date):
            raise rule_broken("Send either year or start_date/end_date, not both.")
        check_range(self.start_date, self.end_date)
        return self

    def to_request(self) -> WrappedRequest:
        """The card asked for: a year is its calendar days, else the range sent (the whole history by default)."""
        start, end = self.start_date, self.end_date
        if self.year is not None:
            start, end = date(self.year, 1, 1), date(self.year, 12, 31)
        stats = StatsRequest(self.session_id, start, end, self.timezone, shortest_play_ms(self.count_short_plays),
                             filters=requested_filters(self.filters))
        return WrappedRequest(stats, self.year, *FORMATS[self.format], self.theme)


# 1..3660 (the patterns of the other ranges are written with their fields)
DAYS_DIGITS = "[1-9][0-9]{0,2}|[12][0-9]{3}|3[0-5][0-9]{2}|36[0-5][0-9]|3660"
WINDOW_HINT = ("a whole number from 1 to 3660: each bar shows its plays in that many days ending on the date shown "
               "(left out: all plays so far)")


class RaceBody(ChartBody):
    """A bar-chart race: POST /generate_animation and POST /jobs/animation."""

    speed_for_bar_animation: whole_number(1, 60, "[1-9]|[1-5][0-9]|60") = 28
    days: whole_number(1, 3660, DAYS_DIGITS) = 30
    interp_steps: whole_number(1, 120, "[1-9][0-9]?|1[01][0-9]|120") = 14
    period: choice(["d", "w", "m"], PERIOD_SPELLINGS, ["d", "w", "m", *PERIOD_SPELLINGS],
                   "d (day), w (week) or m (month), or day, week, month, their plurals, daily, weekly, monthly; "
                   "in any letter case") = "d"
    window_days: whole_number(1, 3660, DAYS_DIGITS, WINDOW_HINT) = None

    def to_request(self, max_side: int) -> RaceRequest:
        """The race asked for, its chart checked as ChartBody.to_request checks it; the one race request from
        here to the job record."""
        return RaceRequest(super().to_request(max_side), fps=self.speed_for_bar_animation,
                           keyframe_spacing_days=self.days, interp_steps=self.interp_steps, period=self.period,
                           rolling_days=self.window_days)


class SessionPath(BaseModel):
    session_id: str


class JobPath(BaseModel):
    job_id: str


BODY_MODELS: dict[str, type[RequestModel]] = {model.__name__: model for model in (ChartBody, RaceBody, StatsQuery,
                                                                                      WrappedBody, FiltersBody,
                                                                                      RepeatsQuery)}


def problem(error: ValidationError, model: type[BaseModel] | None = None) -> str:
    """The first thing wrong with a request, in words that name the field and say what to send."""
    model = model or BODY_MODELS.get(error.title)
    first = error.errors(include_url=False, include_input=False)[0]
    location = first["loc"]
    if first["type"] == "request_rule":
        return first["msg"]
    if not location or model is None or location[0] not in model.model_fields:
        return NOT_AN_OBJECT
    field = str(location[0])
    hint = model.model_fields[field].description
    if first["type"] == "missing":
        return f"{field} is required: send {hint}."
    return f"{field} must be {hint}."
