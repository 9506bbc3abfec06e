"""GET /sessions/<id>/stats: every number compared with a plain Python count of the generated rows."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.services.sessions import open_session
from backend.services.stats import StatsRequest, card_stats
from tests import exportgen as eg
from tests.conftest import upload_ok

STREAM_MS = 30_000
ROWS = eg.extended_rows(eg.make_catalog(), 2500, start="2021-10-20", end="2023-04-10", duplicates=40, local_files=0.03)


@dataclass(frozen=True)
class Play:
    at: datetime          # local wall-clock time
    ms: int
    track: str | None
    artist: str | None
    album: str | None
    song_key: object


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


def expected_stats(history: list[Play], start: date, end: date, min_ms: int, albums: bool) -> dict:
    """The statistics by docs/api.md's chart rules, counted one play at a time."""
    counted = [p for p in history if p.ms >= min_ms]
    plays = [p for p in counted if start <= p.at.date() <= end]
    days = sorted({p.at.date() for p in plays})
    ms_by_day: dict[date, int] = defaultdict(int)
    for p in plays:
        ms_by_day[p.at.date()] += p.ms
    return {
        "range": {"start": start.isoformat(), "end": end.isoformat()},
        "totals": {"streams": len(plays), "minutes": minutes(sum(p.ms for p in plays)),
                   "artists": len({p.artist for p in plays if p.artist is not None}),
                   "songs": len({p.song_key for p in plays if p.track is not None}),
                   "albums": len({(p.album, p.artist) for p in plays if p.album is not None}) if albums else None,
                   "active_days": len(days), "first_day": days[0].isoformat(), "last_day": days[-1].isoformat()},
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
                      "minutes": minutes(sum(p.ms for p in plays if p.artist == name))}
    if songs:
        shown = {key: (min(p.track for p in plays if p.song_key == key and p.track is not None),
                       min((p.artist for p in plays if p.song_key == key and p.artist is not None), default=None))
                 for key in songs}
        key = min(songs, key=lambda k: (-songs[k], shown[k][0], shown[k][1] or ""))
        top_song = {"name": shown[key][0], "artist": shown[key][1], "streams": songs[key],
                    "minutes": minutes(sum(p.ms for p in plays if p.song_key == key))}
    return {"year": year, "streams": len(plays), "minutes": minutes(sum(p.ms for p in plays)),
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


@pytest.fixture(scope="module")
def extended_session(tmp_path_factory):
    from backend.app import create_app
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(tmp_path_factory.mktemp("stats")), "SUPABASE_URL": "",
                      "SUPABASE_KEY": ""})
    client = app.test_client()
    return client, upload_ok(client, eg.extended_zip(ROWS))["session_id"]


def stats_of(client, session: str, **query) -> dict:
    response = client.get(f"/sessions/{session}/stats", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("zone, start, end", [
    (None, date(2021, 10, 20), date(2023, 4, 10)),
    ("Europe/Berlin", date(2022, 3, 1), date(2022, 11, 30)),        # both daylight-saving changes of 2022
    ("America/New_York", date(2021, 11, 1), date(2023, 3, 31)),
    ("Asia/Kolkata", date(2022, 12, 25), date(2023, 1, 8)),         # a year boundary in a half-hour zone
])
def test_every_number_matches_an_independent_count(extended_session, zone, start, end):
    client, session = extended_session
    query = {"start_date": start.isoformat(), "end_date": end.isoformat()}
    if zone:
        query["timezone"] = zone
    got = stats_of(client, session, **query)
    expected = expected_stats(extended_plays(ROWS, zone), start, end, STREAM_MS, albums=True)
    assert got.pop("range") == {**expected.pop("range"), "timezone": zone or "UTC"}
    assert got == expected


def test_the_clock_follows_daylight_saving_time(client):
    music = [r for r in eg.distinct_rows(ROWS) if r.get("master_metadata_track_name") and r["ms_played"] >= STREAM_MS]
    # noon UTC either side of Berlin's spring change, and two plays an hour apart at its autumn change,
    # which Berlin's clock shows both at 02:30 (once in summer time, once in winter time)
    stamps = ["2022-03-26T12:00:00Z", "2022-03-27T12:00:00Z", "2022-10-30T00:30:00Z", "2022-10-30T01:30:00Z"]
    session = upload_ok(client, eg.extended_zip([{**row, "ts": ts} for row, ts in zip(music, stamps)]))["session_id"]
    berlin = stats_of(client, session, timezone="Europe/Berlin")["clock"]
    utc = stats_of(client, session)["clock"]
    saturday, sunday = 5, 6
    assert {(day, hour): n for day, hours in enumerate(berlin) for hour, n in enumerate(hours) if n} == {
        (saturday, 13): 1, (sunday, 14): 1, (sunday, 2): 2}
    assert {(day, hour): n for day, hours in enumerate(utc) for hour, n in enumerate(hours) if n} == {
        (saturday, 12): 1, (sunday, 12): 1, (sunday, 0): 1, (sunday, 1): 1}


def test_short_plays_count_when_asked(extended_session):
    client, session = extended_session
    query = {"start_date": "2022-01-01", "end_date": "2022-12-31"}
    got = stats_of(client, session, count_short_plays="true", **query)
    expected = expected_stats(extended_plays(ROWS, None), date(2022, 1, 1), date(2022, 12, 31), 0, albums=True)
    assert got["totals"] == expected["totals"]
    assert got["totals"]["streams"] > stats_of(client, session, **query)["totals"]["streams"]


def test_the_whole_history_by_default(extended_session):
    client, session = extended_session
    every_day = [datetime.strptime(r["ts"], "%Y-%m-%dT%H:%M:%SZ").date() for r in ROWS]
    got = stats_of(client, session)
    assert got["range"] == {"start": min(every_day).isoformat(), "end": max(every_day).isoformat(), "timezone": "UTC"}
    expected = expected_stats(extended_plays(ROWS, None), min(every_day), max(every_day), STREAM_MS, albums=True)
    assert got["totals"] == expected["totals"]
    assert got["discoveries"] == expected["discoveries"]


def test_account_data_has_no_albums_and_counts_the_same_way(client):
    rows = eg.account_rows(eg.extended_rows(eg.make_catalog(seed=3), 900, seed=3, start="2022-05-01",
                                            end="2023-06-30", duplicates=10))
    session = upload_ok(client, eg.account_zip(rows))["session_id"]
    got = stats_of(client, session, start_date="2022-05-01", end_date="2023-06-30", timezone="Australia/Sydney")
    expected = expected_stats(account_plays(rows["music"], "Australia/Sydney"), date(2022, 5, 1), date(2023, 6, 30),
                              STREAM_MS, albums=False)
    assert got["totals"]["albums"] is None
    got.pop("range"), expected.pop("range")
    assert got == expected


@pytest.mark.parametrize("query, message", [
    ({"start_date": "2022-13-01"}, "start_date must be a date like 2023-01-31"),
    ({"timezone": "Mars/Olympus"}, "timezone must be"),
    ({"count_short_plays": "yes"}, "count_short_plays must be true or false"),
    ({"start_date": "2022-05-02", "end_date": "2022-05-01"}, "end_date 2022-05-01 is before start_date 2022-05-02"),
])
def test_a_wrong_query_is_a_400_naming_the_field(extended_session, query, message):
    client, session = extended_session
    response = client.get(f"/sessions/{session}/stats", query_string=query)
    assert response.status_code == 400
    assert response.get_json()["error"].startswith(message)


def test_a_range_without_plays_is_a_422_and_an_unknown_session_a_404(extended_session):
    client, session = extended_session
    after_the_last_play = {"start_date": "2023-04-11", "end_date": "2023-05-01"}
    empty = client.get(f"/sessions/{session}/stats", query_string=after_the_last_play)
    assert empty.status_code == 422
    assert empty.get_json()["error"].startswith("No plays of 30 seconds or more between 2023-04-11 and 2023-05-01")
    unknown = client.get("/sessions/0b5e2d4c-1f2a-4b3c-8d4e-5f6a7b8c9d0e/stats")
    assert unknown.status_code == 404
    assert client.get("/sessions/not-a-session/stats").status_code == 400


def test_statistics_copy_no_plays_into_the_connection(extended_session):
    """Each request once built a temporary table of every counted play: 20 parallel requests of a
    1,000,000-play session held 1.8 GB (python -m benchmarks.parallel_stats). The queries read `plays`."""
    client, session = extended_session
    path = client.application.extensions["sessions"].db_path(session)
    with open_session(path) as con:
        card = card_stats(con, StatsRequest(session, None, None, "Europe/Berlin", STREAM_MS), 5)
        temporary = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0]
    assert card.stats["totals"]["streams"] > 0
    assert temporary == 0
