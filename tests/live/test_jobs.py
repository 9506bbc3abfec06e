"""Race renders as jobs: progress, download with Range, cancel, ownership, worker loss, limits. What a render
in another process could change (progress, cancel, a killed worker, two at once) is checked on both backends
(embedded executor; Celery workers on a real redis-server), the web tier's own answers on the first."""
from __future__ import annotations

import contextlib
import os
import signal
import time

import psutil
import pytest

from backend.services.jobs.store import JobStore
from harness.job_backends import JOB_SETTINGS, ON_BOTH_BACKENDS, JobOptions, fetch, ffmpeg_children, start, watch
from harness.media import probe_video
from harness.service import offline_app, upload_ok

pytestmark = pytest.mark.slow

RACE = {"days": 5, "interp_steps": 6, "speed_for_bar_animation": 12, "figsize": [4.8, 6.4], "dpi": 100}
LONG_RACE = {**RACE, "days": 1, "interp_steps": 12, "figsize": [10.8, 13.5]}


@pytest.fixture(scope="module")
def job_options() -> JobOptions:
    return JobOptions(settings={"MAX_SESSIONS": 50})


@pytest.fixture
def client(job_backend):
    """This module's client is the job backend's."""
    return job_backend.client


@ON_BOTH_BACKENDS
def test_job_runs_to_done_with_monotonic_progress_and_same_video_as_sync_route(client, job_session):
    job_id = start(client, job_session, **RACE)
    seen = watch(client, job_id)
    states = [status["state"] for status in seen]
    assert states[-1] == "done" and set(states) <= {"queued", "running", "done"}
    progress = [status["progress"] for status in seen]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert seen[-1]["frames_done"] == seen[-1]["frames_total"]

    download = fetch(client, seen[-1]["video_url"])
    assert download.status_code == 200 and download.mimetype == "video/mp4"
    assert "attachment" in download.headers["Content-Disposition"]
    direct = client.post("/generate_animation", json={"session_id": job_session, **RACE},
                         headers={"Accept": "video/mp4"})
    assert direct.mimetype == "video/mp4"
    job_video, sync_video = probe_video(download.data), probe_video(direct.data)
    assert len(job_video.frames) == len(sync_video.frames) == seen[-1]["frames_total"]
    assert (job_video.codec, job_video.width, job_video.height) == (sync_video.codec, 480, 640)


def test_range_request_returns_206_with_the_right_bytes(client, job_session):
    job_id = start(client, job_session, **RACE)
    url = watch(client, job_id)[-1]["video_url"]
    whole = fetch(client, url).data
    part = fetch(client, url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.data == whole[100:1100]
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(whole)}"


@ON_BOTH_BACKENDS
def test_video_is_409_until_done_and_cancel_stops_ffmpeg_and_removes_files(job_backend, client, job_session):
    job_id = start(client, job_session, **LONG_RACE)
    watch(client, job_id, until=("running",))
    assert client.get(f"/jobs/{job_id}/video").status_code == 409
    time.sleep(0.5)
    started = time.monotonic()
    answer = client.delete(f"/jobs/{job_id}").get_json()
    assert answer["state"] == "cancelled"
    assert time.monotonic() - started < 2.0
    assert client.get(f"/jobs/{job_id}").get_json()["state"] == "cancelled"
    deadline = time.monotonic() + 2
    while ffmpeg_children(job_backend.workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ffmpeg_children(job_backend.workers) == []
    jobs_dir = job_backend.upload_dir / "jobs"
    assert not [p.name for p in jobs_dir.iterdir() if p.name.startswith(job_session) and
                p.suffix in (".mp4", ".work", ".cancel")]
    assert not list(job_backend.upload_dir.glob("*.mp4"))


def test_deleting_a_finished_job_removes_its_video(client, job_session):
    job_id = start(client, job_session, **RACE)
    watch(client, job_id)
    assert client.delete(f"/jobs/{job_id}").get_json() == {"deleted": job_id}
    assert client.get(f"/jobs/{job_id}").status_code == 404


def test_deleting_the_session_deletes_its_jobs(job_backend, client, job_session):
    job_id = start(client, job_session, **RACE)
    watch(client, job_id)
    client.delete(f"/sessions/{job_session}")
    assert client.get(f"/jobs/{job_id}").status_code == 404
    assert not list((job_backend.upload_dir / "jobs").glob(f"{job_session}.*"))


def test_job_for_unknown_session_is_404_and_bad_body_is_400(client):
    response = client.post("/jobs/animation", json={"session_id": "00000000-0000-4000-8000-000000000000"})
    assert response.status_code == 404
    # the body is checked before the session is looked for
    response = client.post("/jobs/animation", json={"session_id": "00000000-0000-4000-8000-000000000000",
                                                    "period": "y"})
    assert response.status_code == 400 and "period must be" in response.get_json()["error"]
    response = client.post("/jobs/animation", json={"session_id": "x", "period": "d"})
    assert response.status_code == 400 and "session_id must be the UUID" in response.get_json()["error"]


def test_job_ids_are_checked_before_use(client):
    assert client.get("/jobs/..etc*passwd").status_code == 400
    assert "job_id must be" in client.get("/jobs/..etc*passwd").get_json()["error"]
    assert client.get("/jobs/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_max_jobs_gives_503_with_retry_after(tmp_path, race_export):
    client = offline_app(tmp_path, MAX_JOBS=1).test_client()
    session = upload_ok(client, race_export)["session_id"]
    first = start(client, session, **LONG_RACE)
    response = client.post("/jobs/animation", json={"session_id": session, **RACE})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    client.delete(f"/jobs/{first}")


def rendering_pool_process(backend, timeout: float = 10.0) -> psutil.Process:
    """The Celery pool process that is feeding an ffmpeg right now."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in backend.workers:
            for child in psutil.Process(worker.pid).children():
                with contextlib.suppress(psutil.NoSuchProcess):  # a process that ended while we looked
                    if any("ffmpeg" in grandchild.name() for grandchild in child.children()):
                        return child
        time.sleep(0.05)
    raise AssertionError("no Celery worker is rendering")


@ON_BOTH_BACKENDS
def test_a_killed_worker_leaves_the_job_failed_not_running(job_backend, client, job_session):
    job_id = start(client, job_session, **LONG_RACE)
    watch(client, job_id, until=("running",))
    if job_backend.name == "celery":
        os.kill(rendering_pool_process(job_backend).pid, signal.SIGKILL)
    else:
        # The embedded executor runs in the web process itself; stand in for its death by leaving what
        # a kill would: a record that says "running", and no beat any more.
        store: JobStore = client.application.extensions["jobs"]
        record = store.find(job_id)
        store.cancel(record, wait_seconds=2.0)
        record.state, record.started_at = "running", job_backend.clock.now()
        store.record_path(record).write_bytes(store.encoded(record))
    # JOB_STALE_SECONDS pass on the web tier's clock (a Celery worker's beats keep real time: set back after)
    job_backend.clock.advance(JOB_SETTINGS["JOB_STALE_SECONDS"] + 0.5)
    try:
        final = watch(client, job_id, until=("failed",), timeout=15)[-1]
    finally:
        job_backend.clock.reset()
    assert "stopped before finishing" in final["error"]
    assert not list((job_backend.upload_dir / "jobs").glob(f"*.{job_id}.work"))


@ON_BOTH_BACKENDS
def test_two_jobs_render_side_by_side_on_two_workers_while_the_web_tier_answers_fast(job_backend, client, race_export):
    """Two Celery workers take one job each; the embedded executor (JOB_WORKERS=1) runs one, queues one."""
    first, second = upload_ok(client, race_export)["session_id"], upload_ok(client, race_export)["session_id"]
    jobs = [start(client, first, **LONG_RACE), start(client, second, **LONG_RACE)]
    expected = ["running", "running"] if job_backend.name == "celery" else ["running", "queued"]
    deadline, states, health = time.monotonic() + 30, [], []
    while time.monotonic() < deadline and states != expected:
        states = [client.get(f"/jobs/{job}").get_json()["state"] for job in jobs]
        began = time.perf_counter()
        assert client.get("/health").status_code == 200
        health.append(time.perf_counter() - began)
        time.sleep(0.05)
    assert states == expected
    assert max(health) < 0.1
    for job in jobs:
        client.delete(f"/jobs/{job}")
