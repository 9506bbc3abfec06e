"""A job record replaced by something the service never wrote (a link, a FIFO, deep JSON, a huge number, a
record of the wrong shape) reads as no job: 404 with its message, at once, and the other jobs stay listed."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from tests.support.service import offline_app

JOB_ID = "A" * 22
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
    answers: list = []
    reader = threading.Thread(target=lambda: answers.append(client.get(f"/jobs/{JOB_ID}")), daemon=True)
    reader.start()
    reader.join(20)
    assert answers, "the request blocked"
    assert (answers[0].status_code, answers[0].get_json()) == (404, NO_JOB)


def test_a_record_as_the_service_writes_it_is_read(tmp_path):
    client = offline_app(tmp_path / "sessions").test_client()
    (tmp_path / "sessions" / "jobs" / f"{SESSION}.{JOB_ID}.json").write_text(json.dumps(RECORD))
    answer = client.get(f"/jobs/{JOB_ID}")
    assert answer.status_code == 200 and answer.get_json()["state"] == "done"
