"""Charts and races of a session: what can be ranked and by what, the queries, and the frames to paint."""
from backend.services.charts.choices import ATTRIBUTE_ALIASES, ATTRIBUTES, METRIC_ALIASES, METRICS, Attribute, Metric
from backend.services.charts.errors import (
    CannotDraw,
    EmptyRange,
    NoAlbums,
    NothingToDraw,
    PictureSizeOutOfRange,
    RaceTooLong,
)
from backend.services.charts.play_scopes import no_plays, play_scope, seen_in
from backend.services.charts.queries import PlayScope, SourceCount, sources_of, time_zone_names
from backend.services.charts.race_preparation import PreparedRace, build_race
from backend.services.charts.requests import (
    ChartRequest,
    RaceRequest,
    picture_size,
    request_from_dict,
    request_to_dict,
)
from backend.services.charts.titles import (
    date_range_text,
    left_out_note,
    plural,
    sources_note,
    sources_text,
    with_note,
)
from backend.services.charts.top_chart import TopChartImage, top_chart_image

__all__ = [
    "ATTRIBUTES",
    "ATTRIBUTE_ALIASES",
    "METRICS",
    "METRIC_ALIASES",
    "Attribute",
    "CannotDraw",
    "ChartRequest",
    "EmptyRange",
    "Metric",
    "NoAlbums",
    "NothingToDraw",
    "PictureSizeOutOfRange",
    "PlayScope",
    "PreparedRace",
    "RaceRequest",
    "RaceTooLong",
    "SourceCount",
    "TopChartImage",
    "build_race",
    "date_range_text",
    "left_out_note",
    "no_plays",
    "picture_size",
    "play_scope",
    "plural",
    "request_from_dict",
    "request_to_dict",
    "seen_in",
    "sources_note",
    "sources_of",
    "sources_text",
    "time_zone_names",
    "top_chart_image",
    "with_note",
]
