"""Malformed chart and race requests get a 4xx whose message says what to send instead."""
from __future__ import annotations

import uuid

import pytest

from backend.app import create_app

from tests import exportgen as eg
from tests.conftest import upload_ok


@pytest.fixture
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
    ({"start_date": "last year"}, 400, "start_date must be a date like 2023-01-31"),
    ({"end_date": "2022-02-30"}, 400, "end_date must be a date like"),
    ({"start_date": "2022-05-01", "end_date": "2022-04-01"}, 400, "end_date 2022-04-01 is before start_date"),
    ({"figsize": "big", "dpi": 100}, 400, "figsize must be [width, height]"),
    ({"figsize": [50, 50], "dpi": 100}, 422, "at most 2160 px"),
    ({"figsize": [1, 1], "dpi": 100}, 422, "at least 320 px"),
]

BAD_RACE = [
    ({"speed_for_bar_animation": 0}, 400, "speed_for_bar_animation must be a whole number from 1 to 60"),
    ({"days": -3}, 400, "days must be a whole number"),
    ({"interp_steps": 1000}, 400, "interp_steps must be a whole number from 1 to 120"),
    ({"period": "y"}, 400, "period must be d (day), w (week) or m (month)"),
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


@pytest.mark.parametrize("route", ["/generate_image", "/generate_animation"])
@pytest.mark.parametrize("body, status, message", [
    (None, 400, "Send a JSON object body"),
    ([1, 2], 400, "Send a JSON object body"),
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
    assert body == {"status": "ok", "ffmpeg": True, "env": body["env"]}
    assert "/" not in str(body)


def test_health_is_503_without_ffmpeg(upload_dir):
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "FFMPEG_BIN": "/nonexistent/ffmpeg"})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["status"] == "degraded"
