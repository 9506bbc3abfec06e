"""UPLOAD_DIR on a small tmpfs the tests fill: PUT /sessions/<id>/filters and an export added with POST
/sessions/<id>/uploads answer 507 saying so and leave the session as it was (its filters, its plays, its
files); the same requests succeed once space is free again."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import exportgen as eg
from harness import servicegen as sg
from harness.service import leftovers, offline_app, post_upload, upload_ok
from harness.small_disk import filled, mounted
from src.resource_errors import ServerOutOfSpace

pytestmark = pytest.mark.slow

DISK_MB = 16
OUT_OF_SPACE = (507, {"error": ServerOutOfSpace().message})
ROWS = eg.extended_rows(eg.make_catalog(), 300, seed=5, start="2022-01-01", end="2022-03-31")
SCROBBLES = sg.own_plays(200, "2022-02-01")
FIRST = {"exclude_artists": [ROWS[0]["master_metadata_album_artist_name"] or "Nobody"]}
SECOND = {"exclude_artists": ["Scrobbled Artist 0"], "merge_versions": True}


@pytest.fixture
def service(tmp_path) -> Iterator[tuple[object, str, Path]]:
    with mounted(tmp_path / "disk", DISK_MB) as disk:
        sessions = disk / "sessions"
        client = offline_app(sessions).test_client()
        session_id = upload_ok(client, eg.extended_zip(ROWS))["session_id"]
        assert client.put(f"/sessions/{session_id}/filters", json=FIRST).status_code == 200
        yield client, session_id, sessions


def state(client, session_id: str) -> tuple:
    """What a person sees of the session: its summary, its kept filters and its chart."""
    summary = client.get(f"/sessions/{session_id}").get_json()["summary"]
    filters = client.get(f"/sessions/{session_id}/filters").get_json()
    chart = client.post("/generate_image", json={"session_id": session_id}).get_json()
    return summary, filters, chart["items"], chart.get("sources")


@pytest.mark.parametrize("keep_free_kb", [0])
def test_filters_put_on_a_full_disk_are_507_and_the_kept_ones_stay(service, keep_free_kb):
    client, session_id, sessions = service
    before, files = state(client, session_id), leftovers(sessions)
    with filled(sessions.parent, keep_free_kb):
        response = client.put(f"/sessions/{session_id}/filters", json=SECOND)
        assert (response.status_code, response.get_json()) == OUT_OF_SPACE
        assert response.headers["Retry-After"] == "60"
        assert state(client, session_id) == before and leftovers(sessions) == files
    assert client.put(f"/sessions/{session_id}/filters", json=SECOND).status_code == 200
    kept = client.get(f"/sessions/{session_id}/filters").get_json()["filters"]
    assert kept["exclude_artists"] == SECOND["exclude_artists"]


@pytest.mark.parametrize("keep_free_kb", [16, 400])
def test_an_export_added_on_a_full_disk_is_507_and_the_session_stays_as_it_was(service, keep_free_kb):
    client, session_id, sessions = service
    before, files = state(client, session_id), leftovers(sessions)
    scrobbles = sg.lastfm_csv(SCROBBLES)
    with filled(sessions.parent, keep_free_kb):
        response = post_upload(client, scrobbles, "scrobbles.csv", url=f"/sessions/{session_id}/uploads")
        assert (response.status_code, response.get_json()) == OUT_OF_SPACE
        assert response.headers["Retry-After"] == "60"
        assert state(client, session_id) == before
        # nothing is new but, when the disk filled after the upload was received, the (empty) lock of the
        # session's one writer: it stays, as after any added upload
        writer = sessions / f"{session_id}.writer"
        assert set(leftovers(sessions)) - set(files) <= {writer.name}
        assert not writer.exists() or writer.stat().st_size == 0
    added = post_upload(client, scrobbles, "scrobbles.csv", url=f"/sessions/{session_id}/uploads")
    assert added.status_code == 200, added.get_json()
    summary, filters, _, sources = state(client, session_id)
    assert (summary["rows_stored"], sources) == (len(SCROBBLES), ["Spotify", "Last.fm"])
    assert filters == before[1]
