"""Every touch of gunicorn's internals, in one place.

RequestReadingWorker (gunicorn_worker.py) is gunicorn's gthread worker with its request reading moved into
the event loop; for that it overrides some of gthread's methods and reads or changes state gunicorn does
not document. Everything it relies on beyond gunicorn's documented interface is named below and reached
only through this module (error_answers.py takes gunicorn's parse errors and Server name from here too).
gunicorn is pinned exactly in requirements.txt; tests/unit/test_serving_gthread_seam.py checks that the installed
release still has each of these, and names the one that moved when an upgrade changes it.
"""
from __future__ import annotations

import selectors
import socket
from collections.abc import Callable

from gunicorn import SERVER, http, util
from gunicorn.http import errors as parse_errors
from gunicorn.http.errors import ParseException
from gunicorn.workers.gthread import TConn, ThreadWorker

__all__ = ["SERVER", "ParseException", "TConn", "ThreadWorker", "close_connection", "hand_to_parser", "http_date",
           "parse_errors", "read_ahead", "skip_repeated_continue", "unwatch", "watch", "write_nonblock"]

# gthread's methods the worker overrides, with the parameters gthread calls them with.
OVERRIDDEN_METHODS: dict[str, tuple[str, ...]] = {
    "enqueue_req": ("self", "conn"),
    "_keepalive_after": ("self", "conn", "keepalive"),
    "finish_request": ("self", "conn", "fs"),
    "murder_pending": ("self",),
    "handle_request": ("self", "req", "conn"),
    "handle_error": ("self", "req", "client", "addr", "exc"),
    "load_wsgi": ("self",),
}
# State the functions below (and the worker's `self.alive`, `self.cfg`) read or change.
WORKER_STATE = ("poller", "nr_conns", "alive", "cfg")
CONNECTION_STATE = ("sock", "client", "parser", "initialized", "data_ready")
OWN_CONNECTION_MARK = "continue_sent"   # the worker's own attribute on a connection: TConn has no __slots__
READER_STATE = ("take_buffered", "unread", "sock")   # a connection's parser.unreader
REQUEST_STATE = ("_expected_100_continue",)

write_nonblock = util.write_nonblock
http_date = util.http_date


def read_ahead(conn: TConn) -> bytes:
    """Bytes of the next request that gthread's parser already read from a kept-alive connection."""
    return conn.parser.unreader.take_buffered() if conn.parser is not None else b""


def hand_to_parser(conn: TConn, cfg, received: bytes, body_socket: socket.socket) -> None:
    """Give gthread's parser the bytes the loop received, as if it had read them itself; what it still reads
    (a large body) comes through `body_socket`. The connection is then ready for a thread."""
    if conn.parser is None:
        conn.parser = http.get_parser(cfg, conn.sock, conn.client)
        conn.initialized = True
    conn.data_ready = True
    conn.parser.unreader.unread(received)
    conn.parser.unreader.sock = body_socket


def skip_repeated_continue(req) -> None:
    """The loop has told the client to continue: gunicorn must not say it again when the app reads the body."""
    req._expected_100_continue = False


def watch(worker: ThreadWorker, sock: socket.socket, on_readable: Callable) -> None:
    worker.poller.register(sock, selectors.EVENT_READ, on_readable)


def unwatch(worker: ThreadWorker, sock: socket.socket) -> None:
    try:
        worker.poller.unregister(sock)
    except (KeyError, ValueError):   # not registered, or already closed
        pass


def close_connection(worker: ThreadWorker, conn: TConn) -> None:
    """Close a connection the worker took from gthread's care, keeping gthread's count of open ones right."""
    worker.nr_conns -= 1
    conn.close()
