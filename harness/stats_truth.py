"""What GET /sessions/<id>/stats should answer, counted one play at a time in plain Python from the
generated rows (the statistics and Wrapped tests compare the service with it)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from harness import exportgen as eg

STREAM_MS = 30_000
ROWS = eg.extended_rows(eg.make_catalog(), 2500, start="2021-10-20", end="2023-04-10", duplicates=40, local_files=0.03)


@dataclass(frozen=True)
class Play:
    at: datetime          # local wall-clock time
    ms: int | None        # None: the service records no duration (a stream, but no minutes)
    track: str | None
    artist: str | None
    album: str | None
    song_key: object
    source: str = "Spotify"


def extended_plays(rows: list[dict], zone: str | None) -> list[Play]:
    """Music plays (a track name or URI) of the distinct rows, at their local time."""
    plays = []
    for r in eg.distinct_rows(rows):
        track, uri = r.get("master_metadata_track_name"), r.get("spotify_track_uri")
        if track is None and uri is None:
            continue
        artist = r.get("master_metadata_album_artist_name")
        at = local(datetime.strptime(r["ts"], "%Y-%m-%dT%H:%M:%SZ"), zone)
        plays.append(Play(at, r["ms_played"], track, artist, r.get("master_metadata_album_album_name"),
                          uri or (track, artist)))
    return plays


def account_plays(rows: list[dict], zone: str | None) -> list[Play]:
    return [Play(local(datetime.strptime(r["endTime"], "%Y-%m-%d %H:%M"), zone), r["msPlayed"], r["trackName"],
                 r["artistName"], None, (r["trackName"], r["artistName"]))
            for r in eg.distinct_rows(rows) if r["trackName"] is not None]


def local(utc: datetime, zone: str | None) -> datetime:
    if zone is None:
        return utc
    return utc.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def minutes(ms: int) -> float:
    return round(ms / 60_000, 2)


def total_ms(plays: list[Play]) -> int:
    """Listening time: the plays whose service recorded a duration."""
    return sum(p.ms for p in plays if p.ms is not None)


def counts(play: Play, min_ms: int) -> bool:
    """A play counts from min_ms on; one without a recorded duration always counts."""
    return play.ms is None or play.ms >= min_ms


def sources(plays: list[Play]) -> list[str]:
    """The services of the plays, Spotify first, then by plays, then by name."""
    by_source = Counter(p.source for p in plays)
    return sorted(by_source, key=lambda source: (source != "Spotify", -by_source[source], source))


def expected_stats(history: list[Play], start: date, end: date, min_ms: int, albums: bool) -> dict:
    """The statistics by docs/api.md's chart rules, counted one play at a time."""
    counted = [p for p in history if counts(p, min_ms)]
    plays = [p for p in counted if start <= p.at.date() <= end]
    days = sorted({p.at.date() for p in plays})
    ms_by_day: dict[date, int] = defaultdict(int)
    for p in plays:
        ms_by_day[p.at.date()] += p.ms or 0
    return {
        "range": {"start": start.isoformat(), "end": end.isoformat()},
        "totals": {"streams": len(plays), "minutes": minutes(total_ms(plays)),
                   "artists": len({p.artist for p in plays if p.artist is not None}),
                   "songs": len({p.song_key for p in plays if p.track is not None}),
                   "albums": len({(p.album, p.artist) for p in plays if p.album is not None}) if albums else None,
                   "active_days": len(days), "first_day": days[0].isoformat(), "last_day": days[-1].isoformat(),
                   "plays_without_duration": sum(p.ms is None for p in plays)},
        "sources": sources(plays),
        "years": [expected_year(year, [p for p in plays if p.at.year == year])
                  for year in range(start.year, end.year + 1)],
        "clock": [[sum(1 for p in plays if p.at.isoweekday() == weekday + 1 and p.at.hour == hour)
                   for hour in range(24)] for weekday in range(7)],
        "discoveries": expected_discoveries(counted, start, end),
        "longest_streak": expected_streak(days),
        "top_day": expected_top_day(ms_by_day),
    }


def expected_year(year: int, plays: list[Play]) -> dict:
    artists = Counter(p.artist for p in plays if p.artist is not None)
    songs = Counter(p.song_key for p in plays if p.track is not None)
    top_artist = top_song = None
    if artists:
        name = min(artists, key=lambda a: (-artists[a], a))
        top_artist = {"name": name, "streams": artists[name],
                      "minutes": minutes(total_ms([p for p in plays if p.artist == name]))}
    if songs:
        shown = {key: (min(p.track for p in plays if p.song_key == key and p.track is not None),
                       min((p.artist for p in plays if p.song_key == key and p.artist is not None), default=None))
                 for key in songs}
        key = min(songs, key=lambda k: (-songs[k], shown[k][0], shown[k][1] or ""))
        top_song = {"name": shown[key][0], "artist": shown[key][1], "streams": songs[key],
                    "minutes": minutes(total_ms([p for p in plays if p.song_key == key]))}
    return {"year": year, "streams": len(plays), "minutes": minutes(total_ms(plays)),
            "artists": len(artists), "top_artist": top_artist, "top_song": top_song}


def expected_discoveries(history: list[Play], start: date, end: date) -> list[dict]:
    first_month: dict[str, str] = {}
    for p in sorted(history, key=lambda p: p.at):
        if p.artist is not None:
            first_month.setdefault(p.artist, p.at.strftime("%Y-%m"))
    until_end = Counter(p.artist for p in history if p.artist is not None and p.at.date() <= end)
    answer = []
    month = date(start.year, start.month, 1)
    while month <= end:
        label = month.strftime("%Y-%m")
        new = [artist for artist, first in first_month.items() if first == label]
        top = min(new, key=lambda a: (-until_end[a], a)) if new else None
        answer.append({"month": label, "new_artists": len(new),
                       "top": top and {"name": top, "streams": until_end[top]}})
        month = (month + timedelta(days=32)).replace(day=1)
    return answer


def expected_streak(days: list[date]) -> dict:
    best = (0, None, None)
    for index, day in enumerate(days):
        if index == 0 or day - days[index - 1] != timedelta(days=1):
            run_start = day
        if (day - run_start).days + 1 > best[0]:
            best = ((day - run_start).days + 1, run_start, day)
    return {"days": best[0], "start": best[1].isoformat(), "end": best[2].isoformat()}


def expected_top_day(ms_by_day: dict[date, int]) -> dict:
    day = min(ms_by_day, key=lambda d: (-ms_by_day[d], d))
    return {"date": day.isoformat(), "minutes": minutes(ms_by_day[day])}
