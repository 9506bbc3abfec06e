"""Shared fixtures: an app with its own UPLOAD_DIR per test and its client; stand-in upstreams closed after
each test; live servers of the real service; the job backends a job test runs on; upload and wait helpers."""
from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from backend.app import create_app
from backend.routes.models import RaceBody
from backend.services.artwork import ArtworkSettings
from backend.services.charts import build_race
from backend.services.sessions import open_session
from tests import exportgen as eg
from tests.job_backends import JobBackend, JobOptions, running_backend
from tests.live_server import LiveServers

# no outside services, whatever env/.env says (an empty value means none)
OFFLINE = {"SUPABASE_URL": "", "SUPABASE_KEY": "", "SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": "",
           "ARTWORK_SOURCES": "none"}


def offline_app(upload_dir: Path, **settings: object) -> Flask:
    """create_app for tests: sessions in upload_dir, no outside services unless `settings` name them."""
    return create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), **OFFLINE, **settings})


@pytest.fixture
def upload_dir(tmp_path):
    path = tmp_path / "sessions"
    path.mkdir()
    return path


@pytest.fixture
def app(upload_dir):
    return offline_app(upload_dir)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def serve():
    """serve(standin) starts a stand-in upstream (tests/standins.py) and returns it; all close after the test."""
    with contextlib.ExitStack() as running:
        yield running.enter_context


@pytest.fixture(scope="module")
def live_servers(tmp_path_factory) -> Iterator[LiveServers]:
    """live_servers.start(**settings) runs the real service (tests/live_server.py) until the module ends."""
    servers = LiveServers(tmp_path_factory)
    try:
        yield servers
    finally:
        servers.close()


@pytest.fixture(scope="module")
def job_options() -> JobOptions:
    """How job_backend starts; a module overrides this for other settings or a worker that injects faults."""
    return JobOptions()


@pytest.fixture(scope="module", params=["local", "celery"])
def job_backend(request, tmp_path_factory, job_options) -> Iterator[JobBackend]:
    """The module's tests run once on the embedded executor and once on Celery workers with a real redis."""
    upload_dir = tmp_path_factory.mktemp(f"jobs-{request.param}")
    with running_backend(request.param, upload_dir, job_options) as backend:
        yield backend


@pytest.fixture(scope="module")
def race_export() -> bytes:
    """A year of plays: a race of a few hundred frames at the job tests' sizes."""
    return eg.extended_zip(eg.extended_rows(eg.make_catalog(), 3000, start="2022-01-01", end="2022-12-31"))


@pytest.fixture
def job_session(job_backend, race_export) -> str:
    return upload_ok(job_backend.client, race_export)["session_id"]


def post_upload(client, data: bytes, filename: str = "my_spotify_data.zip"):
    # Encoded in memory: the test client would spool big bodies to a temporary file it never closes.
    stream, _length, boundary = stream_encode_multipart({"file": FileStorage(io.BytesIO(data), filename)},
                                                      use_tempfile=False)
    return client.post("/process", data=stream.getvalue(), content_type=f"multipart/form-data; boundary={boundary}")


def upload_ok(client, data: bytes, filename: str = "my_spotify_data.zip") -> dict:
    response = post_upload(client, data, filename)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def eventually(condition: Callable[[], object], seconds: float) -> bool:
    """Whether condition() holds within `seconds`, asked every 50 ms (and once more at the end)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


STORE_LOCKS = {".store.lock", ".jobs.lock"}


def leftovers(upload_dir: Path) -> list[str]:
    """Files in UPLOAD_DIR and scratch folders, the stores' own lock files aside."""
    return sorted(str(p.relative_to(upload_dir)) for p in upload_dir.rglob("*")
                  if p.name.startswith(".work-") or (p.is_file() and p.name not in STORE_LOCKS))


def prepared_race(client, upload_dir: Path, body: dict):
    """A year of 3,000 generated plays uploaded, and the race `body` asks for built from it (no artwork)."""
    rows = eg.extended_rows(eg.make_catalog(), 3000, start="2022-01-01", end="2022-12-31")
    session = upload_ok(client, eg.extended_zip(rows))["session_id"]
    with open_session(upload_dir / f"{session}.duckdb") as con:
        req = RaceBody.model_validate({"session_id": session, **body}).to_request(2160)
        return build_race(con, req, 6000, ArtworkSettings.disabled())
