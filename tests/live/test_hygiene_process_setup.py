"""Each entry point sets up its own process once (umask 077, so what it writes is private; allocator; fonts),
while create_app() leaves the process that builds it, as every test does, as it was."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.app import create_app
from harness.live_server import LiveServer, LiveServers
from harness.waiting import eventually

REPO = Path(__file__).resolve().parents[2]
SHELL_UMASK = 0o022   # what a shell usually gives, and what each process below starts with
PRIVATE_UMASK = 0o077


@pytest.fixture
def shell_umask():
    previous = os.umask(SHELL_UMASK)
    yield
    os.umask(previous)


def umask_of(pid: int) -> int:
    """A running process's umask, as Linux reports it in /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    raise AssertionError(f"/proc/{pid}/status names no umask")


def serving_pids(server: LiveServer, kind: str) -> list[int]:
    """The processes that serve requests: gunicorn's workers, or the development server itself."""
    return [worker.pid for worker in server.workers()] if kind == "gunicorn" else [server.process.pid]


def test_create_app_leaves_the_process_umask_as_it_was(tmp_path, shell_umask):
    create_app({"TESTING": True, "UPLOAD_DIR": str(tmp_path / "sessions"), "ARTWORK_SOURCES": "none"})
    assert os.umask(SHELL_UMASK) == SHELL_UMASK


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["gunicorn", "dev"])
def test_the_servers_set_a_private_umask(tmp_path_factory, shell_umask, kind):
    servers = LiveServers(tmp_path_factory)
    try:
        pids = serving_pids(servers.start(kind), kind)
        assert pids, "the server has no serving process"
        # one gunicorn worker answering /health does not mean the other has loaded the app yet
        eventually(lambda: all(umask_of(pid) == PRIVATE_UMASK for pid in pids), 30)
        assert [umask_of(pid) for pid in pids] == [PRIVATE_UMASK] * len(pids)
    finally:
        servers.close()


@pytest.mark.slow
def test_the_celery_worker_module_sets_a_private_umask(tmp_path, shell_umask):
    env = {**os.environ, "UPLOAD_DIR": str(tmp_path / "sessions"), "JOB_BACKEND": "celery"}
    probe = "import os, backend.worker; print(oct(os.umask(0)))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == oct(PRIVATE_UMASK)
