"""A local stand-in for Supabase's REST endpoint (PostgREST), served on 127.0.0.1 by http.server.

It records every request (method, path, query, headers, body) and answers each one with `status`,
or, with hang=True, reads the request and never answers until the stand-in is closed.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


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

    def __init__(self, status: int = 201, hang: bool = False):
        self.status, self.hang = status, hang
        self.requests: list[Captured] = []
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
