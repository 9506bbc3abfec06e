"""Jobs tell the truth, on both backends: any exception ends a job failed with a reason safe to show;
the heartbeat covers every phase (a slow start or join is not taken for a dead worker); cancel and
pickup never both win; deleting a session mid-render answers at once and stops its renders."""
from __future__ import annotations

import json
import threading
import time
from types import SimpleNamespace

import pytest

from backend.app import create_app
from backend.services.encoding.ffmpeg import ENCODE_FAILED
from backend.services.jobs.runner import OUT_OF_DISK, OUT_OF_MEMORY, RENDER_FAILED, run_job
from backend.services.jobs.store import JobStore
from tests import exportgen as eg
from tests import job_faults
from tests.conftest import upload_ok
from tests.job_backends import ffmpeg_children, job_app, start, watch

RACE = {"days": 5, "interp_steps": 6, "speed_for_bar_animation": 12, "figsize": [4.8, 6.4], "dpi": 100}
LONG_RACE = {**RACE, "days": 1, "interp_steps": 12, "figsize": [10.8, 13.5]}
STALE_SECONDS = 2.5
# Two segments for RACE, so a job has a join to wait for; beats judged against a short silence.
SETTINGS = {"JOB_STALE_SECONDS": STALE_SECONDS, "RENDER_WORKERS": 2, "RENDER_MEMORY_MB": 0, "MAX_SESSIONS": 50}
SETTLE_SECONDS = 30.0


@pytest.fixture(scope="module")
def export():
    return eg.extended_zip(eg.extended_rows(eg.make_catalog(), 3000, start="2022-01-01", end="2022-12-31"))


@pytest.fixture(scope="module", params=["local", "celery"])
def backend(request, tmp_path_factory):
    upload_dir = tmp_path_factory.mktemp(f"lifecycle-{request.param}")
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "local":
            for (module, name), replacement in job_faults.patches(upload_dir).items():
                patch.setattr(module, name, replacement)
        with job_app(request.param, upload_dir, settings=SETTINGS, worker_module="tests.fault_worker") as (app, workers):
            yield SimpleNamespace(name=request.param, app=app, client=app.test_client(), upload_dir=upload_dir,
                                  workers=workers)


@pytest.fixture
def session(backend, export):
    return upload_ok(backend.client, export)["session_id"]


def eventually(condition, timeout: float = SETTLE_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def files_of(upload_dir, name: str) -> list[str]:
    return sorted(p.name for p in upload_dir.rglob("*") if name in p.name)


@pytest.mark.parametrize("fault, error, reason", [
    (job_faults.RAISE_BEFORE_FRAMES, "RuntimeError", RENDER_FAILED),
    (job_faults.RAISE_IN_FRAMES, "RuntimeError", RENDER_FAILED),
    (job_faults.RAISE_IN_FRAMES, "MemoryError", OUT_OF_MEMORY),
    (job_faults.RAISE_BEFORE_FRAMES, "ENOSPC", OUT_OF_DISK),
    (job_faults.RAISE_IN_FRAMES, "EncoderError", ENCODE_FAILED),
])
def test_a_render_that_raises_ends_failed_with_a_reason_safe_to_show(backend, session, fault, error, reason):
    job_faults.arm(backend.upload_dir, fault, error)
    job_id = start(backend.client, session, **RACE)
    seen = watch(backend.client, job_id)
    assert job_faults.was_hit(backend.upload_dir, fault)
    assert {status["state"] for status in seen} <= {"queued", "running", "failed"}
    final = seen[-1]
    assert final["state"] == "failed" and final["error"] == reason
    assert str(backend.upload_dir) not in final["error"] and "libfoo" not in final["error"]
    # ffmpeg and the segment helpers are gone, the job's files too (its record aside)
    assert eventually(lambda: ffmpeg_children(backend.workers) == [])
    assert eventually(lambda: files_of(backend.upload_dir, job_id) == [f"{session}.{job_id}.json"])
    assert backend.client.get(f"/jobs/{job_id}").get_json()["state"] == "failed"


def test_a_slow_start_and_a_slow_join_are_not_taken_for_a_dead_worker(backend, session):
    """Longer than JOB_STALE_SECONDS before the first frame and while segments join: the beat goes on,
    the job finishes done, and its record is not rewritten for each beat."""
    pause = str(STALE_SECONDS + 1.5)
    job_faults.arm(backend.upload_dir, job_faults.SLOW_START, pause)
    job_faults.arm(backend.upload_dir, job_faults.SLOW_JOIN, pause)
    job_id = start(backend.client, session, **RACE)
    record_path = backend.upload_dir / "jobs" / f"{session}.{job_id}.json"
    seen, records_while_running = [], set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not seen or seen[-1]["state"] in ("queued", "running")):
        seen.append(backend.client.get(f"/jobs/{job_id}").get_json())
        record = record_path.read_bytes()
        if json.loads(record)["state"] == "running":
            records_while_running.add(record)
        time.sleep(0.1)
    assert job_faults.was_hit(backend.upload_dir, job_faults.SLOW_START)
    assert job_faults.was_hit(backend.upload_dir, job_faults.SLOW_JOIN)
    assert [s["state"] for s in seen if s["state"] not in ("queued", "running")] == ["done"]
    running = [s["frames_done"] for s in seen if s["state"] == "running"]
    assert running[0] == 0 and max(running) > 0  # seen before the first frame and after frames
    assert running == sorted(running)
    assert len(records_while_running) == 1  # progress travels in the beat file, not the record


def test_a_cancel_racing_the_pickup_never_leaves_a_cancelled_job_rendering(tmp_path, export, monkeypatch):
    """The cancel arrives after the worker read the queued record and before it wrote "running": it
    waits for the pickup's lock, then stops the render; the job never ends done."""
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(tmp_path)})
    monkeypatch.setattr(app.extensions["job_queue"], "submit", lambda session_id, job_id: None)
    client = app.test_client()
    session = upload_ok(client, export)["session_id"]
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


def test_deleting_a_session_mid_render_answers_at_once_and_stops_its_renders(backend, session):
    client = backend.client
    job_id = start(client, session, **LONG_RACE)
    assert eventually(lambda: client.get(f"/jobs/{job_id}").get_json()["frames_done"] > 0)
    answers: list = []
    rendering = threading.Thread(target=lambda: answers.append(backend.app.test_client().post(
        "/generate_animation", json={"session_id": session, **LONG_RACE})))
    rendering.start()
    assert eventually(lambda: any(backend.upload_dir.glob(".work-*")))  # its frames are being encoded

    deleted = client.delete(f"/sessions/{session}")
    still_rendering = rendering.is_alive()
    assert deleted.status_code == 200 and deleted.get_json() == {"deleted": session}
    assert still_rendering, "DELETE waited for the render to end"

    assert client.get(f"/jobs/{job_id}").status_code == 404
    rendering.join(SETTLE_SECONDS)
    assert not rendering.is_alive()
    assert answers[0].status_code == 410
    assert answers[0].get_json() == {"error": "The session was deleted while this request was using it; "
                                              "upload your export again with POST /process."}
    assert eventually(lambda: ffmpeg_children(backend.workers) == [])
    assert eventually(lambda: files_of(backend.upload_dir, session) == [] and
                      not any(backend.upload_dir.glob(".work-*")))
