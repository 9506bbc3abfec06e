"""The servers the service runs under: `python -m backend.app` and the Dockerfile's gunicorn.

Neither names its version (or Python's) in `Server:`. Under the Dockerfile's gunicorn, clients that
send their requests slowly do not keep `/health` from answering, a request not received within
REQUEST_READ_TIMEOUT_SECONDS is answered 408, and headers over 64 KiB 431, as the API's JSON errors.
"""
from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from harness.live_server import LiveServer, LiveServers
from harness.raw_http import ANSWER_SECONDS, connect, oversized_request, read_response, send

pytestmark = pytest.mark.slow

QUICK_READ_TIMEOUT = 1.5  # REQUEST_READ_TIMEOUT_SECONDS of the server that tests the 408
SLOW_CLIENTS = 12         # more than the Dockerfile's 2 workers x 4 threads
TIMEOUT_MESSAGE = (f"The request did not arrive within {QUICK_READ_TIMEOUT} seconds "
                   "(REQUEST_READ_TIMEOUT_SECONDS); send it again over a faster connection.")


@pytest.fixture(scope="module")
def gunicorn(live_servers: LiveServers) -> LiveServer:
    return live_servers.start()


@pytest.fixture(scope="module")
def quick_gunicorn(live_servers: LiveServers) -> LiveServer:
    return live_servers.start(REQUEST_READ_TIMEOUT_SECONDS=QUICK_READ_TIMEOUT)


def request_head(method: str, path: str, content_length: int, content_type: str = "application/json") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {content_length}\r\n\r\n").encode()


def read_answer(connection: socket.socket, trickle: bytes = b"") -> tuple[int, dict]:
    """The status and JSON body of one answer (the server closes after it); meanwhile `trickle` is sent."""
    answer = read_response(connection, trickle)
    return answer.status_code, json.loads(answer.get_data())


class SlowClients:
    """Connections that send their headers and then a byte of body every second, until closed."""

    def __init__(self, server: LiveServer, heads: list[bytes]):
        self.connections = []
        for head in heads:
            self.connections.append(send(server.url, head))
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


def test_dev_server_names_no_version(live_servers):
    url = live_servers.start("dev").url  # `python -m backend.app`, as the README starts it
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
        time.sleep(1)  # every slow request has reached a worker (its headers went before)
        answers = [requests.get(f"{gunicorn.url}/health", timeout=ANSWER_SECONDS) for _ in range(8)]
        assert [answer.status_code for answer in answers] == [200] * 8
        # a slow client that does finish is served
        body = json.dumps({"session_id": "not-a-session"}).encode()
        finishing = connect(gunicorn.url)
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
    connection = send(quick_gunicorn.url, head)
    status, error = read_answer(connection, trickle)
    connection.close()
    assert (status, error) == (408, {"error": TIMEOUT_MESSAGE})


def test_upload_body_not_received_in_time_is_answered_408(quick_gunicorn):
    connection = send(quick_gunicorn.url, request_head("POST", "/process", 2**20, "multipart/form-data; boundary=x")
                      + b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.zip"\r\n\r\n'
                      + b"\0" * 200_000)
    status, error = read_answer(connection)
    connection.close()
    assert (status, error) == (408, {"error": TIMEOUT_MESSAGE})
    assert not list(quick_gunicorn.upload_dir.glob("*.duckdb"))


def test_connection_that_sends_nothing_is_closed_without_answer(quick_gunicorn):
    connection = connect(quick_gunicorn.url)
    readable, _, _ = select.select([connection], [], [], ANSWER_SECONDS)
    assert readable and connection.recv(100) == b""
    connection.close()


def test_headers_over_64_kib_are_answered_431(gunicorn):
    connection = send(gunicorn.url, oversized_request("GET", "/health"))
    status, error = read_answer(connection)
    connection.close()
    assert (status, error) == (431, {"error": "The request's headers are larger than 64 KiB; "
                                              "send fewer or shorter headers."})
