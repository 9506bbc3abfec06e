"""The numbers behind a person's listening over a range: what GET /sessions/<id>/stats answers."""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import date, timedelta

import duckdb

from backend.services.charts import (
    METRICS,
    PlayScope,
    SourceCount,
    no_plays,
    play_scope,
    sources_note,
    sources_of,
    sources_text,
)
from backend.services.curation import Filters
from backend.services.sessions import read_summary
from backend.services.stats import queries

MS_PER_MINUTE = 60_000
WEEKDAYS = 7
HOURS = 24


@dataclass(frozen=True)
class StatsRequest:
    session_id: str
    start: date | None
    end: date | None
    timezone: str | None
    min_ms: int
    _: KW_ONLY
    filters: Filters | None = None  # None: the session's own (services/curation)


def minutes(ms: float) -> float:
    return round(ms / MS_PER_MINUTE, 2)


def listening_stats(con: duckdb.DuckDBPyConnection, req: StatsRequest) -> dict:
    """Totals, calendar years, the weekly clock, monthly discoveries, the longest streak and the top day."""
    return _counted(con, req)[1]


def _counted(con: duckdb.DuckDBPyConnection, req: StatsRequest) -> tuple[PlayScope, dict, list[SourceCount]]:
    scope = play_scope(con, req.start, req.end, req.timezone, req.min_ms)
    streams, ms, artists, songs, albums, days, first_day, last_day = queries.totals(con, scope)
    if not streams:
        raise no_plays(con, scope)
    active = queries.active_days(con, scope)
    sources = sources_of(con, scope)
    return scope, {
        "range": {"start": scope.start.isoformat(), "end": scope.end.isoformat(), "timezone": req.timezone or "UTC"},
        "totals": {"streams": streams, "minutes": minutes(ms), "artists": artists, "songs": songs,
                   "albums": albums if read_summary(con)["albums_available"] else None, "active_days": days,
                   "first_day": first_day.isoformat(), "last_day": last_day.isoformat(),
                   "plays_without_duration": sum(source.without_duration for source in sources)},
        "sources": [source.source for source in sources],
        "years": _years(con, scope),
        "clock": _clock(con, scope),
        "discoveries": _discoveries(con, scope),
        "longest_streak": longest_streak([day for day, _ in active]),
        "top_day": _top_day(active),
    }, sources


@dataclass(frozen=True)
class CardStats:
    """What a Wrapped card shows: the statistics with the top artists and songs and the top discovery."""
    stats: dict
    artist_tracks: list[str | None]   # one played track URI per top artist: the way to its picture
    sources: list[SourceCount]        # the services drawn from

    @property
    def sources_text(self) -> str:
        """The card's footer's end: its services."""
        return sources_text(self.sources)

    @property
    def minutes_note(self) -> str:
        """The plays the card's minutes leave out (their service records no duration), or nothing."""
        return sources_note(self.sources, METRICS["duration_ms"])


def card_stats(con: duckdb.DuckDBPyConnection, req: StatsRequest, n: int) -> CardStats:
    """listening_stats plus the n most streamed artists and songs (ranked as the charts rank them) and the
    month's top discovery streamed most (ties: the earlier month)."""
    scope, stats, sources = _counted(con, req)
    artists = queries.top_artists(con, scope, n)
    stats["top_artists"] = [{"name": name, "streams": streams, "minutes": minutes(ms)}
                            for name, streams, ms, _ in artists]
    stats["top_songs"] = [{"name": name, "artist": artist, "streams": streams, "minutes": minutes(ms)}
                          for name, artist, streams, ms in queries.top_songs(con, scope, n)]
    found = [month for month in stats["discoveries"] if month["top"]]
    best = min(found, key=lambda month: (-month["top"]["streams"], month["month"]), default=None)
    stats["top_discovery"] = best and {"month": best["month"], **best["top"]}
    return CardStats(stats, [uri for *_, uri in artists], sources)


def _years(con: duckdb.DuckDBPyConnection, scope: PlayScope) -> list[dict]:
    artists, songs = queries.top_artists_by_year(con, scope), queries.top_songs_by_year(con, scope)
    counted = {year: figures for year, *figures in queries.years(con, scope)}
    answer = []
    for year in range(scope.start.year, scope.end.year + 1):
        streams, ms, artist_count = counted.get(year, (0, 0, 0))
        artist, song = artists.get(year), songs.get(year)
        answer.append({
            "year": year, "streams": streams, "minutes": minutes(ms), "artists": artist_count,
            "top_artist": artist and {"name": artist[0], "streams": artist[1], "minutes": minutes(artist[2])},
            "top_song": song and {"name": song[0], "artist": song[1], "streams": song[2], "minutes": minutes(song[3])},
        })
    return answer


def _clock(con: duckdb.DuckDBPyConnection, scope: PlayScope) -> list[list[int]]:
    grid = [[0] * HOURS for _ in range(WEEKDAYS)]
    for weekday, hour, streams in queries.clock(con, scope):
        grid[weekday - 1][hour] = streams
    return grid


def _discoveries(con: duckdb.DuckDBPyConnection, scope: PlayScope) -> list[dict]:
    """Every month of the scope, those without a new artist too (with no top)."""
    found = {month: (count, name, streams) for month, count, name, streams in queries.discoveries(con, scope)}
    answer = []
    for month in _months(scope.start, scope.end):
        count, name, streams = found.get(month, (0, None, 0))
        answer.append({"month": month, "new_artists": count, "top": name and {"name": name, "streams": streams}})
    return answer


def _months(start: date, end: date) -> list[str]:
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [f"{index // 12:04d}-{index % 12 + 1:02d}" for index in range(first, last + 1)]


def longest_streak(days: list[date]) -> dict | None:
    """The longest run of consecutive days in `days` (sorted); the earliest of equally long runs."""
    best: tuple[int, date, date] | None = None
    run_start = previous = None
    for day in days:
        if previous is None or day - previous != timedelta(days=1):
            run_start = day
        length = (day - run_start).days + 1
        if best is None or length > best[0]:
            best = (length, run_start, day)
        previous = day
    return best and {"days": best[0], "start": best[1].isoformat(), "end": best[2].isoformat()}


def _top_day(active: list[tuple[date, float]]) -> dict | None:
    if not active:
        return None
    day, ms = max(active, key=lambda item: (item[1], -item[0].toordinal()))
    return {"date": day.isoformat(), "minutes": minutes(ms)}
