"""Privacy of the logs: never a name from the listening history, never a session id, at any level.

That the session file holds no personal field is tested in test_ingest_process.py.
"""
from __future__ import annotations

import logging

import pytest

from harness import exportgen as eg
from harness.service import post_upload, upload_ok

SMALL = {"figsize": [3.2, 4.0], "dpi": 100}


@pytest.fixture(scope="module")
def rows():
    return eg.extended_rows(eg.make_catalog(), 3000, duplicates=30, start="2021-01-01", end="2022-12-31")


@pytest.fixture
def every_log(caplog):
    """Records of every logger at DEBUG, the ones that set a level of their own included."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_logs_name_no_artist_track_album_or_session(client, rows, every_log):
    session_id = upload_ok(client, eg.extended_zip(rows))["session_id"]
    for attribute in ("artist_name", "track_name", "album_name"):
        for metric in ("Streams", "duration_ms"):
            response = client.post("/generate_image", json={"session_id": session_id, "selected_attribute": attribute,
                                                            "analysis_metric": metric, **SMALL})
            assert response.status_code == 200
    race = client.post("/generate_animation", json={"session_id": session_id, "days": 90, "interp_steps": 2,
                                                    "speed_for_bar_animation": 5, **SMALL})
    assert race.status_code == 200
    assert client.get(f"/sessions/{session_id}").status_code == 200
    empty_range = client.post("/generate_image", json={"session_id": session_id, "start_date": "2030-01-01"})
    assert empty_range.status_code == 422
    assert client.delete(f"/sessions/{session_id}").status_code == 200
    assert client.get(f"/sessions/{session_id}").status_code == 404

    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(pathname)s: %(message)s")
    lines = [formatter.format(record) for record in every_log.records]
    assert any("POST /generate_animation 200" in line for line in lines)
    secrets = eg.names_in(rows) | {session_id}
    leaks = {secret: line for line in lines for secret in secrets if secret in line}
    assert leaks == {}


def test_a_refused_upload_logs_no_listening_data(client, rows, every_log):
    broken = eg.extended_zip([dict(r, ms_played="lots") for r in rows[:300]])
    assert post_upload(client, broken).status_code == 422
    lines = [logging.Formatter("%(message)s").format(record) for record in every_log.records]
    assert lines and not [line for line in lines for name in eg.names_in(rows[:300]) if name in line]
