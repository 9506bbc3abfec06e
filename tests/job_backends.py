"""Job backends for the tests: the embedded executor, or a real redis-server plus Celery workers."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from backend.app import create_app

REPO = Path(__file__).resolve().parents[1]
JOB_SETTINGS = {"TESTING": True, "JOB_STALE_SECONDS": 3.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@contextmanager
def redis_server() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: .ci/run installs it (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def start_celery_worker(name: str, settings: dict) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), **{key: str(value) for key, value in settings.items()}}
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "backend.worker", "worker", "--loglevel",
                             "WARNING", "--concurrency", "1", "--pool", "prefork", "-n", f"{name}@%h",
                             "--without-gossip", "--without-mingle", "--without-heartbeat"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def job_app(backend: str, upload_dir: Path, workers: int = 2) -> Iterator[tuple]:
    """(app, celery worker processes) for the backend; Celery workers share UPLOAD_DIR with the app."""
    settings = {**JOB_SETTINGS, "UPLOAD_DIR": str(upload_dir), "JOB_BACKEND": backend}
    if backend == "local":
        yield create_app(settings), []
        return
    with redis_server() as broker:
        settings["CELERY_BROKER_URL"] = broker
        processes = [start_celery_worker(f"w{k}", {key: value for key, value in settings.items()
                                                   if key != "TESTING"}) for k in range(workers)]
        try:
            yield create_app(settings), processes
        finally:
            for process in processes:
                stop(process)
