"""The servers the service runs under: `python -m backend.app` and the Dockerfile's gunicorn.

Neither names its version (or Python's) in `Server:`. Under the Dockerfile's gunicorn, clients that
send their requests slowly do not keep `/health` from answering, a request not received within
REQUEST_READ_TIMEOUT_SECONDS is answered 408, and headers over 64 KiB 431, as the API's JSON errors.
"""
from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from typing import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from tests.live_server import REPO, LiveServer, free_port, live_server_in

STARTUP_SECONDS = 60.0
ANSWER_SECONDS = 60.0     # generous: the machine may be busy; the deadlines under test are far shorter
QUICK_READ_TIMEOUT = 3    # REQUEST_READ_TIMEOUT_SECONDS of the server that tests the 408
SLOW_CLIENTS = 12         # more than the Dockerfile's 2 workers x 4 threads
TIMEOUT_MESSAGE = (f"The request did not arrive within {QUICK_READ_TIMEOUT} seconds "
                   "(REQUEST_READ_TIMEOUT_SECONDS); send it again over a faster connection.")


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server_in(tmp_path_factory.mktemp("serving")) as running:
        yield running


@pytest.fixture(scope="module")
def quick_gunicorn(tmp_path_factory) -> Iterator[LiveServer]:
    with live_server_in(tmp_path_factory.mktemp("serving-quick"),
                        REQUEST_READ_TIMEOUT_SECONDS=QUICK_READ_TIMEOUT) as running:
        yield running


def connect(server: LiveServer) -> socket.socket:
    address = urlsplit(server.url)
    connection = socket.create_connection((address.hostname, address.port), timeout=ANSWER_SECONDS)
    return connection


def request_head(method: str, path: str, content_length: int, content_type: str = "application/json") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {content_length}\r\n\r\n").encode()


def read_answer(connection: socket.socket, trickle: bytes = b"") -> tuple[int, dict]:
    """Read one answer (the server closes after it); meanwhile send `trickle` a byte every 0.5 s."""
    deadline = time.monotonic() + ANSWER_SECONDS
    received = b""
    while time.monotonic() < deadline:
        readable, _, _ = select.select([connection], [], [], 0.5)
        if readable:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
            continue
        if trickle and not received:
            connection.sendall(trickle[:1])
            trickle = trickle[1:]
    head, _, body = received.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


class SlowClients:
    """Connections that send their headers and then a byte of body every second, until closed."""

    def __init__(self, server: LiveServer, heads: list[bytes]):
        self.connections = []
        for head in heads:
            connection = connect(server)
            connection.sendall(head)
            self.connections.append(connection)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, name="slow-clients")

    def _trickle(self) -> None:
        while not self._stop.wait(1.0):
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.sendall(b" ")

    @contextlib.contextmanager
    def sending(self) -> Iterator[None]:
        self._thread.start()
        try:
            yield
        finally:
            self._stop.set()
            self._thread.join()
            for connection in self.connections:
                connection.close()


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


def test_slow_clients_do_not_starve_health(gunicorn):
    small_bodies = [request_head("POST", "/generate_image", 4096) for _ in range(SLOW_CLIENTS)]
    uploads = [request_head("POST", "/process", 10 * 2**20, "multipart/form-data; boundary=x") + b"--x\r\n"
               for _ in range(SLOW_CLIENTS)]
    with SlowClients(gunicorn, small_bodies + uploads).sending():
        time.sleep(2)  # every slow request has reached a worker
        answers = [requests.get(f"{gunicorn.url}/health", timeout=ANSWER_SECONDS) for _ in range(8)]
        assert [answer.status_code for answer in answers] == [200] * 8
        # a slow client that does finish is served
        body = json.dumps({"session_id": "not-a-session"}).encode()
        finishing = connect(gunicorn)
        finishing.sendall(request_head("POST", "/generate_image", len(body)))
        for k in range(0, len(body), 4):
            finishing.sendall(body[k:k + 4])
            time.sleep(0.1)
        finishing.shutdown(socket.SHUT_WR)
        status, error = read_answer(finishing)
        finishing.close()
    assert status == 400
    assert "session_id" in error["error"]


@pytest.mark.parametrize("head, trickle", [
    (request_head("POST", "/generate_image", 100), b"{" * 100),          # a small body, a byte at a time
    (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X" * 100),       # headers that never end
])
def test_request_not_received_in_time_is_answered_408(quick_gunicorn, head, trickle):
    connection = connect(quick_gunicorn)
    connection.sendall(head)
    status, error = read_answer(connection, trickle)
    connection.close()
    assert (status, error) == (408, {"error": TIMEOUT_MESSAGE})


def test_upload_body_not_received_in_time_is_answered_408(quick_gunicorn):
    connection = connect(quick_gunicorn)
    connection.sendall(request_head("POST", "/process", 2**20, "multipart/form-data; boundary=x")
                       + b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.zip"\r\n\r\n'
                       + b"\0" * 200_000)
    status, error = read_answer(connection)
    connection.close()
    assert (status, error) == (408, {"error": TIMEOUT_MESSAGE})
    assert not list(quick_gunicorn.upload_dir.glob("*.duckdb"))


def test_connection_that_sends_nothing_is_closed_without_answer(quick_gunicorn):
    connection = connect(quick_gunicorn)
    readable, _, _ = select.select([connection], [], [], ANSWER_SECONDS)
    assert readable and connection.recv(100) == b""
    connection.close()


def test_headers_over_64_kib_are_answered_431(gunicorn):
    connection = connect(gunicorn)
    headers = "".join(f"X-Padding-{k}: {'p' * 1000}\r\n" for k in range(70))
    connection.sendall(f"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
    status, error = read_answer(connection)
    connection.close()
    assert (status, error) == (431, {"error": "The request's headers are larger than 64 KiB; "
                                              "send fewer or shorter headers."})
