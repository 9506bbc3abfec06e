"""Noticing that the client of a long request has gone, so a render it no longer waits for stops early.

gunicorn's sync and gthread workers (and Werkzeug's server) only find out on writing the answer, after
the render; peeking at the connection's socket finds out while rendering: a closed connection reads as
end of file. A client that half-closes its side after sending the request (rare over HTTP) reads as
gone too. Behind TLS terminated by gunicorn, or a server that does not expose its socket, nothing is
noticed and the render runs to its end as before.
"""
from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Mapping
from typing import Any

SOCKET_KEYS = ("gunicorn.socket", "werkzeug.socket")


class ClientGone(Exception):
    """The client closed its connection before the answer was ready."""


def _client_socket(environ: Mapping[str, Any]) -> socket.socket | None:
    for key in SOCKET_KEYS:
        candidate = environ.get(key)
        if isinstance(candidate, socket.socket) and not isinstance(candidate, ssl.SSLSocket):
            return candidate
    return None


def disconnect_probe(environ: Mapping[str, Any]) -> Callable[[], bool]:
    """A check that says whether the request's client has closed its connection (never blocks)."""
    client = _client_socket(environ)
    if client is None:
        return lambda: False

    def gone() -> bool:
        try:
            return client.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except (BlockingIOError, InterruptedError):
            return False  # connected, nothing sent: the normal case while a client waits
        except OSError:
            return True  # reset, or already closed
    return gone


def raise_when_gone(gone: Callable[[], bool]) -> Callable[[], None]:
    """A check for until_stopped that raises ClientGone once `gone` says so."""
    def check() -> None:
        if gone():
            raise ClientGone
    return check
