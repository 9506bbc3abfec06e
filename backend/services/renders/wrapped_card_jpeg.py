"""Drawing a session's Wrapped card: its statistics over a range, the top artists' pictures, one JPEG."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backend.core.settings import Settings
from backend.services.artwork import ArtworkSettings, Wanted, fetch_pictures
from backend.services.charts import date_range_text, left_out_note, play_scope, plural, seen_in, with_note
from backend.services.curation import Curation, curate
from backend.services.hygiene import logged_memory
from backend.services.sessions import SessionStore, open_session
from backend.services.stats import StatsRequest, card_stats
from src.visuals.card.card_layout import TOP, CardLayout
from src.visuals.card.wrapped_card_painter import Fact, Ranked, WrappedCard, paint_wrapped_card
from src.visuals.painter import Page
from src.visuals.themes import THEMES

HEADINGS = {"hero": "You listened for", "artists": "Top artists", "songs": "Top songs", "clock": "Listening clock",
            "streak": "Longest streak", "discovery": "Top discovery"}
WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


@dataclass(frozen=True)
class WrappedRequest:
    stats: StatsRequest      # the session and the plays that count
    year: int | None         # the calendar year asked for, which the title then names
    width: int
    height: int
    theme: str


@dataclass(frozen=True)
class WrappedImage:
    jpeg: bytes
    filename: str
    stats: dict
    pictures: int            # artists drawn with their picture
    filters: dict | None     # what the filters applied (Curation.to_json), None when none were


def render_wrapped_card(settings: Settings, sessions: SessionStore, req: WrappedRequest) -> WrappedImage:
    """The card a request asks for, with the numbers it shows; artwork as configured."""
    with logged_memory("wrapped"), sessions.using(req.stats.session_id) as path, open_session(path) as con:
        curation = curate(con, sessions, req.stats.session_id, req.stats.filters)
        counted = card_stats(con, req.stats, TOP)
        drawn = counted.stats["range"]
        seen = seen_in(con, curation, play_scope(con, date.fromisoformat(drawn["start"]),
                                                 date.fromisoformat(drawn["end"]), req.stats.timezone,
                                                 req.stats.min_ms))
    stats = counted.stats
    wanted = [Wanted(uri, artist["name"]) for artist, uri in zip(stats["top_artists"], counted.artist_tracks)]
    pictures = fetch_pictures(ArtworkSettings.from_settings(settings), "artist", wanted,
                              CardLayout(req.width, req.height).thumb_px)
    card = build_wrapped_card(stats, pictures, req, seen, sources=counted.sources_text,
                        minutes_note=counted.minutes_note)
    jpeg = paint_wrapped_card(card, req.width, req.height, THEMES[req.theme])
    return WrappedImage(jpeg, f"wrapped_{drawn['start']}_{drawn['end']}.jpg", stats,
                        sum(picture is not None for picture in pictures),
                        curation.to_json() if curation.in_effect else None)


def build_wrapped_card(stats: dict, pictures: list, req: WrappedRequest, curation: Curation | None = None, *,
                 sources: str = "", minutes_note: str = "") -> WrappedCard:
    """The card's words and figures, from the statistics; its footer says what the filters left out and ends
    with the sources, and minutes_note (the plays its minutes leave out) ends its subtitle."""
    start, end = (date.fromisoformat(stats["range"][key]) for key in ("start", "end"))
    totals, days = stats["totals"], date_range_text(start, end)
    counted = "Music streams of 30 s or more" if req.stats.min_ms else "Music plays of any length"
    note, zone = left_out_note(curation), stats["range"]["timezone"]
    # with a note the range is left to the subtitle, which says it too, so that the note fits the line
    footer = with_note(f"{counted} ({zone} days)", note) if note else f"{counted} · {days} ({zone} days)"
    page = Page(f"Your {req.year} in music" if req.year else "Your listening, wrapped",
                " · ".join(part for part in (days, minutes_note) if part),
                " · ".join(part for part in (footer, sources) if part))
    minutes = round(totals["minutes"])
    detail = " · ".join(plural(totals[key], noun) for key, noun in (
        ("streams", "stream"), ("artists", "artist"), ("songs", "song"), ("active_days", "day")))
    artists = [Ranked(artist["name"], plural(artist["streams"], "stream"), picture)
               for artist, picture in zip(stats["top_artists"], pictures)]
    songs = [Ranked(song["name"], song["artist"]) for song in stats["top_songs"]]
    streak = stats["longest_streak"]
    return WrappedCard(page, f"{minutes:,}", "minute" if minutes == 1 else "minutes", detail, artists, songs=songs,
                       clock=stats["clock"], clock_note=busiest_hour(stats["clock"]),
                       streak=Fact(plural(streak["days"], "day"), date_range_text(date.fromisoformat(streak["start"]),
                                                                           date.fromisoformat(streak["end"]))),
                       discovery=discovery_fact(stats["top_discovery"]), headings=HEADINGS)


def busiest_hour(clock: list[list[int]]) -> str:
    """The weekday hour with the most streams (the earliest of equals), in words."""
    _, day, hour = max((count, -day, -hour) for day, hours in enumerate(clock) for hour, count in enumerate(hours))
    day, hour = -day, -hour
    return f"Busiest: {WEEKDAYS[day]}, {hour:02d}:00–{(hour + 1) % 24:02d}:00"


def discovery_fact(top: dict | None) -> Fact:
    if top is None:
        return Fact("No new artists", "none streamed for the first time in this range")
    month = date.fromisoformat(top["month"] + "-01")
    return Fact(top["name"], f"First streamed {month:%b %Y} · {plural(top['streams'], 'stream')}")
