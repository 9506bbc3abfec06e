"""The real service as a process on a free loopback port: the Dockerfile's gunicorn (its own options), or
`python -m backend.app` as the README starts it.

The live-server tests (through the `live_servers` fixture in conftest.py) and the soak script
(python -m benchmarks soak) both use it, so both load the service the way it is served: under gunicorn, several
worker processes, threads, file locks shared through UPLOAD_DIR. CleanupLoop races session cleanup
against the server's requests from outside it.
"""
from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests

from backend.services.sessions.cleanup import cleanup_old_sessions
from backend.services.sessions.store import SessionStore

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "Dockerfile"
STARTUP_SECONDS = 60.0


def dockerfile_gunicorn_options() -> list[str]:
    """The options after `gunicorn backend.app:app` in the Dockerfile's CMD, without --bind."""
    match = re.search(r"gunicorn backend\.app:app ([^\"]+)", DOCKERFILE.read_text(encoding="utf-8"))
    if match is None:
        raise RuntimeError("the Dockerfile's CMD no longer runs `gunicorn backend.app:app`")
    options = shlex.split(match.group(1))
    bind = options.index("--bind")
    return options[:bind] + options[bind + 2:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    upload_dir: Path
    log_path: Path
    process: subprocess.Popen

    def workers(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def worker_rss_mb(self) -> float:
        """Resident memory of the worker processes together (the master only forks them)."""
        return sum(worker.memory_info().rss for worker in self.workers()) / 2**20

    def descendants(self) -> list[psutil.Process]:
        """Every process below the master: the workers and whatever they started (ffmpeg)."""
        return psutil.Process(self.process.pid).children(recursive=True)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _command(server: str, port: int) -> list[str]:
    if server == "dev":
        return [sys.executable, "-m", "backend.app"]
    # The Dockerfile's --no-control-socket also keeps servers running at once (tests, the soak) from
    # sharing ~/.gunicorn/gunicorn.ctl.
    return [sys.executable, "-m", "gunicorn", "backend.app:app", "--bind", f"127.0.0.1:{port}",
            *dockerfile_gunicorn_options()]


def _wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}:\n{server.log_text()[-3000:]}")
        # gunicorn binds its socket before the workers have loaded the app: a slow answer means not ready yet
        with contextlib.suppress(requests.ConnectionError, requests.Timeout):
            if requests.get(f"{server.url}/health", timeout=5).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the server was not healthy after {STARTUP_SECONDS:.0f} s:\n{server.log_text()[-3000:]}")


def _stop(server: LiveServer) -> None:
    """SIGTERM the main process (a graceful stop, as `docker stop` does); kill whatever is left after 10 s."""
    if server.process.poll() is not None:  # a test killed it already
        return
    leftovers = server.descendants()
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    for process in leftovers:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


@contextlib.contextmanager
def live_server(upload_dir: Path, log_path: Path, server: str = "gunicorn",
                **settings: object) -> Iterator[LiveServer]:
    """Serve the app on a free port until the block ends, under "gunicorn" (the Dockerfile's) or "dev"
    (`python -m backend.app`); `settings` become environment variables."""
    port = free_port()
    # no outside services, whatever env/.env says (an empty value means the default: none)
    env = {**os.environ, "UPLOAD_DIR": str(upload_dir), "PORT": str(port), "SUPABASE_URL": "", "SUPABASE_KEY": "",
           "SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": "", "ARTWORK_SOURCES": "none", "LOG_LEVEL": "INFO",
           **{name: str(value) for name, value in settings.items()}}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(_command(server, port), cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    running = LiveServer(f"http://127.0.0.1:{port}", upload_dir, log_path, process)
    try:
        _wait_until_healthy(running)
        yield running
    finally:
        _stop(running)


class LiveServers:
    """Starts live servers, each in a folder of its own, and stops them all when closed."""

    def __init__(self, tmp_path_factory):
        self._folders = tmp_path_factory
        self._running = contextlib.ExitStack()

    def start(self, server: str = "gunicorn", **settings: object) -> LiveServer:
        """A server with its sessions in <folder>/sessions and its log in <folder>/<server>.log."""
        root = self._folders.mktemp(f"live-{server}")
        (root / "sessions").mkdir()
        return self._running.enter_context(live_server(root / "sessions", root / f"{server}.log", server, **settings))

    def close(self) -> None:
        self._running.close()


class CleanupLoop:
    """cleanup_old_sessions with a TTL of 0 on a store of the server's folder, over and over."""

    def __init__(self, upload_dir: Path, max_sessions: int):
        self.store = SessionStore(upload_dir, max_sessions, ttl_seconds=0)
        self.removed: list[str] = []
        self.kept_in_use = 0  # sessions found expired but kept, because a request held them
        self._stop = threading.Event()

    def _run(self) -> None:
        while not self._stop.wait(0.005):  # a short pause leaves the two cores to the server
            expired = self.store.expired_ids()
            removed = cleanup_old_sessions(self.store)
            self.removed += removed
            self.kept_in_use += len(set(expired) - set(removed))

    @contextlib.contextmanager
    def running(self) -> Iterator[CleanupLoop]:
        thread = threading.Thread(target=self._run, name="test-cleanup-loop")
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
