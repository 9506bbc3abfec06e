"""Malformed chart and race requests get a 4xx whose message says what to send instead."""
from __future__ import annotations

import uuid

import pytest

from backend.app import create_app
from backend.routes.models import RaceBody
from harness import exportgen as eg
from harness.service import offline_app, upload_ok


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One app for the module: its tests only read the session they share (uploaded once, not per case)."""
    upload_dir = tmp_path_factory.mktemp("requests") / "sessions"
    upload_dir.mkdir()
    return offline_app(upload_dir).test_client()


@pytest.fixture(scope="module")
def session(client):
    rows = eg.extended_rows(eg.make_catalog(), 800, start="2022-01-01", end="2022-12-31")
    return upload_ok(client, eg.extended_zip(rows))["session_id"]


BAD_CHART = [
    ({"selected_attribute": "genre"}, 400, "selected_attribute must be one of"),
    ({"selected_attribute": 7}, 400, "selected_attribute must be one of"),
    ({"analysis_metric": "skips"}, 400, "analysis_metric must be one of"),
    ({"top_n": 0}, 400, "top_n must be a whole number from 1 to 50"),
    ({"top_n": 51}, 400, "top_n must be a whole number from 1 to 50"),
    ({"top_n": "10; DROP TABLE plays"}, 400, "top_n must be a whole number"),
    ({"top_n": 2.5}, 400, "top_n must be a whole number"),
    ({"top_n": True}, 400, "top_n must be a whole number"),
    ({"top_n": "\u00b2"}, 400, "top_n must be a whole number from 1 to 50"),
    ({"top_n": "\u0663"}, 400, "top_n must be a whole number from 1 to 50"),
    ({"top_n": "1e1"}, 400, "top_n must be a whole number from 1 to 50"),
    ({"top_n": "9" * 5000}, 400, "top_n must be a whole number from 1 to 50"),
    ({"top_n": 10 ** 40}, 400, "top_n must be a whole number from 1 to 50"),
    ({"start_date": "20200101"}, 400, "start_date must be a date like 2023-01-31"),
    ({"start_date": "2020-01-01garbage"}, 400, "start_date must be a date like 2023-01-31"),
    ({"end_date": "9999-12-31"}, 400, "end_date must be a date like 2023-01-31 from 2000-01-01 to 2099-12-31"),
    ({"start_date": "1999-12-31"}, 400, "start_date must be a date like 2023-01-31 from 2000-01-01"),
    ({"start_date": 20200101}, 400, "start_date must be a date like"),
    ({"timezone": "Mars/Olympus_Mons"}, 400, "timezone must be an IANA time zone name"),
    ({"count_short_plays": "yes"}, 400, "count_short_plays must be true or false"),
    ({"dpi": 100}, 400, "figsize must be [width, height] in inches when dpi is sent"),
    ({"figsize": [10, "1e1"], "dpi": 100}, 400, "figsize must be [width, height] in inches, each from 0.5 to 100"),
    ({"figsize": [10, 10], "dpi": "inf"}, 400, "dpi must be a number from 10 to 1000"),
    ({"start_date": "last year"}, 400, "start_date must be a date like 2023-01-31"),
    ({"end_date": "2022-02-30"}, 400, "end_date must be a date like"),
    ({"start_date": "2022-05-01", "end_date": "2022-04-01"}, 400, "end_date 2022-04-01 is before start_date"),
    ({"figsize": "big", "dpi": 100}, 400, "figsize must be [width, height]"),
    ({"figsize": [50, 50], "dpi": 100}, 422, "at most 2160 px"),
    ({"figsize": [1, 1], "dpi": 100}, 422, "at least 320 px"),
    ({"format": "poster"}, 400, "format must be one of: feed (1080x1350), story (1080x1920), square (1080x1080), "
                                "wide (1920x1080)"),
    ({"format": 5}, 400, "format must be one of: feed"),
    ({"theme": "neon"}, 400, "theme must be one of: dark, light, pulse"),
    ({"theme": ["dark"]}, 400, "theme must be one of: dark, light, pulse"),
]

BAD_RACE = [
    ({"speed_for_bar_animation": 0}, 400, "speed_for_bar_animation must be a whole number from 1 to 60"),
    ({"days": -3}, 400, "days must be a whole number"),
    ({"interp_steps": 1000}, 400, "interp_steps must be a whole number from 1 to 120"),
    ({"period": "y"}, 400, "period must be d (day), w (week) or m (month)"),
    ({"period": "dog"}, 400, "period must be d (day), w (week) or m (month)"),
    ({"days": "\u00b2"}, 400, "days must be a whole number from 1 to 3660"),
    ({"days": 1, "interp_steps": 60}, 422, "the limit is 6,000"),
]


@pytest.mark.parametrize("route", ["/generate_image", "/generate_animation"])
@pytest.mark.parametrize("fields, status, message", BAD_CHART)
def test_bad_chart_fields(client, session, route, fields, status, message):
    response = client.post(route, json={"session_id": session, **fields})
    assert response.status_code == status
    assert message in response.get_json()["error"]


@pytest.mark.parametrize("fields, status, message", BAD_RACE)
def test_bad_race_fields(client, session, fields, status, message):
    response = client.post("/generate_animation", json={"session_id": session, **fields})
    assert response.status_code == status
    assert message in response.get_json()["error"]


def test_the_front_ends_spellings_still_work(client, session):
    """What the Streamlit front end sends: datetimes' isoformat(), display names, whole numbers as strings."""
    response = client.post("/generate_image", json={
        "session_id": session, "selected_attribute": "Song", "analysis_metric": "Time Listened", "top_n": "5",
        "start_date": "2022-01-01T00:00:00", "end_date": "2022-06-30T00:00:00", "count_short_plays": False})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["start_date"], body["end_date"], len(body["items"])) == ("2022-01-01", "2022-06-30", 5)
    assert body["filename"] == "chart_top5_track_name_duration_ms_2022-01-01_2022-06-30.jpg"


@pytest.mark.slow
@pytest.mark.parametrize("period", ["d", "w", "m"])
def test_races_may_run_to_the_last_day_of_the_domain(client, session, period):
    """Keyframes never step past the end date, so a range ending on LAST_DAY draws (or says why not)."""
    tiny = {"figsize": [3.2, 3.2], "dpi": 100, "interp_steps": 1, "speed_for_bar_animation": 1, "top_n": 2}
    empty = client.post("/generate_animation", json={"session_id": session, "start_date": "2099-01-01",
                                                     "end_date": "2099-12-31", "period": period, **tiny})
    assert empty.status_code == 422
    assert empty.get_json()["error"] == "No plays of 30 seconds or more between 2099-01-01 and 2099-12-31; pick " \
                                        "another date range."
    drawn = client.post("/generate_animation", json={"session_id": session, "end_date": "2099-12-31",
                                                     "period": period, "days": 3660, **tiny})
    assert drawn.status_code == 200, drawn.get_json()
    assert drawn.get_json()["filename"].endswith("_2099-12-31.mp4")


@pytest.mark.parametrize("spelling, period", [("d", "d"), ("W", "w"), ("M", "m"), ("days", "d"), ("Weekly", "w"),
                                              ("monthly", "m"), (" month ", "m")])
def test_period_spellings(spelling, period):
    body = {"session_id": "00000000-0000-4000-8000-000000000000", "period": spelling}
    assert RaceBody.model_validate(body).to_request(2160).period == period


def test_null_means_the_default(client, session):
    response = client.post("/generate_image", json={"session_id": session, "top_n": None, "start_date": None,
                                                    "figsize": None, "dpi": None, "timezone": None})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["width"], len(response.get_json()["items"])) == (1080, 10)


@pytest.mark.parametrize("route", ["/generate_image", "/generate_animation"])
@pytest.mark.parametrize("body, status, message", [
    (None, 400, "Send a JSON object body"),
    ([1, 2], 400, "Send a JSON object body"),
    ('{"session_id": "00000000-0000-4000-8000-000000000000"}', 400, "Send a JSON object body"),
    ({}, 400, "session_id is required"),
    ({"session_id": "../../etc/passwd"}, 400, "session_id must be the UUID"),
    ({"session_id": "*"}, 400, "session_id must be the UUID"),
    ({"session_id": str(uuid.uuid4())}, 404, "Unknown or expired session"),
])
def test_bad_bodies_and_sessions(client, route, body, status, message):
    response = client.post(route, json=body) if body is not None else client.post(route, data="not json")
    assert response.status_code == status
    assert message in response.get_json()["error"]


def test_unknown_route_and_method_are_json(client):
    assert client.get("/nope").get_json()["error"]
    response = client.get("/generate_image")
    assert response.status_code == 405
    assert "error" in response.get_json()


def test_health_says_whether_there_is_an_encoder_not_where(client):
    body = client.get("/health").get_json()
    # no artwork source asked; sessions in UPLOAD_DIR
    assert body == {"status": "ok", "ffmpeg": True, "env": body["env"], "artwork": {}, "storage": "local"}
    assert "/" not in str(body)


def test_health_is_503_without_ffmpeg(upload_dir):
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "FFMPEG_BIN": "/nonexistent/ffmpeg"})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["status"] == "degraded"
