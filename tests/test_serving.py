"""The servers the service runs under: `python -m backend.app` and the Dockerfile's gunicorn.

Neither names its version (or Python's) in `Server:`.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from typing import Iterator

import pytest
import requests

from tests.live_server import REPO, LiveServer, free_port, live_server_in

STARTUP_SECONDS = 60.0


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server_in(tmp_path_factory.mktemp("serving")) as running:
        yield running


@contextlib.contextmanager
def dev_server(tmp_path) -> Iterator[str]:
    """`python -m backend.app` as the README starts it, on a free port of loopback."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "UPLOAD_DIR": str(tmp_path / "sessions"), "SUPABASE_URL": "",
           "SUPABASE_KEY": "", "SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": ""}
    with open(tmp_path / "dev.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "backend.app"], cwd=REPO, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            with contextlib.suppress(requests.ConnectionError):
                requests.get(f"{url}/health", timeout=5)
                break
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "dev.log").read_text()
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def test_dev_server_names_no_version(tmp_path):
    with dev_server(tmp_path) as url:
        answers = [requests.get(f"{url}/health", timeout=10), requests.get(f"{url}/nowhere", timeout=10)]
    assert [answer.status_code for answer in answers] == [200, 404]
    assert [answer.headers["Server"] for answer in answers] == ["Werkzeug", "Werkzeug"]


def test_gunicorn_names_no_version(gunicorn):
    answers = [requests.get(f"{gunicorn.url}/health", timeout=30), requests.get(f"{gunicorn.url}/nowhere", timeout=30)]
    assert [answer.status_code for answer in answers] == [200, 404]
    assert [answer.headers["Server"] for answer in answers] == ["gunicorn", "gunicorn"]
