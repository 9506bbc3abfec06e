"""Long renders on a real gunicorn: a client that leaves stops its render, which leaves nothing
behind, and session cleanup never removes the session a render is holding."""
from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from urllib.parse import urlsplit

import psutil
import pytest
import requests

from backend.services.sessions.cleanup import cleanup_old_sessions
from backend.services.sessions.store import is_locked
from harness import exportgen as eg
from harness.live_server import CleanupLoop, LiveServer, LiveServers
from harness.raw_http import send
from harness.service import leftovers
from harness.waiting import eventually

pytestmark = pytest.mark.slow

MAX_SESSIONS = 5
# full size (1080 x 1350), a keyframe a day over two years: about 3,000 frames, a minute or more of work
LONG_RACE = {"days": 1, "interp_steps": 4, "speed_for_bar_animation": 30}
# the same, a keyframe every five days: about 600 frames, several seconds
MEDIUM_RACE = {"days": 5, "interp_steps": 4, "speed_for_bar_animation": 10}
STOP_SECONDS = 15.0
CLEANUP_ROUNDS = 50  # rounds of cleanup that find the session expired while the render holds it


@pytest.fixture(scope="module")
def server(live_servers: LiveServers) -> LiveServer:
    return live_servers.start(MAX_SESSIONS=MAX_SESSIONS)


@pytest.fixture(scope="module")
def export() -> bytes:
    return eg.extended_zip(eg.extended_rows(eg.make_catalog(), 4000, start="2021-01-01", end="2022-12-31"))


@pytest.fixture
def session(server, export) -> str:
    response = requests.post(f"{server.url}/process", files={"file": ("my_spotify_data.zip", export)}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["session_id"]


def encoders(server: LiveServer) -> list[str]:
    """The ffmpeg processes below the server; one that ends while they are listed is not one."""
    names = []
    for process in server.descendants():
        with contextlib.suppress(psutil.NoSuchProcess):
            names.append(process.name())
    return [name for name in names if "ffmpeg" in name]


def render_files(server: LiveServer) -> list[str]:
    """What a render may leave: anything but the sessions' files and the stores' own locks."""
    return [name for name in leftovers(server.upload_dir)
            if "/" in name or not name.endswith((".duckdb", ".lock"))]


def post_raw(server: LiveServer, path: str, body: dict) -> socket.socket:
    """Send a request on a plain socket and return it unread, to be closed as a leaving client would."""
    payload = json.dumps(body).encode()
    return send(server.url, f"POST {path} HTTP/1.1\r\nHost: {urlsplit(server.url).netloc}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n".encode() + payload)


def test_a_render_stops_when_its_client_leaves_and_leaves_nothing(server, session):
    client = post_raw(server, "/generate_animation", {"session_id": session, **LONG_RACE})
    try:
        # ffmpeg's process shows before it has created its output file
        assert eventually(lambda: encoders(server) and any(name.endswith(".mp4") for name in render_files(server)),
                          60), "the render never reached ffmpeg"
    finally:
        client.close()
    left = time.monotonic()
    assert eventually(lambda: not encoders(server) and not render_files(server), STOP_SECONDS), \
        (encoders(server), render_files(server))
    stopped_after = time.monotonic() - left
    assert eventually(lambda: "POST /generate_animation 499" in server.log_text(), 5)
    assert "the client left; render stopped" in server.log_text()
    assert stopped_after < STOP_SECONDS
    # the worker is fine afterwards, and so is the session
    assert requests.get(f"{server.url}/sessions/{session}", timeout=30).status_code == 200


def test_cleanup_never_removes_the_session_a_render_holds(server, session):
    answers: list[requests.Response] = []
    render = threading.Thread(target=lambda: answers.append(requests.post(
        f"{server.url}/generate_animation", json={"session_id": session, **MEDIUM_RACE}, timeout=120)))
    render.start()
    lock = server.upload_dir / f"{session}.lock"
    assert eventually(lambda: is_locked(lock), 60)
    cleanup = CleanupLoop(server.upload_dir, MAX_SESSIONS)
    with cleanup.running():
        assert eventually(lambda: cleanup.kept_in_use >= CLEANUP_ROUNDS or not is_locked(lock), 60)
    # the render still holds the session: every round of cleanup ran while it did, and none removed it
    assert is_locked(lock), "the render ended too soon to prove anything; make MEDIUM_RACE longer"
    assert session not in cleanup.removed and cleanup.kept_in_use > 0
    render.join()
    assert answers[0].status_code == 200, answers[0].text
    assert server.upload_dir.joinpath(f"{session}.duckdb").exists()
    # with the render over, the same cleanup removes the session
    assert cleanup_old_sessions(cleanup.store) == [session]
