"""Races honour the filters: a video's ranking and its drawn footer, and a job keeps the filters it started with."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from harness import exportgen as eg
from harness.filtering import RowFilter, kept_rows, top_artists
from harness.media import probe_video
from harness.service import upload_ok

ROWS = eg.extended_rows(eg.make_catalog(), 1500, start="2022-01-01", end="2022-12-31")
RACE = {"top_n": 3, "days": 120, "interp_steps": 1, "speed_for_bar_animation": 2, "format": "square"}


@pytest.fixture(scope="module")
def top_artist():
    return top_artists(ROWS, 1)[0]["name"]


def race(client, session: str, **body) -> dict:
    response = client.post("/generate_animation", json={"session_id": session, **RACE, **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def footer_of_last_frame(answer: dict) -> np.ndarray:
    frame = probe_video(base64.b64decode(answer["video"])).frames[-1].astype(int).mean(axis=2)
    return frame[-frame.shape[0] // 20:]


@pytest.mark.slow
def test_a_race_ranks_what_the_filters_keep_and_its_footer_says_so(client, top_artist):
    session = upload_ok(client, eg.extended_zip(ROWS))["session_id"]
    plain = race(client, session)
    assert client.put(f"/sessions/{session}/filters", json={"exclude_artists": [top_artist.upper()]}).status_code == 200
    filtered = race(client, session)
    assert filtered["items"] == top_artists(kept_rows(ROWS, RowFilter(frozenset({top_artist}))), 3)
    assert filtered["filters"]["plays_set_aside"] == sum(
        1 for row in eg.distinct_rows(ROWS) if row["master_metadata_album_artist_name"] == top_artist)
    own = race(client, session, filters={})
    assert own["items"] == plain["items"] and "filters" not in own
    assert np.abs(footer_of_last_frame(own) - footer_of_last_frame(plain)).max() <= 40
    assert np.abs(footer_of_last_frame(filtered) - footer_of_last_frame(plain)).mean() > 1


@pytest.mark.slow
def test_a_job_keeps_the_filters_it_started_with(client, upload_dir, top_artist):
    session = upload_ok(client, eg.extended_zip(ROWS))["session_id"]
    assert client.put(f"/sessions/{session}/filters", json={"exclude_artists": [top_artist]}).status_code == 200
    started = client.post("/jobs/animation", json={"session_id": session, **RACE})
    assert started.status_code == 202, started.get_json()
    job = started.get_json()
    assert job["filters"]["exclude_artists"] == [top_artist] and job["filters"]["plays_set_aside"] > 0
    record = json.loads((upload_dir / "jobs" / f"{session}.{job['job_id']}.json").read_text())
    assert record["request"]["chart"]["filters"]["exclude_artists"] == [top_artist]
    assert job["items"] == top_artists(kept_rows(ROWS, RowFilter(frozenset({top_artist}))), 3)
