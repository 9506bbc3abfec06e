"""Filters that leave out every play: each answer says so, whether or not its request names its days."""
from __future__ import annotations

import pytest

from harness import exportgen as eg
from harness.service import offline_app, upload_ok
from harness.stats_truth import ROWS

EVERYTHING = {"exclude_periods": [{"start": "2000-01-01T00:00:00Z", "end": "2099-12-31T23:59:59Z"}]}
LEFT_OUT = ("No plays are left to count: the filters leave out every play of this session; change them with "
            "PUT /sessions/<id>/filters.")
DAYS = {"start_date": "2022-01-01", "end_date": "2022-12-31"}


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    client = offline_app(tmp_path_factory.mktemp("nothing-left")).test_client()
    return client, upload_ok(client, eg.extended_zip(ROWS[:400]))["session_id"]


@pytest.mark.parametrize("days", [{}, DAYS], ids=["whole history", "days asked for"])
@pytest.mark.parametrize("route", ["/generate_image", "/generate_wrapped", "/generate_animation"])
def test_each_picture_says_the_filters_left_nothing(service, route, days):
    client, session = service
    response = client.post(route, json={"session_id": session, "filters": EVERYTHING, **days})
    assert (response.status_code, response.get_json()) == (422, {"error": LEFT_OUT})


@pytest.mark.parametrize("query", ["", "?start_date=2022-01-01&end_date=2022-12-31"])
def test_the_statistics_say_the_filters_left_nothing(service, query):
    client, session = service
    assert client.put(f"/sessions/{session}/filters", json=EVERYTHING).status_code == 200
    try:
        response = client.get(f"/sessions/{session}/stats{query}")
        assert (response.status_code, response.get_json()) == (422, {"error": LEFT_OUT})
    finally:
        assert client.delete(f"/sessions/{session}/filters").status_code == 200
    assert client.get(f"/sessions/{session}/stats{query}").status_code == 200
