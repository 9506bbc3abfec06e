"""GET /sessions/<id>/stats: every number compared with a plain Python count of the generated rows."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from backend.services.sessions import open_session
from backend.services.stats import StatsRequest, card_stats
from harness import exportgen as eg
from harness.service import upload_ok
from harness.stats_truth import (
    ROWS,
    STREAM_MS,
    account_plays,
    expected_stats,
    extended_plays,
)


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
    1,000,000-play session held 1.8 GB (python -m benchmarks parallel-stats). The queries read `plays`."""
    client, session = extended_session
    path = client.application.extensions["sessions"].db_path(session)
    with open_session(path) as con:
        card = card_stats(con, StatsRequest(session, None, None, "Europe/Berlin", STREAM_MS), 5)
        temporary = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0]
    assert card.stats["totals"]["streams"] > 0
    assert temporary == 0
