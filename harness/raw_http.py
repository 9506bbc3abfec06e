"""Raw HTTP/1.1 exchanges with a live server, for what a client library cannot do: a request that never
finishes arriving or arrives a byte at a time, headers past the server's limit, a client that leaves
without reading. Answers come back as werkzeug Responses, like the test client's."""
from __future__ import annotations

import re
import select
import socket
import time
from urllib.parse import urlsplit

from werkzeug.wrappers import Response

ANSWER_SECONDS = 60.0   # generous: the machine may be busy; the server's own deadlines are far shorter
OVERSIZED_HEADERS = "".join(f"X-Padding-{k}: {'p' * 1000}\r\n" for k in range(70))   # about 70 KiB


def stalled_request(method: str, path: str) -> bytes:
    """A request that never finishes arriving: a body announced but not sent, or headers that never end."""
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: 100\r\n\r\n{{").encode()
    return f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n".encode()


def framed_request(method: str, path: str, framing: str, body: bytes) -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{framing}\r\n"
            f"Connection: close\r\n\r\n").encode() + body


def malformed_chunks_request(method: str, path: str) -> bytes:
    """A chunked body whose first chunk size is not hexadecimal."""
    return framed_request(method, path, "Transfer-Encoding: chunked", b"zz\r\n{}\r\n0\r\n\r\n")


def unknown_expectation_request(method: str, path: str) -> bytes:
    return framed_request(method, path, "Content-Length: 2\r\nExpect: the-moon", b"{}")


def unknown_coding_request(method: str, path: str) -> bytes:
    return framed_request(method, path, "Transfer-Encoding: bogus", b"0\r\n\r\n")


def oversized_request(method: str, path: str) -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{OVERSIZED_HEADERS}\r\n".encode()


def connect(url: str) -> socket.socket:
    address = urlsplit(url)
    return socket.create_connection((address.hostname, address.port), timeout=ANSWER_SECONDS)


def send(url: str, request: bytes) -> socket.socket:
    connection = connect(url)
    connection.sendall(request)
    return connection


def read_response(connection: socket.socket, trickle: bytes = b"") -> Response:
    """Read an answer the server ends by closing the connection, and close our side; until the answer
    begins, send `trickle` a byte every 0.5 s."""
    received = b""
    deadline = time.monotonic() + ANSWER_SECONDS
    with connection:
        while time.monotonic() < deadline:
            readable, _, _ = select.select([connection], [], [], 0.5)
            if readable:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                received += chunk
            elif trickle and not received:
                connection.sendall(trickle[:1])
                trickle = trickle[1:]
    while re.match(rb"HTTP/1\.1 1\d\d ", received):    # interim answers (100 Continue) before the final one
        received = received.partition(b"\r\n\r\n")[2]
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in header_lines]
    return Response(body, status=int(status_line.split(" ", 2)[1]), headers=headers)


def concrete_path(template: str, values: dict[str, str]) -> str:
    """/sessions/{session_id} -> /sessions/<values['session_id']>"""
    return re.sub(r"\{(\w+)\}", lambda match: values[match.group(1)], template)
