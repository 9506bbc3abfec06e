"""A local stand-in for Supabase's REST endpoint (PostgREST), served on 127.0.0.1 by http.server.

It records every request (method, path, query, headers, body) and answers each one with `status`,
or, with hang=True, reads the request and never answers until the stand-in is closed, or misbehaves
(tests/misbehaviour.py): `dribble` sends its answer a byte a second; `huge` answers 256 MB (with its
Content-Length), `huge_undeclared` the same without one, `huge_gzip` a gzip body inflating to 256 MB,
all made lazily. What a misbehaving answer sent is in `sent`.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.misbehaviour import Sent, gzip_bomb, raw_answer, send_blocks, send_dribbled, zeros

HUGE_BYTES = 256 * 2**20
MISBEHAVIOURS = ("dribble", "huge", "huge_undeclared", "huge_gzip")


@dataclass(frozen=True)
class Captured:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self):
        return json.loads(self.body)

    def raw(self) -> str:
        """Everything that went over the wire, to search for what must never be sent."""
        head = "\n".join(f"{name}: {value}" for name, value in self.headers.items())
        return f"{self.method} {self.path}?{self.query}\n{head}\n\n{self.body.decode('utf-8', 'replace')}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection ends its handler thread after this

    def _handle(self) -> None:
        standin: PostgrestStandin = self.server.standin  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        standin._add(Captured(self.command, parts.path, parts.query,
                              {name.lower(): value for name, value in self.headers.items()}, body))
        if standin.hang:
            standin._released.wait()
            self.close_connection = True
            return
        if standin.misbehaviour:
            self.close_connection = True
            return standin._misbehave(self.wfile.write, self.path)
        status = standin.status
        payload = b"" if status < 400 else json.dumps(
            {"code": "XX000", "message": "stand-in failure", "details": None, "hint": None}).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        if payload:
            self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_GET = do_PATCH = do_DELETE = _handle

    def log_message(self, format, *args) -> None:  # noqa: A002 - http.server's signature
        pass


class PostgrestStandin:
    """`with PostgrestStandin() as rest:` serves http://127.0.0.1:<port>; rest.requests lists what came."""

    def __init__(self, status: int = 201, hang: bool = False, misbehaviour: str | None = None):
        assert misbehaviour in (None, *MISBEHAVIOURS)
        self.status, self.hang, self.misbehaviour = status, hang, misbehaviour
        self.requests: list[Captured] = []
        self.sent: list[Sent] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="postgrest-standin", daemon=True)

    def __enter__(self) -> PostgrestStandin:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def _add(self, captured: Captured) -> None:
        with self._arrived:
            self.requests.append(captured)
            self._arrived.notify_all()

    def _misbehave(self, write, path: str) -> None:
        sent = Sent(path)
        with self._lock:
            self.sent.append(sent)
        if self.misbehaviour == "dribble":
            send_dribbled(write, raw_answer("201 Created", {"Content-Length": "0"}, b""), sent, self._released)
            return
        json_type = {"Content-Type": "application/json"}
        if self.misbehaviour == "huge_gzip":
            head, body = {**json_type, "Content-Encoding": "gzip"}, gzip_bomb(b"[", b"]", HUGE_BYTES)
        else:
            declared = {"Content-Length": str(HUGE_BYTES)} if self.misbehaviour == "huge" else {}
            head, body = {**json_type, **declared}, zeros(HUGE_BYTES)
            sent.total = HUGE_BYTES
        send_blocks(write, itertools.chain([raw_answer("201 Created", head, b"")], body), sent, self._released)

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
