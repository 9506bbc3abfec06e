"""Files of UPLOAD_DIR replaced by what the service never wrote. A job record that is a link, a FIFO, deep JSON,
a huge number or of the wrong shape reads as no job: 404 with its message, at once, and a good record beside
it still reads. A session file replaced by a link is not followed; a lock file replaced by a link is made
afresh, never followed to create a file elsewhere."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from harness import exportgen as eg
from harness.service import offline_app, upload_ok

JOB_ID = "A" * 22
GOOD_JOB_ID = "B" * 22
SESSION = "0b0e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b"
NO_JOB = {"error": "Unknown or expired job; start it again with POST /jobs/animation."}
RECORD = {"job_id": JOB_ID, "session_id": SESSION, "request": {}, "frames_total": 10, "filename": "race.mp4",
          "state": "done", "frames_done": 10, "error": None, "created_at": 1.0, "started_at": 2.0,
          "finished_at": 3.0}


def _link(path: Path) -> None:
    outside = path.parent.parent / "outside.json"
    outside.write_text(json.dumps(RECORD))   # a valid record: only following the link would find it
    path.symlink_to(outside)


HOSTILE = {
    "symlink": _link,
    "fifo": os.mkfifo,
    "deep": lambda path: path.write_text("[" * 100_000 + "]" * 100_000),
    "long number": lambda path: path.write_text(json.dumps(RECORD).replace('"frames_total": 10',
                                                                           '"frames_total": ' + "9" * 400)),
    "wrong types": lambda path: path.write_text(json.dumps({**RECORD, "state": "done", "frames_total": "ten"})),
    "a list": lambda path: path.write_text("[1, 2]"),
    "sparse": lambda path: (path.touch(), os.truncate(path, 256 * 2**20)),
    "invalid utf-8": lambda path: path.write_bytes(b'{"state": "\xff\xfe"}'),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_job_record_reads_as_no_job(tmp_path, kind):
    client = offline_app(tmp_path / "sessions").test_client()
    jobs = tmp_path / "sessions" / "jobs"
    HOSTILE[kind](jobs / f"{SESSION}.{JOB_ID}.json")
    (jobs / f"{SESSION}.{GOOD_JOB_ID}.json").write_text(json.dumps({**RECORD, "job_id": GOOD_JOB_ID}))
    answers: list = []
    reader = threading.Thread(target=lambda: answers.append(client.get(f"/jobs/{JOB_ID}")), daemon=True)
    reader.start()
    reader.join(20)
    assert answers, "the request blocked"
    assert (answers[0].status_code, answers[0].get_json()) == (404, NO_JOB)
    assert client.get(f"/jobs/{GOOD_JOB_ID}").get_json()["state"] == "done"


def test_a_record_as_the_service_writes_it_is_read(tmp_path):
    client = offline_app(tmp_path / "sessions").test_client()
    (tmp_path / "sessions" / "jobs" / f"{SESSION}.{JOB_ID}.json").write_text(json.dumps(RECORD))
    answer = client.get(f"/jobs/{JOB_ID}")
    assert answer.status_code == 200 and answer.get_json()["state"] == "done"


def small_export() -> bytes:
    return eg.extended_zip(eg.extended_rows(eg.make_catalog(), 200, start="2022-01-01", end="2022-03-31"))


def test_a_session_file_replaced_by_a_link_is_not_read(tmp_path):
    sessions = tmp_path / "sessions"
    client = offline_app(sessions).test_client()
    mine, other = (upload_ok(client, small_export())["session_id"] for _ in range(2))
    (sessions / f"{mine}.duckdb").unlink()
    (sessions / f"{mine}.duckdb").symlink_to(sessions / f"{other}.duckdb")  # someone else's listening
    answer = client.post("/generate_image", json={"session_id": mine})
    assert answer.status_code == 410
    assert answer.get_json()["error"].startswith("The session was deleted")
    assert client.post("/generate_image", json={"session_id": other}).status_code == 200


def test_a_session_lock_replaced_by_a_link_creates_nothing_where_it_points(tmp_path):
    sessions = tmp_path / "sessions"
    client = offline_app(sessions).test_client()
    session = upload_ok(client, small_export())["session_id"]
    outside = tmp_path / "outside" / "planted"
    outside.parent.mkdir()
    (sessions / f"{session}.lock").unlink(missing_ok=True)
    (sessions / f"{session}.lock").symlink_to(outside)
    assert client.post("/generate_image", json={"session_id": session}).status_code == 200
    assert not outside.exists()
    assert not (sessions / f"{session}.lock").is_symlink()
