"""The base of every stand-in upstream: a threaded HTTP server on 127.0.0.1 that the real client libraries
(spotipy, supabase/httpx, requests) talk to over real HTTP.

`with SomeStandin(...) as upstream:` serves http://127.0.0.1:<port> until the block ends. Every request is
recorded (method, path, query, headers, raw body) in `upstream.requests`, then answered by the first route
whose method and path match, or held unanswered until the stand-in closes when `upstream.hang` is set.
A route answers through its Exchange: plainly (`send`, `send_json`) or misbehaving (`dribble` a byte a
second, `stream` blocks until the client hangs up; harness/misbehaviour.py), and what a misbehaving answer
sent is in `upstream.sent`.
"""
from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from harness.misbehaviour import Sent, raw_answer, send_blocks, send_dribbled

ANY_METHOD = "*"


@dataclass(frozen=True)
class Captured:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self):
        return json.loads(self.body)

    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query)

    def line(self) -> str:
        """The request line's method and target, as "GET /v1/tracks?ids=a,b"."""
        return f"{self.method} {self.path}" + (f"?{self.query}" if self.query else "")

    def raw(self) -> str:
        """Everything that went over the wire, to search for what must never be sent."""
        head = "\n".join(f"{name}: {value}" for name, value in self.headers.items())
        return f"{self.method} {self.path}?{self.query}\n{head}\n\n{self.body.decode('utf-8', 'replace')}"


@dataclass(frozen=True)
class Route:
    method: str    # an HTTP method, or ANY_METHOD
    pattern: str   # a regular expression the whole path must match; its groups go to `answer`
    answer: Callable[..., None]  # answer(exchange, *groups)


class Exchange(BaseHTTPRequestHandler):
    """One request to a stand-in and the ways to answer it."""

    captured: Captured
    standin: Standin

    def setup(self) -> None:
        self.standin = self.server.standin  # type: ignore[attr-defined]
        self.protocol_version = self.standin.protocol_version
        self.timeout = self.standin.idle_timeout  # an idle keep-alive connection ends its thread after this
        super().setup()

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        self.captured = Captured(self.command, parts.path, parts.query,
                                       {name.lower(): value for name, value in self.headers.items()},
                                       self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.standin._record(self.captured)
        if self.standin.hang:
            self.standin.released.wait()  # accepted, never answered
            self.close_connection = True
            return
        for route in self.standin.routes():
            if route.method in (ANY_METHOD, self.command):
                match = re.fullmatch(route.pattern, parts.path)
                if match:
                    return route.answer(self, *match.groups())
        self.send_json(404, {"error": f"the stand-in has no route for {self.command} {parts.path}"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def send(self, status: int, data: bytes, content_type: str | None = None, headers: dict | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, body: object, headers: dict | None = None) -> None:
        self.send(status, json.dumps(body).encode(), "application/json", headers)

    def dribble(self, status: str, headers: dict[str, str], body: bytes) -> Sent:
        """The whole answer, status line first, a byte a second until it ends, the client hangs up or the
        stand-in closes."""
        sent = self._misbehaving()
        send_dribbled(self.wfile.write, raw_answer(status, headers, body), sent, self.standin.released)
        return sent

    def stream(self, status: str, headers: dict[str, str], blocks: Iterable[bytes], total: int | None = None) -> Sent:
        """The head, then `blocks` as fast as the client takes them, until they run out or the client hangs up."""
        sent = self._misbehaving()
        sent.total = total
        send_blocks(self.wfile.write, itertools.chain([raw_answer(status, headers, b"")], blocks), sent,
                    self.standin.released)
        return sent

    def _misbehaving(self) -> Sent:
        self.close_connection = True
        sent = Sent(self.path)
        self.standin._add_sent(sent)
        return sent

    def log_message(self, format, *args) -> None:
        pass


class Standin:
    """A stand-in upstream; a subclass lists its routes. Closing it releases every held answer."""

    protocol_version = "HTTP/1.1"
    idle_timeout: float | None = 10

    def __init__(self, hang: bool = False):
        self.hang = hang
        self.requests: list[Captured] = []
        self.sent: list[Sent] = []
        self.released = threading.Event()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Exchange)
        self._server.daemon_threads = True
        self._server.standin = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{type(self).__name__}-server", daemon=True)

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def _record(self, captured: Captured) -> None:
        with self._arrived:
            self.requests.append(captured)
            self._arrived.notify_all()

    def _add_sent(self, sent: Sent) -> None:
        with self._lock:
            self.sent.append(sent)

    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def request_lines(self) -> list[str]:
        with self._lock:
            return [captured.line() for captured in self.requests]

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        """True once `count` requests have arrived (False after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._arrived.wait(left)
            return True
