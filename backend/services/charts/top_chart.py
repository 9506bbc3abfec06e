"""The still chart: the top N of a session's history as a JPEG, with the ranked items it shows."""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import date

import duckdb

from backend.services.artwork import ArtworkSettings
from backend.services.charts import queries
from backend.services.charts.availability import check_attribute
from backend.services.charts.bar_pictures import bar_pictures
from backend.services.charts.play_scopes import chart_scope, no_timed_plays, seen_in
from backend.services.charts.requests import ChartRequest
from backend.services.charts.titles import chart_page, coverage_json, file_name, left_out_note, with_sources
from backend.services.curation import Curation
from src.visuals import ChartItem, paint_top_chart
from src.visuals.chart.top_chart_painter import chart_thumb_px
from src.visuals.themes import THEMES


@dataclass(frozen=True)
class TopChartImage:
    jpeg: bytes
    items: list[dict]
    filename: str
    start: date
    _: KW_ONLY
    end: date
    coverage: dict      # the sources drawn from and the plays listening time leaves out (titles.coverage_json)
    filters: dict | None = None     # what the filters applied (Curation.to_json), None when none were


def top_chart_image(con: duckdb.DuckDBPyConnection, req: ChartRequest, artwork: ArtworkSettings,
                curation: Curation | None = None) -> TopChartImage:
    """The chart's JPEG and items; ArtworkSettings.disabled() draws it without pictures (and no call).
    `curation` is what apply_filters made of the connection's plays, for the footer and the answer."""
    check_attribute(con, req)
    scope = chart_scope(con, req, curation)
    ranked = queries.top_entities(con, req.attribute, req.metric, req.top_n, scope)
    if not ranked:
        raise no_timed_plays(con, scope, req.metric, req.attribute)
    pictures = bar_pictures(artwork, req.attribute, [(r.name, r.artist) for r in ranked], [r.track_uri for r in ranked],
                            chart_thumb_px(req.width, req.height, req.top_n, len(ranked)))
    items = [ChartItem(r.name, r.artist, r.value, picture) for r, picture in zip(ranked, pictures)]
    sources = queries.sources_of(con, scope, req.attribute.play_kind)
    page = with_sources(chart_page(req, len(ranked), scope, left_out=left_out_note(seen_in(con, curation, scope))),
                        sources, req)
    jpeg = paint_top_chart(items, page, req.metric.value_format(ranked[0].value), req.width, req.height,
                            slots=req.top_n, theme=THEMES[req.theme])
    return TopChartImage(jpeg, [item_json(rank, r, req) for rank, r in enumerate(ranked, 1)],
                      file_name("chart", req, scope.start, scope.end, ".jpg"), scope.start,
                      end=scope.end, coverage=coverage_json(sources, req), filters=applied(curation))


def applied(curation: Curation | None) -> dict | None:
    """What an answer says the filters applied; None (left out of the answer) when none were in effect."""
    return curation.to_json() if curation is not None and curation.in_effect else None


def item_json(rank: int, item: queries.RankedItem, req: ChartRequest) -> dict:
    """One ranked item as the answers give it: rank, name, artist (songs and albums), value and unit."""
    entry: dict = {"rank": rank, "name": item.name}
    if req.attribute.has_artist:
        entry["artist"] = item.artist
    entry.update(value=req.metric.item_value(item.value), unit=req.metric.unit)
    return entry
