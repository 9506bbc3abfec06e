"""Sessions that outlive machines (SESSION_STORE=s3): two web machines (the dev server, each on its own empty
UPLOAD_DIR), a Celery worker on a third, a real redis and a real S3 server (SeaweedFS). Any machine answers
any request as the uploading one does; a DELETE anywhere is a 404 everywhere and leaves nothing in the bucket
or any cache; wiped machines serve everything again; a machine killed mid-upload leaves no session visible."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from pathlib import Path

import psutil
import pytest
import requests

from backend.services.jobs.store import STALE_ERROR
from harness import exportgen as eg
from harness.job_backends import redis_server, start_celery_worker, stop_all
from harness.live_server import live_server
from harness.media import probe_video
from harness.object_store import s3_server
from harness.waiting import eventually, job_state

pytestmark = pytest.mark.slow
RACE = {"days": 5, "interp_steps": 6, "speed_for_bar_animation": 12, "figsize": [4.8, 6.4], "dpi": 100,
        "start_date": "2022-01-01", "end_date": "2022-03-31"}
LONG_RACE = {"days": 1, "interp_steps": 12, "speed_for_bar_animation": 12, "figsize": [10.8, 13.5], "dpi": 100}
PREFIX = "spotify-sessions/"
STALE_SECONDS = 3.0


class Cluster:
    """The machines of one deployment: web machines started and stopped at will, one worker, one bucket."""

    def __init__(self, root: Path, settings: dict):
        self.root, self.settings = root, settings
        self.running = contextlib.ExitStack()
        self.count = 0

    def machine(self) -> tuple:
        """A new web machine on an empty folder of its own."""
        self.count += 1
        folder = self.root / f"machine-{self.count}"
        (folder / "sessions").mkdir(parents=True)
        return self.running.enter_context(live_server(folder / "sessions", folder / "server.log", "dev",
                                                      **self.settings))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    with s3_server(root / "s3") as s3, redis_server() as broker:
        settings = {**s3.settings(PREFIX), "JOB_BACKEND": "celery", "CELERY_BROKER_URL": broker,
                    "CLEANUP_INTERVAL_SECONDS": 3600, "SESSION_CACHE_CHECK_SECONDS": 0.5,
                    "JOB_STALE_SECONDS": STALE_SECONDS, "MAX_SESSIONS": 50}
        running = Cluster(root, settings)
        (root / "worker").mkdir()
        worker = start_celery_worker("c", {**settings, "UPLOAD_DIR": str(root / "worker")})
        running.s3, running.worker, running.worker_dir = s3, worker, root / "worker"
        try:
            running.a, running.b = running.machine(), running.machine()
            yield running
        finally:
            stop_all([running.worker])
            running.running.close()


@pytest.fixture(scope="module")
def export() -> bytes:
    return eg.extended_zip(eg.extended_rows(eg.make_catalog(), 3000, start="2022-01-01", end="2022-12-31"))


def upload(machine, data: bytes) -> str:
    response = requests.post(f"{machine.url}/process", files={"file": ("my_spotify_data.zip", data)}, timeout=120)
    assert response.status_code == 200, response.text
    return response.json()["session_id"]


def cached(folder: Path, session_id: str) -> list[str]:
    return sorted(path.name for path in folder.rglob(f"{session_id}*"))


def start_job(machine, session_id: str, race: dict) -> str:
    response = requests.post(f"{machine.url}/jobs/animation", json={"session_id": session_id, **race}, timeout=60)
    assert response.status_code == 202, response.text
    return response.json()["job_id"]


def test_any_machine_answers_as_the_uploading_one(cluster, export):
    session = upload(cluster.a, export)
    assert cluster.s3.keys(f"{PREFIX}{session}/") == [f"{PREFIX}{session}/session.duckdb"]
    assert cached(cluster.b.upload_dir, session) == []
    for path, body in (("/generate_image", {"top_n": 7}), ("/generate_wrapped", {"year": 2022})):
        answers = [requests.post(f"{m.url}{path}", json={"session_id": session, **body}, timeout=60)
                   for m in (cluster.a, cluster.b)]
        assert [a.status_code for a in answers] == [200, 200]
        assert answers[0].content == answers[1].content, path
    stats = [requests.get(f"{m.url}/sessions/{session}/stats", timeout=60) for m in (cluster.a, cluster.b)]
    assert stats[0].status_code == 200 and stats[0].json() == stats[1].json()
    videos = [requests.post(f"{m.url}/generate_animation", json={"session_id": session, **RACE},
                            headers={"Accept": "video/mp4"}, timeout=120) for m in (cluster.a, cluster.b)]
    first, second = probe_video(videos[0].content), probe_video(videos[1].content)
    assert len(first.frames) == len(second.frames) > 10
    assert (first.frames == second.frames).all()
    assert len(cached(cluster.b.upload_dir, session)) == 1  # B fetched the session once, into its cache


def test_a_job_anywhere_then_a_delete_anywhere_is_a_404_everywhere_and_leaves_nothing(cluster, export):
    """A job started on A renders on worker C, its progress read on B, its video sent by A (with Range) and B;
    then DELETE on B: A and B answer 404, the bucket holds nothing of the session, no machine a copy."""
    session = upload(cluster.a, export)
    job_id = start_job(cluster.a, session, RACE)
    status = job_state(cluster.b.url, job_id)
    assert status["state"] == "done" and status["frames_done"] == status["frames_total"]
    assert f"{PREFIX}{session}/jobs/{job_id}.mp4" in cluster.s3.keys(f"{PREFIX}{session}/")
    whole = requests.get(f"{cluster.b.url}/jobs/{job_id}/video", timeout=60)
    part = requests.get(f"{cluster.a.url}/jobs/{job_id}/video", headers={"Range": "bytes=100-199"}, timeout=60)
    assert whole.status_code == 200 and part.status_code == 206
    assert part.content == whole.content[100:200]
    assert len(probe_video(whole.content).frames) == status["frames_total"]
    for machine in (cluster.a, cluster.b):  # both machines hold copies: the session's and the video
        assert requests.post(f"{machine.url}/generate_image", json={"session_id": session}).status_code == 200
        assert requests.get(f"{machine.url}/jobs/{job_id}/video", timeout=60).status_code == 200
    assert len(cached(cluster.a.upload_dir, session)) == 2

    assert requests.delete(f"{cluster.b.url}/sessions/{session}", timeout=30).json() == {"deleted": session}
    for machine in (cluster.a, cluster.b):
        gone = requests.get(f"{machine.url}/sessions/{session}/stats", timeout=30)
        assert gone.status_code == 404
        assert gone.json() == {"error": "Unknown or expired session; upload your export again with POST /process."}
        assert requests.get(f"{machine.url}/jobs/{job_id}", timeout=30).status_code == 404
    assert cluster.s3.keys(f"{PREFIX}{session}") == []
    # every machine drops its copies within SESSION_CACHE_CHECK_SECONDS, long before the next cleanup (an hour)
    folders = (cluster.a.upload_dir, cluster.b.upload_dir, cluster.worker_dir)
    assert eventually(lambda: all(cached(folder, session) == [] for folder in folders), 10)


def test_delete_elsewhere_stops_renders_already_using_the_session(cluster, export):
    """A's direct race answers 410, the worker's job stops: neither leaves anything in the bucket."""
    session = upload(cluster.a, export)
    job_id = start_job(cluster.a, session, LONG_RACE)
    job_state(cluster.b.url, job_id, states=("running",))
    answers = []
    direct = threading.Thread(target=lambda: answers.append(requests.post(
        f"{cluster.a.url}/generate_animation", json={"session_id": session, **LONG_RACE},
        headers={"Accept": "video/mp4"}, timeout=120)))
    direct.start()
    assert eventually(lambda: any("ffmpeg" in p.name() for p in cluster.a.descendants()), 30)
    assert requests.delete(f"{cluster.b.url}/sessions/{session}", timeout=30).status_code == 200
    direct.join()
    assert answers[0].status_code == 410
    assert answers[0].json() == {"error": "The session was deleted while this request was using it; upload your "
                                          "export again with POST /process."}
    assert requests.get(f"{cluster.a.url}/jobs/{job_id}", timeout=30).status_code == 404
    assert eventually(lambda: not any("ffmpeg" in g.name() for c in psutil.Process(cluster.worker.pid).children()
                                      for g in c.children()), 10)
    assert cluster.s3.keys(f"{PREFIX}{session}") == []


def test_job_limits_count_every_machines_jobs(cluster, export):
    session = upload(cluster.a, export)
    jobs = [start_job(cluster.a, session, LONG_RACE), start_job(cluster.b, session, LONG_RACE)]
    refused = requests.post(f"{cluster.a.url}/jobs/animation", json={"session_id": session, **RACE}, timeout=60)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert refused.json()["error"].startswith("This session already has 2 renders queued or running")
    for job_id in jobs:
        assert requests.delete(f"{cluster.b.url}/jobs/{job_id}", timeout=30).status_code == 200
    for job_id in jobs:
        assert job_state(cluster.a.url, job_id)["state"] == "cancelled"


def test_a_worker_killed_mid_render_leaves_a_failed_job_any_machine_reports(cluster, export):
    session = upload(cluster.a, export)
    job_id = start_job(cluster.a, session, LONG_RACE)
    job_state(cluster.b.url, job_id, states=("running",))
    pool = [child for child in psutil.Process(cluster.worker.pid).children()]
    assert eventually(lambda: any("ffmpeg" in g.name() for c in pool for g in c.children()), 30)
    for child in pool:
        os.kill(child.pid, signal.SIGKILL)
    final = job_state(cluster.b.url, job_id, states=("failed", "done"), timeout=STALE_SECONDS * 10)
    assert final["state"] == "failed" and final["error"] == STALE_ERROR
    assert requests.get(f"{cluster.a.url}/jobs/{job_id}", timeout=30).json()["state"] == "failed"


def test_a_machine_killed_mid_upload_leaves_no_session_visible(cluster):
    before = set(cluster.s3.keys(PREFIX))
    victim = cluster.b  # the tests after this one use A only
    data = eg.extended_zip(eg.extended_rows(eg.make_catalog(), 60_000, start="2019-01-01", end="2022-12-31"))
    answers = []
    sender = threading.Thread(target=lambda: answers.append(_post_quietly(victim.url, data)))
    sender.start()
    reserved = lambda: any("/.reservations/" in key for key in set(cluster.s3.keys(PREFIX)) - before)  # noqa: E731
    assert eventually(reserved, 60)
    for process in [*victim.descendants(), psutil.Process(victim.process.pid)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    sender.join()
    assert answers == [None]  # the connection broke: no session id was ever given out
    new = set(cluster.s3.keys(PREFIX)) - before
    assert [key for key in new if not key.startswith(f"{PREFIX}.reservations/")] == []


def _post_quietly(url: str, data: bytes) -> int | None:
    with contextlib.suppress(requests.ConnectionError):
        return requests.post(f"{url}/process", files={"file": ("my_spotify_data.zip", data)}, timeout=120).status_code
    return None


def test_wiped_machines_serve_every_session_and_video_again(cluster, export):
    session = upload(cluster.a, export)
    job_id = start_job(cluster.a, session, RACE)
    assert job_state(cluster.a.url, job_id)["state"] == "done"
    stats = requests.get(f"{cluster.a.url}/sessions/{session}/stats", timeout=60).json()
    video = requests.get(f"{cluster.a.url}/jobs/{job_id}/video", timeout=60).content
    chart = requests.post(f"{cluster.a.url}/generate_image", json={"session_id": session}).content
    cluster.running.close()  # every web machine stops; their disks are wiped
    stop_all([cluster.worker])
    for folder in cluster.root.glob("machine-*"):
        shutil.rmtree(folder)
    shutil.rmtree(cluster.worker_dir)
    cluster.running = contextlib.ExitStack()
    fresh = cluster.machine()
    assert requests.get(f"{fresh.url}/sessions/{session}/stats", timeout=60).json() == stats
    assert requests.get(f"{fresh.url}/jobs/{job_id}/video", timeout=60).content == video
    assert requests.post(f"{fresh.url}/generate_image", json={"session_id": session}).content == chart
