"""Filters and added exports with SESSION_STORE=s3: two web machines (the dev server, each on its own empty
UPLOAD_DIR) and a real S3 server (SeaweedFS). Filters put on one machine are honoured on the other at once; a
DELETE leaves no filters object; an export added on one machine is charted on the other from the new version,
fetched once; a session deleted while an export is being added to it never comes back."""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
import requests

from harness import exportgen as eg
from harness import servicegen as sg
from harness.filtering import RowFilter, kept_rows, top_artists
from harness.live_server import live_server
from harness.object_store import s3_server
from harness.waiting import eventually

pytestmark = pytest.mark.slow
PREFIX = "curated-sessions/"
ROWS = eg.extended_rows(eg.make_catalog(), 400, seed=5, start="2022-01-01", end="2022-03-31")
OWN = sg.own_plays(300, "2022-02-01")
GONE = {"error": "Unknown or expired session; upload your export again with POST /process."}


@pytest.fixture(scope="module")
def machines(tmp_path_factory):
    root = tmp_path_factory.mktemp("bucket")
    with s3_server(root / "s3") as s3, contextlib.ExitStack() as running:
        pair = []
        for name in ("a", "b"):
            (root / name / "sessions").mkdir(parents=True)
            pair.append(running.enter_context(live_server(root / name / "sessions", root / name / "server.log",
                                                          "dev", **s3.settings(PREFIX))))
        yield s3, *pair


def upload(machine, data: bytes, filename: str = "my_spotify_data.zip", url: str = "/process"):
    return requests.post(f"{machine.url}{url}", files={"file": (filename, data)}, timeout=120)


def chart(machine, session_id: str) -> dict:
    response = requests.post(f"{machine.url}/generate_image", json={"session_id": session_id}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def data_copies(folder: Path, session_id: str) -> list[Path]:
    return sorted(path for path in folder.rglob(f"{session_id}.*.duckdb"))


def test_filters_put_on_one_machine_hold_on_the_other_and_go_with_the_session(machines):
    s3, a, b = machines
    session = upload(a, eg.extended_zip(ROWS)).json()["session_id"]
    assert chart(b, session)["items"] == top_artists(ROWS)   # B holds the session now, without filters
    leader = top_artists(ROWS, 1)[0]["name"]
    put = requests.put(f"{a.url}/sessions/{session}/filters", json={"exclude_artists": [leader.upper()]}, timeout=30)
    assert put.status_code == 200, put.text
    assert chart(b, session)["items"] == top_artists(kept_rows(ROWS, RowFilter(frozenset({leader}))))
    kept = requests.get(f"{b.url}/sessions/{session}/filters", timeout=30).json()["filters"]
    assert kept["exclude_artists"] == [leader.upper()] and kept["plays_set_aside"] > 0
    assert f"{PREFIX}{session}/filters.json" in s3.keys(f"{PREFIX}{session}/")
    assert requests.delete(f"{b.url}/sessions/{session}", timeout=30).json() == {"deleted": session}
    assert s3.keys(f"{PREFIX}{session}") == []
    for machine in (a, b):
        gone = requests.get(f"{machine.url}/sessions/{session}/filters", timeout=30)
        assert (gone.status_code, gone.json()) == (404, GONE)


def test_an_export_added_on_one_machine_is_charted_on_the_other_from_the_new_version_fetched_once(machines):
    s3, a, b = machines
    session = upload(a, eg.extended_zip(ROWS)).json()["session_id"]
    assert chart(b, session)["sources"] == ["Spotify"]
    added = upload(a, sg.lastfm_csv(OWN), "scrobbles.csv", f"/sessions/{session}/uploads")
    assert added.status_code == 200, added.text
    etag = s3.client().head_object(Bucket=s3.bucket, Key=f"{PREFIX}{session}/session.duckdb")["ETag"].strip('"')
    first = chart(b, session)
    assert first["sources"] == ["Spotify", "Last.fm"] and first == chart(a, session)
    copies = data_copies(b.upload_dir, session)
    assert len(copies) == 1 and etag in copies[0].name    # the old version's copy is gone
    inode = copies[0].stat().st_ino
    assert chart(b, session) == first
    assert [path.stat().st_ino for path in data_copies(b.upload_dir, session)] == [inode]   # not fetched again


def test_a_session_deleted_while_an_export_is_added_never_comes_back(machines):
    s3, a, b = machines
    session = upload(a, eg.extended_zip(ROWS)).json()["session_id"]
    big = sg.lastfm_csv(sg.own_plays(150_000, "2022-02-01"))
    answers = []
    adding = threading.Thread(target=lambda: answers.append(
        upload(a, big, "scrobbles.csv", f"/sessions/{session}/uploads")))
    adding.start()
    # the addition has found the session once its ingest is under way in a work folder of its own
    assert eventually(lambda: any(a.upload_dir.rglob(".work-*/added.duckdb")), 30)
    assert requests.delete(f"{b.url}/sessions/{session}", timeout=30).json() == {"deleted": session}
    adding.join()
    # the addition had found the session: it learns of the delete when it publishes
    assert (answers[0].status_code, answers[0].json()) == (410, {"error": (
        "The session was deleted while this request was using it; upload your export again with POST /process.")})
    for machine in (a, b):
        assert requests.get(f"{machine.url}/sessions/{session}", timeout=30).status_code == 404
        assert requests.post(f"{machine.url}/generate_image", json={"session_id": session},
                             timeout=30).status_code == 404
    assert s3.keys(f"{PREFIX}{session}") == []
