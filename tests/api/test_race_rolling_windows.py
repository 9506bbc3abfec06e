"""Rolling-window races (window_days) and the ranking every race returns as `items`.

Each number is compared with a plain Python count of the generated rows: a bar's value on a date is its
streams in the window_days days ending on that date, that day included.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from harness import exportgen as eg
from harness.bad_uploads import history_zip, row, rows_json
from harness.service import offline_app, upload_ok
from harness.waiting import eventually
from src.keyframes import build_keyframes

STREAM_MS = 30_000
SMALL = {"figsize": [4.8, 6.4], "dpi": 100, "interp_steps": 1, "speed_for_bar_animation": 4}
ROWS = eg.extended_rows(eg.make_catalog(), 1500, start="2022-01-01", end="2022-12-31", duplicates=20)
END = date(2022, 12, 31)


def artist_streams(since: date, until: date) -> Counter:
    """Streams per artist on the days since..until (inclusive), by the chart rules, in UTC days."""
    counts: Counter = Counter()
    for r in eg.distinct_rows(ROWS):
        day = datetime.strptime(r["ts"], "%Y-%m-%dT%H:%M:%SZ").date()
        if (r.get("master_metadata_track_name") and r.get("master_metadata_album_artist_name")
                and r["ms_played"] >= STREAM_MS and since <= day <= until):
            counts[r["master_metadata_album_artist_name"]] += 1
    return counts


def expected_items(counts: Counter, n: int) -> list[dict]:
    ranked = sorted((artist for artist in counts if counts[artist] > 0), key=lambda a: (-counts[a], a))[:n]
    return [{"rank": rank, "name": artist, "value": counts[artist], "unit": "streams"}
            for rank, artist in enumerate(ranked, 1)]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    client = offline_app(tmp_path_factory.mktemp("rolling")).test_client()
    return client, upload_ok(client, eg.extended_zip(ROWS))["session_id"]


def race(client, session_id: str, **fields) -> dict:
    response = client.post("/generate_animation", json={"session_id": session_id, "top_n": 8, **SMALL, **fields})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("window_days", [1, 30, 90, 365])
def test_a_rolling_race_ends_on_the_window_before_its_last_date(session, window_days):
    client, session_id = session
    answer = race(client, session_id, window_days=window_days, days=30, start_date="2022-01-01",
                  end_date=END.isoformat())
    assert answer["items"] == expected_items(artist_streams(END - timedelta(days=window_days - 1), END), 8)
    assert answer["filename"].startswith(f"race_last{window_days}d_top8_artist_name_streams_")


def test_a_cumulative_race_ends_on_the_chart_of_its_range(session):
    client, session_id = session
    answer = race(client, session_id, start_date="2022-03-01", end_date="2022-09-30", days=60)
    expected = expected_items(artist_streams(date(2022, 3, 1), date(2022, 9, 30)), 8)
    assert answer["items"] == expected
    image = client.post("/generate_image", json={"session_id": session_id, "top_n": 8, "start_date": "2022-03-01",
                                                 "end_date": "2022-09-30"}).get_json()
    assert answer["items"] == image["items"]


def test_song_races_rank_items_like_the_song_chart(session):
    client, session_id = session
    answer = race(client, session_id, selected_attribute="track_name", analysis_metric="duration_ms", days=90)
    image = client.post("/generate_image", json={"session_id": session_id, "top_n": 8,
                                                 "selected_attribute": "track_name",
                                                 "analysis_metric": "duration_ms"}).get_json()
    assert answer["items"] == image["items"]
    assert all(item["unit"] == "minutes" and "artist" in item for item in answer["items"])


def test_keyframe_values_are_the_window_sums_on_every_date():
    rng = np.random.default_rng(7)
    for entities in (12, 3000):   # the second takes the path for more entities than snapshots hold
        rows = 4000
        entity, day = rng.integers(0, entities, rows), rng.integers(0, 400, rows)
        value = rng.integers(1, 5, rows).astype(np.float64)
        tie_order = np.arange(entities)
        start = date(2022, 1, 1)
        dates = [start + timedelta(days=d) for d in range(0, 400, 9)] + [start + timedelta(days=399)]
        frames = build_keyframes(entity, day, value, entities, tie_order, start=start, dates=dates, top_n=10,
                                 rolling_days=45)
        for k, when in enumerate(frames.dates):
            last = (when - start).days
            inside = (day <= last) & (day > last - 45)
            expected = np.array([value[inside & (entity == member)].sum() for member in frames.member_ids])
            np.testing.assert_array_equal(frames.values[k], expected)
            assert frames.totals[k] == value[inside].sum()


def test_jobs_return_the_ranking_when_queued_and_when_done(session):
    client, session_id = session
    body = {"session_id": session_id, "top_n": 5, **SMALL, "window_days": 60, "days": 60}
    started = client.post("/jobs/animation", json=body)
    assert started.status_code == 202, started.get_json()
    expected = expected_items(artist_streams(END - timedelta(days=59), END), 5)
    assert started.get_json()["items"] == expected
    status_url = started.get_json()["status_url"]
    assert eventually(lambda: client.get(status_url).get_json()["state"] in ("done", "failed"), 120)
    done = client.get(status_url).get_json()
    assert done["state"] == "done", done
    assert done["items"] == expected


@pytest.mark.parametrize("value", [0, 3661, "ninety", 1.5, True])
def test_a_wrong_window_is_a_400_naming_it(session, value):
    client, session_id = session
    response = client.post("/generate_animation", json={"session_id": session_id, "window_days": value})
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("window_days must be a whole number from 1 to 3660")


class PausedQueue:
    """Jobs stay queued: their answer's items are all a test needs."""

    def submit(self, session_id: str, job_id: str) -> None:
        return None


# Three songs of two streams each, whose Spotify URIs sort the other way round from their names.
TIED_SONGS = [("Beta", "Xavier", "spotify:track:aaa"), ("Gamma", "Zoe", "spotify:track:mmm"),
              ("Alpha", "Yann", "spotify:track:zzz")]


def tied_export() -> bytes:
    plays = [{**row(ts=f"2022-01-0{day}T1{k}:00:00Z", track=track, artist=artist), "spotify_track_uri": uri}
             for k, (track, artist, uri) in enumerate(TIED_SONGS) for day in (3, 5)]
    return history_zip(rows_json(*plays))


@pytest.mark.slow
def test_equal_values_rank_by_name_in_charts_races_jobs_cards_and_stats(tmp_path):
    app = offline_app(tmp_path)
    app.extensions["job_queue"] = PausedQueue()
    client = app.test_client()
    session_id = upload_ok(client, tied_export())["session_id"]
    fields = {"selected_attribute": "song", "top_n": 3, **SMALL, "days": 1}
    body = {"session_id": session_id, **fields}
    by_name = [{"rank": rank, "name": name, "artist": artist, "value": 2, "unit": "streams"}
               for rank, (name, artist, _) in enumerate(sorted(TIED_SONGS), 1)]
    assert client.post("/generate_image", json=body).get_json()["items"] == by_name
    assert race(client, session_id, **fields)["items"] == by_name
    job = client.post("/jobs/animation", json=body)
    assert job.status_code == 202 and job.get_json()["items"] == by_name
    card = client.post("/generate_wrapped", json={"session_id": session_id, "format": "square"}).get_json()["stats"]
    assert [(song["name"], song["artist"]) for song in card["top_songs"]] == [(n, a) for n, a, _ in sorted(TIED_SONGS)]
    assert [artist["name"] for artist in card["top_artists"]] == sorted(artist for _, artist, _ in TIED_SONGS)
    year = client.get(f"/sessions/{session_id}/stats").get_json()["years"][0]
    assert (year["top_song"]["name"], year["top_artist"]["name"]) == ("Alpha", "Xavier")


@pytest.mark.parametrize("route", ["/generate_animation", "/jobs/animation"])
def test_a_rolling_race_whose_every_window_is_empty_is_a_422_like_an_empty_chart(tmp_path, route):
    """Plays on 3 and 5 January; keyframes on the 2nd, 4th and 6th; each window one day long."""
    client = offline_app(tmp_path).test_client()
    session_id = upload_ok(client, tied_export())["session_id"]
    body = {"session_id": session_id, "start_date": "2022-01-02", "end_date": "2022-01-06", **SMALL}
    assert client.post("/generate_image", json=body).status_code == 200
    response = client.post(route, json={**body, "days": 2, "window_days": 1})
    assert response.status_code == 422
    assert response.get_json() == {"error": "No plays of 30 seconds or more in the 1 days up to any date of the race "
                                            "from 2022-01-02 to 2022-01-06; send a larger window_days, a smaller "
                                            "days or another date range."}
    assert client.post(route, json={**body, "days": 1, "window_days": 1}).status_code in (200, 202)
