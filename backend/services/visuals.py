"""Thin wrappers from the routes to src.visuals: run the queries, check them, hand over the data."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
from flask import current_app, has_app_context
from PIL import Image

from backend.core.errors import unprocessable
from backend.routes.params import ChartRequest, RaceRequest
from backend.services import queries
from backend.services.artwork import ArtworkSettings, Wanted, fetch_pictures
from backend.services.db import read_summary
from src.visuals import ChartItem, Race, prepare_race, render_top_chart
from src.visuals.chart import chart_thumb_px
from src.visuals.race import race_thumb_px
from src.visuals.keyframes import build_keyframes, keyframe_dates
from src.visuals.race_plan import frame_count, hold_frames_for
from src.visuals.style import value_format


@dataclass(frozen=True)
class ChartImage:
    jpeg: bytes
    items: list[dict]
    filename: str
    start: date
    end: date


def _window(con: duckdb.DuckDBPyConnection, req: ChartRequest) -> queries.Window:
    """The request's days (defaulting to the whole history) in its time zone, and its shortest play."""
    first, last = queries.date_bounds(con, req.timezone)
    start, end = req.start or first, req.end or last
    if end < start:
        raise unprocessable(f"The range {start} to {end} is empty: your history runs from {first} to {last}.")
    return queries.Window(start, end, req.timezone, req.min_ms)


def _check_attribute(con: duckdb.DuckDBPyConnection, req: ChartRequest) -> None:
    if req.attribute.wire_name == "album_name" and not read_summary(con)["albums_available"]:
        raise unprocessable("This export has no album names (Account data packages never do); chart artists or "
                            "songs, or upload the Extended streaming history for albums.")


def _no_plays(window: queries.Window) -> Exception:
    what = "plays of 30 seconds or more" if window.min_ms else "plays"
    return unprocessable(f"No {what} between {window.start} and {window.end}; pick another date range.")


def _human_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _title(req: ChartRequest, n: int) -> str:
    return f"Top {n} {req.attribute.label} by {req.metric.label}"


def _filename(kind: str, req: ChartRequest, start: date, end: date, extension: str) -> str:
    stem = f"{kind}_top{req.top_n}_{req.attribute.wire_name}_{req.metric.wire_name}_{start}_{end}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem).lower() + extension


def _artwork_settings(given: ArtworkSettings | None) -> ArtworkSettings | None:
    if given is None and has_app_context():
        return ArtworkSettings.from_config(current_app.config)
    return given


def _pictures(settings: ArtworkSettings | None, attribute: queries.Attribute, names: list[tuple[str, str | None]],
              uris: list[str | None], side: int) -> list[Image.Image | None]:
    """Each bar's picture, within the artwork budget; all None without credentials (and no call)."""
    if settings is None or not settings.enabled:
        return [None] * len(names)
    if attribute.wire_name == "artist_name":
        return fetch_pictures(settings, "artist", [Wanted(uri, name) for (name, _), uri in zip(names, uris)], side)
    # an album's cover, and a song's album's cover
    return fetch_pictures(settings, "album", [Wanted(uri) for uri in uris], side)


def chart_image(con: duckdb.DuckDBPyConnection, req: ChartRequest,
                artwork: ArtworkSettings | None = None) -> ChartImage:
    """The chart's JPEG and items; `artwork` defaults to the current app's settings
    (pass ArtworkSettings.disabled() for none, or from_config(settings) outside a request)."""
    _check_attribute(con, req)
    window = _window(con, req)
    start, end = window.start, window.end
    ranked = queries.top_entities(con, req.attribute, req.metric, req.top_n, window)
    if not ranked:
        raise _no_plays(window)
    fmt = value_format(req.metric.wire_name, ranked[0].value)
    pictures = _pictures(_artwork_settings(artwork), req.attribute, [(r.name, r.artist) for r in ranked],
                         [r.track_uri for r in ranked], chart_thumb_px(req.width, req.height, req.top_n, len(ranked)))
    items = [ChartItem(r.name, r.artist, r.value, picture) for r, picture in zip(ranked, pictures)]
    jpeg = render_top_chart(items, _title(req, len(ranked)),
                            f"{_human_date(start)} – {_human_date(end)}", fmt, req.width, req.height, req.top_n)
    return ChartImage(jpeg, [_item_json(rank, r, req) for rank, r in enumerate(ranked, 1)],
                      _filename("chart", req, start, end, ".jpg"), start, end)


def _item_json(rank: int, item: queries.RankedItem, req: ChartRequest) -> dict:
    entry: dict = {"rank": rank, "name": item.name}
    if req.attribute.wire_name != "artist_name":
        entry["artist"] = item.artist
    if req.metric.wire_name == "Streams":
        entry.update(value=int(item.value), unit="streams")
    else:
        entry.update(value=round(item.value / 60_000, 2), unit="minutes")
    return entry


@dataclass(frozen=True)
class PreparedRace:
    race: Race
    filename: str
    width: int
    height: int
    fps: int


def build_race(con: duckdb.DuckDBPyConnection, req: RaceRequest, max_frames: int,
               artwork: ArtworkSettings | None = None) -> PreparedRace:
    """The race ready to paint; `artwork` as for chart_image (a job outside a request passes
    ArtworkSettings.from_config(settings); a caller that only validates passes disabled())."""
    chart = req.chart
    _check_attribute(con, chart)
    window = _window(con, chart)
    start, end = window.start, window.end
    dates = keyframe_dates(start, end, req.days, req.period)
    hold = hold_frames_for(req.fps)
    frames = frame_count(len(dates), req.interp_steps, hold)
    if frames > max_frames:
        raise unprocessable(f"This race would have {frames:,} frames; the limit is {max_frames:,}. Send a larger "
                            "days, fewer interp_steps or a shorter date range.")
    daily = queries.daily_values(con, chart.attribute, chart.metric, window)
    if daily.entity.size == 0:
        raise _no_plays(window)
    tie_order = np.argsort(np.argsort(daily.keys.astype(str), kind="stable"), kind="stable")
    keyframes = build_keyframes(daily.entity, daily.day, daily.value, len(daily.keys), tie_order,
                                start, dates, chart.top_n)
    member_keys = [str(key) for key in daily.keys[keyframes.member_ids]]
    names = queries.names_of(con, chart.attribute, member_keys)
    member_names = [names[key] for key in member_keys]
    settings = _artwork_settings(artwork)
    uris = (queries.track_uris_of(con, chart.attribute, member_keys)
            if settings is not None and settings.enabled else {})
    pictures = _pictures(settings, chart.attribute, member_names, [uris.get(key) for key in member_keys],
                         race_thumb_px(chart.width, chart.height, chart.top_n))
    fmt = value_format(chart.metric.wire_name, float(keyframes.values[-1].max(initial=0)))
    race = prepare_race(keyframes, member_names, _title(chart, chart.top_n),
                        f"{_human_date(start)} – {_human_date(end)}", fmt, chart.top_n, req.interp_steps,
                        hold, chart.width, chart.height, pictures)
    return PreparedRace(race, _filename("race", chart, start, end, ".mp4"), chart.width, chart.height, req.fps)
