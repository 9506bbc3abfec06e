"""Shared fixtures: an app with its own UPLOAD_DIR per test and its client; stand-in upstreams closed after
each test; live servers of the real service; the job backends a job test runs on. The helpers they use are
in harness/ (service.py: the offline app and uploads)."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from harness import exportgen as eg
from harness.job_backends import JobBackend, JobOptions, running_backend
from harness.live_server import LiveServers
from harness.service import offline_app, upload_ok


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
    """serve(standin) starts a stand-in upstream (harness/standins.py) and returns it; all close after
    the test."""
    with contextlib.ExitStack() as running:
        yield running.enter_context


@pytest.fixture(scope="module")
def live_servers(tmp_path_factory) -> Iterator[LiveServers]:
    """live_servers.start(**settings) runs the real service (harness/live_server.py) until the module ends."""
    servers = LiveServers(tmp_path_factory)
    try:
        yield servers
    finally:
        servers.close()


@pytest.fixture(scope="module")
def job_options() -> JobOptions:
    """How job_backend starts; a module overrides this for other settings or a worker that injects faults."""
    return JobOptions()


@pytest.fixture(scope="module")
def job_backend(request, tmp_path_factory, job_options) -> Iterator[JobBackend]:
    """The embedded executor; a test that checks what Celery workers with a real redis change asks for both
    with `@ON_BOTH_BACKENDS` (harness/job_backends.py)."""
    name = getattr(request, "param", "local")
    upload_dir = tmp_path_factory.mktemp(f"jobs-{name}")
    with running_backend(name, upload_dir, job_options) as backend:
        yield backend


@pytest.fixture(scope="module")
def race_export() -> bytes:
    """A year of plays: a race of a few hundred frames at the job tests' sizes."""
    return eg.extended_zip(eg.extended_rows(eg.make_catalog(), 3000, start="2022-01-01", end="2022-12-31"))


@pytest.fixture
def job_session(job_backend, race_export) -> str:
    return upload_ok(job_backend.client, race_export)["session_id"]
