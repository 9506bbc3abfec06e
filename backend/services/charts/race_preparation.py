"""The race: a session's top N over time, planned into frames ready to paint (src/visuals does the painting)."""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

import duckdb
import numpy as np

from backend.services.artwork import ArtworkSettings
from backend.services.charts import queries
from backend.services.charts.availability import check_attribute
from backend.services.charts.bar_pictures import bar_pictures
from backend.services.charts.errors import RaceTooLong
from backend.services.charts.play_scopes import chart_scope, no_plays_in_rolling_windows, no_timed_plays, seen_in
from backend.services.charts.queries import RankedItem
from backend.services.charts.requests import ChartRequest, RaceRequest
from backend.services.charts.titles import chart_page, coverage_json, file_name, left_out_note, with_sources
from backend.services.charts.top_chart import applied, item_json
from backend.services.curation import Curation
from src.keyframes import Keyframes, build_keyframes, keyframe_dates
from src.visuals import Race, prepare_race
from src.visuals.race.race_painter import race_thumb_px
from src.visuals.race.race_plan import frame_count, hold_frames_for
from src.visuals.themes import THEMES


@dataclass(frozen=True)
class PreparedRace:
    race: Race
    filename: str
    width: int
    height: int
    fps: int
    _: KW_ONLY
    items: list[dict]   # the last keyframe's ranking, shaped like a still chart's items
    coverage: dict      # the sources drawn from and the plays listening time leaves out (titles.coverage_json)
    filters: dict | None = None     # what the filters applied (Curation.to_json), None when none were


def build_race(con: duckdb.DuckDBPyConnection, req: RaceRequest, max_frames: int,
               artwork: ArtworkSettings, curation: Curation | None = None) -> PreparedRace:
    """The race ready to paint; a caller that only validates passes ArtworkSettings.disabled().
    `curation` is what apply_filters made of the connection's plays, for the footer and the answer."""
    chart = req.chart
    check_attribute(con, chart)
    scope = chart_scope(con, chart, curation)
    dates = keyframe_dates(scope.start, scope.end, req.keyframe_spacing_days, req.period)
    hold = hold_frames_for(req.fps)
    frames = frame_count(len(dates), req.interp_steps, hold)
    if frames > max_frames:
        raise RaceTooLong(frames, max_frames)
    daily = queries.daily_values(con, chart.attribute, chart.metric, scope)
    if daily.entity.size == 0:
        raise no_timed_plays(con, scope, chart.metric, chart.attribute)
    tie_order = np.arange(len(daily.keys))   # entities are numbered in the charts' tie order
    keyframes = build_keyframes(daily.entity, daily.day, daily.value, len(daily.keys), tie_order,
                                start=scope.start, dates=dates, top_n=chart.top_n, rolling_days=req.rolling_days)
    if not keyframes.totals.any():
        raise no_plays_in_rolling_windows(scope, req.rolling_days)
    member_keys = [str(key) for key in daily.keys[keyframes.member_ids]]
    names = queries.names_of(con, chart.attribute, member_keys, scope)
    member_names = [names[key] for key in member_keys]
    uris = queries.track_uris_of(con, chart.attribute, member_keys) if artwork.enabled else {}
    pictures = bar_pictures(artwork, chart.attribute, member_names, [uris.get(key) for key in member_keys],
                            race_thumb_px(chart.width, chart.height, chart.top_n))
    value_format = chart.metric.value_format(float(keyframes.values.max(initial=0)))
    sources = queries.sources_of(con, scope, chart.attribute.play_kind)
    note = left_out_note(seen_in(con, curation, scope))
    page = with_sources(chart_page(chart, chart.top_n, scope, req.rolling_days, note), sources, chart)
    race = prepare_race(keyframes, member_names, page, value_format, chart.top_n, interp_steps=req.interp_steps,
                        hold_frames=hold, fps=req.fps, width=chart.width, height=chart.height,
                        theme=THEMES[chart.theme], pictures=pictures)
    kind = f"race_last{req.rolling_days}d" if req.rolling_days else "race"
    return PreparedRace(race, file_name(kind, chart, scope.start, scope.end, ".mp4"), chart.width, chart.height,
                        req.fps, items=final_items(keyframes, member_names, chart),
                        coverage=coverage_json(sources, chart), filters=applied(curation))


def final_items(keyframes: Keyframes, names: list[tuple[str, str | None]], chart: ChartRequest) -> list[dict]:
    """The last keyframe's top N with a value, ranked as the race ranks them (ties in the race's order)."""
    last = keyframes.values[-1]
    ranked = [m for m in np.lexsort((keyframes.tie_order, -last)) if last[m] > 0][:chart.top_n]
    return [item_json(rank, RankedItem(*names[m], float(last[m])), chart) for rank, m in enumerate(ranked, 1)]
