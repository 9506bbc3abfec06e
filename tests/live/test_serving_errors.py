"""Whatever layer refuses a request, the answer is the API's JSON error: gunicorn's own refusals (malformed
framing, headers, codings), a chunked body that breaks while the app reads it, the development server's
refusals. Heads within the documented 64 KiB are served, and `Expect: 100-continue` with a small body
costs no thread."""
from __future__ import annotations

import json

import pytest

from backend.serving.error_answers import HEADERS_TOO_LARGE_MESSAGE, MALFORMED_CHUNKS
from harness.live_server import LiveServer, LiveServers
from harness.raw_http import read_response, send

pytestmark = pytest.mark.slow

UNKNOWN_SESSION = "00000000-0000-4000-8000-000000000000"
BODY = json.dumps({"session_id": UNKNOWN_SESSION, "top_n": 3, "selected_attribute": "artist_name"}).encode()
MALFORMED_HEAD = "The request is not valid HTTP/1.1: {}; send a well-formed request line and headers."
HOLDING_CLIENTS = 16


@pytest.fixture(scope="module")
def gunicorn(live_servers: LiveServers) -> LiveServer:
    return live_servers.start()


@pytest.fixture(scope="module")
def dev_server(live_servers: LiveServers) -> LiveServer:
    return live_servers.start("dev")


def post_head(path: str = "/generate_image", framing: str = "Transfer-Encoding: chunked",
              content_type: str = "application/json") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n{framing}\r\n"
            "Connection: close\r\n\r\n").encode()


def answer_to(server: LiveServer, request: bytes):
    answer = read_response(send(server.url, request))
    assert answer.mimetype == "application/json", answer.get_data()[:200]
    return answer.status_code, answer.get_json()


CHUNKED_BODIES = {
    "size zz": b"zz\r\n" + BODY + b"\r\n0\r\n\r\n",
    "size -5": b"-5\r\n" + BODY + b"\r\n0\r\n\r\n",
    "no line end after the data": f"{len(BODY):x}\r\n".encode() + BODY + b"XX0\r\n\r\n",
}
# An upload whose framing breaks after 70 KB: read by a thread, not buffered by the event loop.
UPLOAD_HEAD = post_head("/process", content_type="multipart/form-data; boundary=x")
BROKEN_UPLOAD = (b"".join(f"{1000:x}\r\n".encode() + b"-" * 1000 + b"\r\n" for _ in range(70))
                 + b"zz\r\n--x--\r\n0\r\n\r\n")


@pytest.mark.parametrize("request_bytes", [post_head() + body for body in CHUNKED_BODIES.values()]
                         + [UPLOAD_HEAD + BROKEN_UPLOAD], ids=[*CHUNKED_BODIES, "an upload broken after 70 KB"])
def test_a_malformed_chunked_body_is_a_400_under_gunicorn(gunicorn, request_bytes):
    assert answer_to(gunicorn, request_bytes) == (400, {"error": MALFORMED_CHUNKS})


@pytest.mark.parametrize("request_bytes, status, message", [
    (b"GARBAGE\r\n\r\n", 400, MALFORMED_HEAD.format("the request line is malformed")),
    (b"GET /health HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400, MALFORMED_HEAD.format("a header is malformed")),
    (post_head(framing="Transfer-Encoding: bogus") + b"0\r\n\r\n", 501,
     "The request's Transfer-Encoding is not supported; send the body with a Content-Length, or chunked."),
    (post_head(framing="Content-Length: 2\r\nExpect: the-moon") + b"{}", 417,
     "The request's Expect header is not understood; the service understands only Expect: 100-continue."),
    (post_head(framing="Content-Length: 2\r\nContent-Length: 3") + b"{}", 400,
     MALFORMED_HEAD.format("a header is malformed")),
], ids=["request line", "header", "transfer coding", "expectation", "two lengths"])
def test_gunicorns_own_refusals_are_json(gunicorn, request_bytes, status, message):
    assert answer_to(gunicorn, request_bytes) == (status, {"error": message})


@pytest.mark.parametrize("extra", [
    f"Cookie: {'c' * 9000}\r\n",                                   # one field over gunicorn's 8190 bytes
    "".join(f"X-Field-{k}: {k}\r\n" for k in range(120)),           # more than gunicorn's 100 fields
], ids=["9 KB cookie", "120 fields"])
def test_heads_within_64_kib_are_served(gunicorn, extra):
    request_bytes = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}\r\n".encode()
    status, body = answer_to(gunicorn, request_bytes)
    assert (status, body["status"]) == (200, "ok")


def test_a_long_query_string_is_served(gunicorn):
    query = "&".join(f"q{k}={'v' * 40}" for k in range(120))       # about 5,300 characters
    request_bytes = f"GET /sessions/{UNKNOWN_SESSION}/stats?{query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    status, body = answer_to(gunicorn, request_bytes.encode())
    assert status == 404 and body["error"].startswith("Unknown or expired session")


def test_a_head_over_64_kib_is_still_431(gunicorn):
    request_bytes = f"GET /health?{'q' * 70_000} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    assert answer_to(gunicorn, request_bytes) == (431, {"error": HEADERS_TOO_LARGE_MESSAGE})


def test_expecting_clients_without_bodies_do_not_hold_the_threads(gunicorn):
    """16 clients announce small bodies with Expect: 100-continue and never send them; another such
    request is told to continue and answered (2 workers x 4 threads would all be held otherwise)."""
    expecting = post_head(framing=f"Content-Length: {len(BODY)}\r\nExpect: 100-continue")
    holders = [send(gunicorn.url, expecting) for _ in range(HOLDING_CLIENTS)]
    try:
        connection = send(gunicorn.url, expecting)
        interim = connection.recv(len(b"HTTP/1.1 100 Continue\r\n\r\n"))
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        connection.sendall(BODY)
        answer = read_response(connection)
        assert answer.status_code == 404
        assert answer.get_json()["error"].startswith("Unknown or expired session")
    finally:
        for holder in holders:
            holder.close()


@pytest.mark.parametrize("request_bytes, status", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /health HTTP/1.1\r\n" + b"".join(f"X-F{k}: {k}\r\n".encode() for k in range(120)) + b"\r\n", 431),
    (f"GET /{'p' * 70_000} HTTP/1.1\r\n\r\n".encode(), 414),
], ids=["request line", "120 fields", "long request line"])
def test_the_development_servers_refusals_are_json(dev_server, request_bytes, status):
    code, body = answer_to(dev_server, request_bytes)
    assert code == status
    assert list(body) == ["error"] and body["error"].endswith(".")


def test_a_malformed_chunked_body_is_a_400_under_the_development_server(dev_server):
    code, body = answer_to(dev_server, post_head() + CHUNKED_BODIES["size zz"])
    assert code == 400 and list(body) == ["error"]


def test_clients_that_never_close_do_not_hold_the_event_loop(gunicorn):
    """Each answer with Connection: close once made the worker's event loop wait up to 2 s for the client
    to close its side; 200 clients that never do held both loops for minutes."""
    request_bytes = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    lingering = [send(gunicorn.url, request_bytes) for _ in range(200)]
    try:
        status, body = answer_to(gunicorn, request_bytes)
        assert (status, body["status"]) == (200, "ok")
    finally:
        for connection in lingering:
            connection.close()
