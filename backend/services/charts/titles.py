"""What a chart or race says and is called: its title, subtitle and footer, and its file name."""
from __future__ import annotations

import dataclasses
import re
from datetime import date

from backend.services.charts import queries
from backend.services.charts.choices import Metric
from backend.services.charts.requests import ChartRequest
from backend.services.curation import Curation
from src.visuals.painter import Page


def counted_plays(min_ms: int) -> str:
    """What a picture's footer says was counted."""
    return "plays of 30 s or more" if min_ms else "plays of any length"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def left_out_note(curation: Curation | None) -> str:
    """What a picture's footer adds when its filters set plays aside or merged versions, in a few words
    ("2 artists and 1 period left out · versions merged"); "" when they did neither. Kept short: it shares
    the footer's one line with what was counted and the credits."""
    if curation is None:
        return ""
    used, words = curation.entries_used, []
    if curation.plays_set_aside:
        kinds = [plural(used[field], noun) for field, noun in (
            ("exclude_artists", "artist"), ("exclude_tracks", "song"), ("exclude_albums", "album"),
            ("exclude_periods", "period")) if used.get(field)]
        if used.get("incognito"):
            kinds.append("incognito")
        listed = ", ".join(kinds[:-1]) + " and " + kinds[-1] if len(kinds) > 1 else kinds[0]
        words.append(f"{listed} left out")
    if curation.merged_groups:
        words.append("versions merged")
    return " · ".join(words)


def with_note(footer: str, note: str) -> str:
    """The footer with left_out_note's words after it."""
    return f"{footer} · {note}" if note else footer


def date_range_text(start: date, end: date) -> str:
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def chart_title(req: ChartRequest, n: int) -> str:
    return f"Top {n} {req.attribute.label} by {req.metric.label}"


def chart_page(req: ChartRequest, n: int, scope: queries.PlayScope, rolling_days: int | None = None,
               left_out: str = "") -> Page:
    """Title, subtitle (the range, and a rolling race's window) and the quiet footer saying what was
    counted over which days, and what the filters left out (left_out_note; the range is then left to the
    subtitle, which says it too, so that the note fits the line)."""
    counted = counted_plays(scope.min_ms)
    what = "Streams" if req.metric.ms_per_unit is None else "Listening time"
    days = date_range_text(scope.start, scope.end)
    zone = req.timezone or "UTC"
    if left_out and not rolling_days:
        return Page(chart_title(req, n), days, with_note(f"{what} of {counted} ({zone} days)", left_out))
    if rolling_days:
        last, span = ((f"last {rolling_days} days", f"the {rolling_days} days up to each date") if rolling_days > 1
                      else ("each day", "each day"))
        return Page(chart_title(req, n), f"{days} · {last}",
                    with_note(f"{what} of {counted} in {span} · {zone} days", left_out))
    return Page(chart_title(req, n), days, with_note(f"{what} of {counted} · {days} ({zone} days)", left_out))


def file_name(kind: str, req: ChartRequest, start: date, end: date, extension: str) -> str:
    stem = f"{kind}_top{req.top_n}_{req.attribute.wire_name}_{req.metric.wire_name}_{start}_{end}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem).lower() + extension


def sources_text(sources: list[queries.SourceCount]) -> str:
    """The services a picture drew from, Spotify first ("Spotify, Last.fm"): the end of its footer."""
    return ", ".join(source.source for source in sources)


def sources_note(sources: list[queries.SourceCount], metric: Metric, albums: bool = False) -> str:
    """What the sources could not give, said where it is read (the subtitle): for listening time, the plays
    whose service records no duration; for albums, the share of plays that name none."""
    parts = []
    count = sum(source.without_duration for source in sources)
    if metric.ms_per_unit is not None and count:
        # Short enough for a card's subtitle; the footer names the sources.
        parts.append(f"time excludes {count:,} play{'s' if count != 1 else ''} with no duration")
    no_album = sum(source.without_album for source in sources)
    if albums and no_album:
        share = 100 * no_album / sum(source.plays for source in sources)
        parts.append(f"{share:.0f}% of plays name no album" if share >= 1 else "under 1% of plays name no album")
    return " · ".join(parts)


def with_sources(page: Page, sources: list[queries.SourceCount], req: ChartRequest) -> Page:
    """The page with the sources appended to its footer and what they lack to its subtitle (other notes
    composed before stay as they are)."""
    note = sources_note(sources, req.metric, albums=req.attribute.needs_albums)
    return dataclasses.replace(page, subtitle=_joined(page.subtitle, note),
                               footer=_joined(page.footer, sources_text(sources)))


def _joined(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


def coverage_json(sources: list[queries.SourceCount], req: ChartRequest) -> dict:
    """The answer's words for the same: the sources, the plays listening time leaves out, and for albums the
    plays that name none."""
    without = sum(source.without_duration for source in sources) if req.metric.ms_per_unit is not None else 0
    no_album = sum(source.without_album for source in sources) if req.attribute.needs_albums else 0
    return {"sources": [source.source for source in sources], "plays_without_duration": without,
            "plays_without_album": no_album}
