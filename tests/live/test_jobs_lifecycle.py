"""Jobs tell the truth, on the embedded executor and, where another process could change it, on Celery: any
exception ends a job failed with a reason safe to show; the heartbeat covers every phase (a slow start or
join is not taken for a dead worker); cancel and pickup never both win; deleting a session mid-render
answers at once and stops its renders."""
from __future__ import annotations

import json
import threading

import pytest

from backend.services.encoding.ffmpeg import ENCODE_FAILED
from backend.services.jobs.runner import RENDER_FAILED, run_job
from backend.services.jobs.store import JobStore
from harness import job_faults
from harness.job_backends import ON_BOTH_BACKENDS, JobOptions, ffmpeg_children, start, watch
from harness.service import offline_app, upload_ok
from harness.waiting import eventually
from src.resource_errors import ServerOutOfMemory, ServerOutOfSpace

pytestmark = pytest.mark.slow

RACE = {"days": 5, "interp_steps": 6, "speed_for_bar_animation": 12, "figsize": [4.8, 6.4], "dpi": 100}
LONG_RACE = {**RACE, "days": 1, "interp_steps": 12, "figsize": [10.8, 13.5]}
STALE_SECONDS = 2.5
# Two segments for RACE, so a job has a join to wait for; beats judged against a short silence.
SETTINGS = {"JOB_STALE_SECONDS": STALE_SECONDS, "RENDER_WORKERS": 2, "RENDER_MEMORY_MB": 0, "MAX_SESSIONS": 50}
SETTLE_SECONDS = 30.0
OUT_OF_MEMORY, OUT_OF_DISK = ServerOutOfMemory().message, ServerOutOfSpace().message


@pytest.fixture(scope="module")
def job_options() -> JobOptions:
    """Faults armed per test: in the web process for the embedded executor, in harness.fault_worker for
    Celery."""
    return JobOptions(SETTINGS, worker_module="harness.fault_worker", local_patches=job_faults.patches)


def files_of(upload_dir, name: str) -> list[str]:
    return sorted(p.name for p in upload_dir.rglob("*") if name in p.name)


# Every reason on the embedded executor; on Celery workers a render that raises before its frames and one
# whose encoder fails among them (their ffmpeg and segment helpers in the worker's process tree).
@pytest.mark.parametrize("job_backend, fault, error, reason", [
    ("local", job_faults.RAISE_BEFORE_FRAMES, "RuntimeError", RENDER_FAILED),
    ("local", job_faults.RAISE_IN_FRAMES, "RuntimeError", RENDER_FAILED),
    ("local", job_faults.RAISE_IN_FRAMES, "MemoryError", OUT_OF_MEMORY),
    ("local", job_faults.RAISE_BEFORE_FRAMES, "ENOSPC", OUT_OF_DISK),
    ("local", job_faults.RAISE_IN_FRAMES, "EncoderError", ENCODE_FAILED),
    ("celery", job_faults.RAISE_BEFORE_FRAMES, "RuntimeError", RENDER_FAILED),
    ("celery", job_faults.RAISE_IN_FRAMES, "EncoderError", ENCODE_FAILED),
], indirect=["job_backend"], scope="module")
def test_a_render_that_raises_ends_failed_with_a_reason_safe_to_show(job_backend, job_session, fault, error, reason):
    job_faults.arm(job_backend.upload_dir, fault, error)
    job_id = start(job_backend.client, job_session, **RACE)
    seen = watch(job_backend.client, job_id)
    assert job_faults.was_hit(job_backend.upload_dir, fault)
    assert {status["state"] for status in seen} <= {"queued", "running", "failed"}
    final = seen[-1]
    assert final["state"] == "failed" and final["error"] == reason
    assert str(job_backend.upload_dir) not in final["error"] and "libfoo" not in final["error"]
    # ffmpeg and the segment helpers are gone, the job's files too (its record aside)
    assert eventually(lambda: ffmpeg_children(job_backend.workers) == [], SETTLE_SECONDS)
    assert eventually(lambda: files_of(job_backend.upload_dir, job_id) == [f"{job_session}.{job_id}.json"],
                      SETTLE_SECONDS)
    assert job_backend.client.get(f"/jobs/{job_id}").get_json()["state"] == "failed"


# A direct race answers the same failures with the status of the one error table and the words a job keeps.
@pytest.mark.parametrize("fault, error, status, reason", [
    (job_faults.RAISE_IN_FRAMES, "MemoryError", 503, OUT_OF_MEMORY),
    (job_faults.RAISE_BEFORE_FRAMES, "ENOSPC", 507, OUT_OF_DISK),
    (job_faults.RAISE_IN_FRAMES, "ENOSPC", 507, OUT_OF_DISK),
    (job_faults.RAISE_IN_FRAMES, "EncoderError", 500, ENCODE_FAILED),
])
def test_a_direct_race_and_a_job_answer_a_failure_alike(job_backend, job_session, fault, error, status, reason):
    client, upload_dir = job_backend.client, job_backend.upload_dir
    job_faults.arm(upload_dir, fault, error)
    direct = client.post("/generate_animation", json={"session_id": job_session, **RACE})
    assert job_faults.was_hit(upload_dir, fault)
    assert (direct.status_code, direct.get_json()) == (status, {"error": reason})
    assert ("Retry-After" in direct.headers) == (status != 500)
    job_faults.arm(upload_dir, fault, error)
    final = watch(client, start(client, job_session, **RACE))[-1]
    assert (final["state"], final["error"]) == ("failed", reason)


def test_a_slow_start_and_a_slow_join_are_not_taken_for_a_dead_worker(job_backend, job_session):
    """Longer than JOB_STALE_SECONDS before the first frame and while segments join (on the job clock, moved
    on while the render is held there): the beat goes on, the job finishes done, and its record is not
    rewritten for each beat. The heartbeat is the same thread of run_job on Celery workers."""
    client, upload_dir = job_backend.client, job_backend.upload_dir
    job_faults.arm(upload_dir, job_faults.HOLD_START)
    job_faults.arm(upload_dir, job_faults.HOLD_JOIN)
    job_id = start(client, job_session, **RACE)
    record_path = upload_dir / "jobs" / f"{job_session}.{job_id}.json"
    seen, records_while_running = [], set()

    def poll() -> str:
        seen.append(client.get(f"/jobs/{job_id}").get_json())
        record = record_path.read_bytes()
        if json.loads(record)["state"] == "running":
            records_while_running.add(record)
        return seen[-1]["state"]

    for phase in (job_faults.HOLD_START, job_faults.HOLD_JOIN):
        assert eventually(lambda phase=phase: poll() and job_faults.was_hit(upload_dir, phase), SETTLE_SECONDS)
        assert poll() == "running"
        job_backend.clock.advance(STALE_SECONDS + 1.5)
        assert poll() == "running", seen[-1]
        job_faults.release(upload_dir, phase)
    assert eventually(lambda: poll() not in ("queued", "running"), SETTLE_SECONDS)
    assert [s["state"] for s in seen if s["state"] not in ("queued", "running")] == ["done"]
    running = [s["frames_done"] for s in seen if s["state"] == "running"]
    assert running[0] == 0 and max(running) > 0  # seen before the first frame and after frames
    assert running == sorted(running)
    assert len(records_while_running) == 1  # progress travels in the beat file, not the record


def test_a_cancel_racing_the_pickup_never_leaves_a_cancelled_job_rendering(tmp_path, race_export, monkeypatch):
    """The cancel arrives after the worker read the queued record and before it wrote "running": it
    waits for the pickup's lock, then stops the render; the job never ends done."""
    app = offline_app(tmp_path)
    monkeypatch.setattr(app.extensions["job_queue"], "submit", lambda session_id, job_id: None)
    client = app.test_client()
    session = upload_ok(client, race_export)["session_id"]
    job_id = start(client, session, **RACE)
    store: JobStore = app.extensions["jobs"]
    reload_record = JobStore._reload
    cancel = threading.Thread(target=lambda: store.cancel(store.find(job_id)))

    def reload_then_cancel(self, record):
        current = reload_record(self, record)
        if threading.current_thread() is pickup and cancel.ident is None:
            cancel.start()
            cancel.join(timeout=1.0)  # without the lock it would cancel the queued job right here
        return current

    monkeypatch.setattr(JobStore, "_reload", reload_then_cancel)
    pickup = threading.Thread(target=run_job, args=(app.extensions["settings"], session, job_id))
    pickup.start()
    pickup.join(SETTLE_SECONDS)
    cancel.join(SETTLE_SECONDS)
    assert cancel.ident is not None
    final = client.get(f"/jobs/{job_id}").get_json()
    assert final["state"] == "cancelled"
    assert files_of(tmp_path, job_id) == [f"{session}.{job_id}.json"]


@ON_BOTH_BACKENDS
def test_deleting_a_session_mid_render_answers_at_once_and_stops_its_renders(job_backend, job_session):
    client = job_backend.client
    job_id = start(client, job_session, **LONG_RACE)
    assert eventually(lambda: client.get(f"/jobs/{job_id}").get_json()["frames_done"] > 0, SETTLE_SECONDS)
    answers: list = []
    rendering = threading.Thread(target=lambda: answers.append(job_backend.app.test_client().post(
        "/generate_animation", json={"session_id": job_session, **LONG_RACE})))
    rendering.start()
    # its frames are being encoded
    assert eventually(lambda: any(job_backend.upload_dir.glob(".work-*")), SETTLE_SECONDS)

    deleted = client.delete(f"/sessions/{job_session}")
    still_rendering = rendering.is_alive()
    assert deleted.status_code == 200 and deleted.get_json() == {"deleted": job_session}
    assert still_rendering, "DELETE waited for the render to end"

    assert client.get(f"/jobs/{job_id}").status_code == 404
    rendering.join(SETTLE_SECONDS)
    assert not rendering.is_alive()
    assert answers[0].status_code == 410
    assert answers[0].get_json() == {"error": "The session was deleted while this request was using it; "
                                              "upload your export again with POST /process."}
    assert eventually(lambda: ffmpeg_children(job_backend.workers) == [], SETTLE_SECONDS)
    assert eventually(lambda: files_of(job_backend.upload_dir, job_session) == [] and
                      not any(job_backend.upload_dir.glob(".work-*")), SETTLE_SECONDS)
