"""Job records hold the validated request, small and nothing else; the job budgets per session and the
record-size budget."""
from __future__ import annotations

import json

import pytest

from backend.app import create_app
from harness import exportgen as eg
from harness.job_backends import fetch, start, watch
from harness.service import upload_ok

pytestmark = pytest.mark.slow

TINY_RACE = {"days": 30, "interp_steps": 1, "speed_for_bar_animation": 1, "figsize": [3.2, 3.2], "dpi": 100}
PADDING = "x" * 2000


@pytest.fixture(scope="module")
def export():
    return eg.extended_zip(eg.extended_rows(eg.make_catalog(), 600, start="2022-01-01", end="2022-12-31"))


def make_app(upload_dir, **settings):
    return create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), **settings})


def never_run(app, monkeypatch) -> None:
    """Jobs stay queued: what the budgets count without a render's cost."""
    monkeypatch.setattr(app.extensions["job_queue"], "submit", lambda session_id, job_id: None)


def test_the_record_holds_the_validated_request_not_the_body(upload_dir, export):
    app = make_app(upload_dir)
    client = app.test_client()
    session = upload_ok(client, export)["session_id"]
    body = {**TINY_RACE, "selected_attribute": "Song", "analysis_metric": "Time Listened", "top_n": "7",
            "start_date": "2022-02-01", "end_date": "2022-06-30", "period": "Week", "count_short_plays": True,
            "theme": "Pulse", "window_days": "45", "padding": PADDING, "admin": {"role": "root"}}
    job_id = start(client, session, **body)
    raw = (upload_dir / "jobs" / f"{session}.{job_id}.json").read_bytes()
    record = json.loads(raw)
    assert len(raw) < 1024
    assert "padding" not in raw.decode() and "admin" not in raw.decode() and "xxxx" not in raw.decode()
    assert set(record) == {"job_id", "session_id", "request", "frames_total", "filename", "state", "frames_done",
                           "error", "created_at", "started_at", "finished_at"}
    assert record["request"] == {
        "chart": {"session_id": session, "attribute": "track_name", "metric": "duration_ms", "top_n": 7,
                  "start": "2022-02-01", "end": "2022-06-30", "width": 320, "height": 320, "timezone": None,
                  "min_ms": 0, "theme": "pulse", "filters": {}},
        "fps": 1, "keyframe_spacing_days": 30, "interp_steps": 1, "period": "w", "rolling_days": 45}
    assert watch(client, job_id)[-1]["state"] == "done"


def test_a_record_over_max_job_record_kb_is_413_and_not_stored(upload_dir, export):
    app = make_app(upload_dir, MAX_JOB_RECORD_KB=0.25)
    client = app.test_client()
    session = upload_ok(client, export)["session_id"]
    response = client.post("/jobs/animation", json={"session_id": session, **TINY_RACE})
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error.startswith("This render's job record would take ") and error.endswith(
        "bytes; the limit is 256 (MAX_JOB_RECORD_KB).")
    assert not list((upload_dir / "jobs").glob("*.json"))


def test_max_jobs_per_session_gives_503_with_retry_after(upload_dir, export, monkeypatch):
    app = make_app(upload_dir, MAX_JOBS=4, MAX_JOBS_PER_SESSION=2)
    never_run(app, monkeypatch)
    client = app.test_client()
    session, other = upload_ok(client, export)["session_id"], upload_ok(client, export)["session_id"]
    first = start(client, session, **TINY_RACE)
    start(client, session, **TINY_RACE)
    refused = client.post("/jobs/animation", json={"session_id": session, **TINY_RACE})
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert refused.get_json() == {"error": "This session already has 2 renders queued or running; wait for one "
                                           "to finish or cancel one with DELETE /jobs/<job_id>."}
    start(client, other, **TINY_RACE)  # another session still has its own share
    assert client.delete(f"/jobs/{first}").get_json()["state"] == "cancelled"
    start(client, session, **TINY_RACE)  # a cancelled job no longer counts


def test_max_videos_per_session_keeps_the_newest(upload_dir, export):
    app = make_app(upload_dir, MAX_VIDEOS_PER_SESSION=5)
    client = app.test_client()
    session, other = upload_ok(client, export)["session_id"], upload_ok(client, export)["session_id"]
    kept_elsewhere = start(client, other, **TINY_RACE)
    assert watch(client, kept_elsewhere)[-1]["state"] == "done"
    jobs = []
    for _ in range(6):
        jobs.append(start(client, session, **TINY_RACE))
        assert watch(client, jobs[-1])[-1]["state"] == "done"
    oldest = jobs[0]
    assert fetch(client, f"/jobs/{oldest}/video").status_code == 404
    assert client.get(f"/jobs/{oldest}").status_code == 404
    for job_id in [*jobs[1:], kept_elsewhere]:
        assert fetch(client, f"/jobs/{job_id}/video").status_code == 200
    assert len(list((upload_dir / "jobs").glob(f"{session}.*.mp4"))) == 5
