"""A crash (kill -9) and a restart on the same UPLOAD_DIR: every job reaches a final state, holds no render
slot and leaves no file behind. The service runs as `python -m backend.app`, with the embedded executor."""
from __future__ import annotations

import os
import signal

import psutil
import pytest
import requests

from harness.live_server import live_server
from harness.waiting import job_state

pytestmark = pytest.mark.slow

STALE_SECONDS = 3
SETTINGS = {"JOB_BACKEND": "local", "JOB_WORKERS": 1, "MAX_JOBS_PER_SESSION": 2, "JOB_STALE_SECONDS": STALE_SECONDS}
RACE = {"days": 5, "interp_steps": 6, "speed_for_bar_animation": 12, "figsize": [4.8, 6.4], "dpi": 100}
LONG_RACE = {**RACE, "days": 1, "interp_steps": 12, "figsize": [10.8, 13.5]}


def start_job(url: str, session: str, race: dict) -> requests.Response:
    return requests.post(f"{url}/jobs/animation", json={"session_id": session, **race}, timeout=30)


def kill_hard(process: psutil.Process) -> None:
    """kill -9 the server and whatever it started (its ffmpeg), as a crashed machine would leave them."""
    family = [process, *process.children(recursive=True)]
    for member in family:
        member.send_signal(signal.SIGKILL)
    psutil.wait_procs(family, timeout=10)


def test_after_kill_9_every_job_ends_frees_its_slot_and_leaves_no_file(tmp_path, race_export):
    upload_dir = tmp_path / "sessions"
    upload_dir.mkdir()
    with live_server(upload_dir, tmp_path / "before.log", "dev", **SETTINGS) as crashed:
        upload = requests.post(f"{crashed.url}/process", files={"file": ("my_spotify_data.zip", race_export)},
                               timeout=60)
        session = upload.json()["session_id"]
        running = start_job(crashed.url, session, LONG_RACE).json()["job_id"]
        job_state(crashed.url, running, ("running",))
        queued = start_job(crashed.url, session, RACE).json()["job_id"]
        assert job_state(crashed.url, queued, ("queued",))["state"] == "queued"
        kill_hard(psutil.Process(crashed.process.pid))
        crashed.process.wait()
    assert os.path.exists(upload_dir / "jobs" / f"{session}.{running}.beat")  # the crash left it mid-render

    with live_server(upload_dir, tmp_path / "after.log", "dev", **SETTINGS) as restarted:
        failed = job_state(restarted.url, running, ("done", "failed", "cancelled"))
        assert failed["state"] == "failed"
        assert failed["error"] == ("The render worker stopped before finishing (it was restarted or killed); "
                                   "start the job again.")
        finished = job_state(restarted.url, queued, ("done", "failed", "cancelled"))
        assert finished["state"] == "done", finished
        video = requests.get(f"{restarted.url}{finished['video_url']}", timeout=30)
        assert video.status_code == 200 and video.content[4:8] == b"ftyp"
        # both of the session's slots are free again
        fresh = [start_job(restarted.url, session, RACE) for _ in range(2)]
        assert [response.status_code for response in fresh] == [202, 202], [r.json() for r in fresh]
        cancelled = [response.json()["job_id"] for response in fresh]
        for job_id in cancelled:
            requests.delete(f"{restarted.url}/jobs/{job_id}", timeout=30)
            assert job_state(restarted.url, job_id, ("cancelled",))["state"] == "cancelled"
        left = sorted(path.name for path in (upload_dir / "jobs").iterdir() if path.name != ".jobs.lock")
    kept = {f"{session}.{running}.json", f"{session}.{queued}.json", f"{session}.{queued}.items.json",
            f"{session}.{queued}.mp4", *(f"{session}.{job_id}.json" for job_id in cancelled)}
    assert set(left) == kept, sorted(name.split(".", 2)[2] for name in set(left) ^ kept)
