"""A gunicorn worker whose threads never wait for a slow client:
`-k backend.serving.gunicorn_worker.RequestReadingWorker`.

gunicorn's gthread worker hands a connection to a thread as soon as its first bytes arrive; the
thread then blocks reading the rest. Ten clients sending a byte every two seconds thus hold every
thread, and `/health` times out. This worker reads each request in its event loop instead, without
a thread, until its headers and a body of up to 64 KiB have arrived; only a complete request goes
to a thread. A body too large to buffer (an upload) is read by a thread, but at most `threads - 1`
threads of a worker do so at once, and every read has a deadline: a thread is always left for
requests that have fully arrived. A request not received within REQUEST_READ_TIMEOUT_SECONDS is
answered 408, headers over 64 KiB 431; whatever gunicorn itself refuses is answered in the same JSON
shape (error_answers.py). A client that sends `Expect: 100-continue` with a small body is told to
continue by the loop, which then reads the body as it reads any other.

Whatever this relies on of gthread beyond its documented interface goes through gthread_seam.py.
"""
from __future__ import annotations

import socket
import time
from collections import deque
from contextlib import suppress
from dataclasses import dataclass
from functools import partial

from werkzeug.exceptions import RequestTimeout

from backend.core.settings import load_settings
from backend.serving import gthread_seam as seam
from backend.serving.error_answers import HEADERS_TOO_LARGE_MESSAGE, checked_framing, error_answer, parse_error_answer
from backend.serving.gthread_seam import ParseException, TConn, ThreadWorker
from backend.serving.request_reader import HEADER_LIMIT_BYTES, Arrival, RequestArrival

RECEIVE_BYTES = 64 * 1024
LINGER_SECONDS = 2.0  # after an error answer, incoming bytes are discarded this long so the client reads it
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
# The loop bounds a request's head to 64 KiB in all; gunicorn's own, smaller limits (a 4094-byte request
# line, 100 fields of 8190 bytes) would refuse a head docs/deploy.md accepts, so they are raised to it.
HEAD_LIMITS = {"limit_request_line": 0, "limit_request_fields": 32768, "limit_request_field_size": HEADER_LIMIT_BYTES}


class RequestReadTimeout(RequestTimeout):
    """The client did not send its request in time. Raised from the socket read inside the app, it
    is answered as any werkzeug HTTP error: a JSON 408. (Not an OSError: werkzeug would take that
    for a client that disconnected, and answer 400.)"""


def read_timeout_message(seconds: float) -> str:
    return (f"The request did not arrive within {seconds:g} seconds (REQUEST_READ_TIMEOUT_SECONDS); "
            "send it again over a faster connection.")



class DeadlineSocket:
    """The connection's socket as the request parser sees it: every receive ends by one deadline."""

    def __init__(self, sock: socket.socket, deadline: float, timeout_seconds: float):
        self._sock = sock
        self._deadline = deadline
        self._timeout_seconds = timeout_seconds

    def recv(self, size: int) -> bytes:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise RequestReadTimeout(read_timeout_message(self._timeout_seconds))
        previous = self._sock.gettimeout()
        self._sock.settimeout(remaining if previous is None else min(previous, remaining))
        try:
            return self._sock.recv(size)
        except TimeoutError:
            if time.monotonic() >= self._deadline:
                raise RequestReadTimeout(read_timeout_message(self._timeout_seconds)) from None
            raise
        finally:
            self._sock.settimeout(previous)

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


@dataclass
class PendingRequest:
    arrival: RequestArrival
    deadline: float


class RequestReadingWorker(ThreadWorker):
    """gthread, with requests read in the event loop and body-reading threads capped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in HEAD_LIMITS.items():
            self.cfg.set(name, value)
        self.read_timeout = load_settings().request_read_timeout_seconds
        self.max_body_readers = max(1, self.cfg.threads - 1)
        self.pending: dict[TConn, PendingRequest] = {}
        self.body_readers: set[TConn] = set()
        self.waiting_for_reader: deque[tuple[TConn, RequestArrival]] = deque()
        self.lingering: dict[TConn, float] = {}

    @classmethod
    def check_config(cls, cfg, log) -> None:
        super().check_config(cfg, log)
        if cfg.is_ssl or cfg.protocol != "http" or "h2" in cfg.http_protocols:
            raise RuntimeError("RequestReadingWorker serves plain HTTP/1.1 only: terminate TLS and HTTP/2 "
                               "in a proxy in front of it")

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = checked_framing(self.wsgi)

    def handle_error(self, req, client, addr, exc) -> None:
        """gunicorn's refusals (and its 500 for an error outside the app), as the API's JSON error."""
        status, message = parse_error_answer(exc)
        if status == 500:
            self.log.exception("Error handling request")
        else:
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        with suppress(OSError):
            seam.write_nonblock(client, error_answer(status, message))

    def handle_request(self, req, conn: TConn) -> bool:
        if getattr(conn, "continue_sent", False):
            seam.skip_repeated_continue(req)
        return super().handle_request(req, conn)

    # Every path by which gthread would give a connection to a thread (a new connection, a kept-alive
    # one becoming readable, bytes read ahead) comes here; the request is read in the loop first.
    def enqueue_req(self, conn: TConn) -> None:
        already_received = seam.read_ahead(conn)
        conn.sock.setblocking(False)
        self.pending[conn] = PendingRequest(RequestArrival(), time.monotonic() + self.read_timeout)
        if already_received:
            self._received(conn, already_received)
        if conn in self.pending:
            seam.watch(self, conn.sock, partial(self._on_readable, conn))

    def _on_readable(self, conn: TConn, _sock) -> None:
        try:
            data = conn.sock.recv(RECEIVE_BYTES)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            del self.pending[conn]
            self._unregister(conn)
            self._close(conn)
            return
        self._received(conn, data)

    def _received(self, conn: TConn, data: bytes) -> None:
        """Add bytes to the connection's request and hand it on once that is decided."""
        request = self.pending[conn]
        arrival = request.arrival
        verdict = arrival.add(data)
        if verdict is Arrival.INCOMPLETE:
            if arrival.expects_continue and not arrival.continue_sent:
                self._tell_to_continue(conn, arrival)
            return
        del self.pending[conn]
        self._unregister(conn)
        if verdict is Arrival.HEADERS_TOO_LARGE:
            self._answer_and_close(conn, 431, HEADERS_TOO_LARGE_MESSAGE)
        elif verdict is Arrival.COMPLETE:
            self._hand_to_thread(conn, arrival, request.deadline)
        elif len(self.body_readers) < self.max_body_readers:
            self.body_readers.add(conn)
            self._hand_to_thread(conn, arrival, request.deadline)
        else:
            self.waiting_for_reader.append((conn, arrival))

    def _tell_to_continue(self, conn: TConn, arrival: RequestArrival) -> None:
        try:
            conn.sock.send(CONTINUE)
        except OSError:   # gone, or its buffer full with a 25-byte answer: the thread's gunicorn says it
            return
        arrival.continue_sent = True

    def _hand_to_thread(self, conn: TConn, arrival: RequestArrival, deadline: float) -> None:
        conn.continue_sent = arrival.continue_sent
        conn.sock.setblocking(True)
        # What the thread still reads (a large body) must arrive by the same deadline.
        body_socket = DeadlineSocket(conn.sock, deadline, self.read_timeout)
        seam.hand_to_parser(conn, self.cfg, bytes(arrival.buffer), body_socket)
        super().enqueue_req(conn)

    def _keepalive_after(self, conn: TConn, keepalive: bool) -> bool:
        """A body the app left unread is drained before the connection is reused; past the
        request's deadline the connection closes instead."""
        try:
            return super()._keepalive_after(conn, keepalive)
        except (RequestReadTimeout, ParseException):   # a body whose framing breaks as it drains
            return False

    def finish_request(self, conn: TConn, fs) -> None:
        if conn in self.body_readers:
            self.body_readers.discard(conn)
            if self.waiting_for_reader:
                waiting, arrival = self.waiting_for_reader.popleft()
                self.body_readers.add(waiting)
                # time spent waiting for a reader is not the client's: its deadline starts afresh
                self._hand_to_thread(waiting, arrival, time.monotonic() + self.read_timeout)
        if fs.done() and not fs.cancelled() and fs.exception() is None and not fs.result():
            # gthread would close gracefully here, on the event loop: waiting up to 2 s for each client to
            # close its side, while no other connection is served. The loop lingers without waiting.
            self._linger(conn)
            return
        super().finish_request(conn, fs)

    def murder_pending(self) -> None:
        """gthread's expiry of idle connections, plus requests past their deadline and lingering closes."""
        super().murder_pending()
        now = time.monotonic()
        for conn, request in list(self.pending.items()):
            if request.deadline <= now or (not self.alive and not request.arrival.buffer):
                del self.pending[conn]
                self._unregister(conn)
                if request.arrival.buffer:
                    self._answer_and_close(conn, 408, read_timeout_message(self.read_timeout))
                else:
                    self._close(conn)  # it never sent a byte: there is nothing to answer
        for conn, deadline in list(self.lingering.items()):
            if deadline <= now:
                self._end_linger(conn)

    def _answer_and_close(self, conn: TConn, status: int, message: str) -> None:
        """Send the API's JSON error and close, reading what the client still sends for a moment so
        that the kernel does not reset the connection before the client has read the answer."""
        try:
            conn.sock.send(error_answer(status, message))
        except OSError:
            self._close(conn)
            return
        self._linger(conn)

    def _linger(self, conn: TConn) -> None:
        """Close after the answer: end our side now, discard what the client still sends for a moment so
        that the kernel does not reset the connection before the client has read the answer, then close."""
        try:
            conn.sock.setblocking(False)
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn)
            return
        self.lingering[conn] = time.monotonic() + LINGER_SECONDS
        seam.watch(self, conn.sock, partial(self._discard, conn))

    def _discard(self, conn: TConn, _sock) -> None:
        try:
            if conn.sock.recv(RECEIVE_BYTES):
                return
        except BlockingIOError:
            return
        except OSError:
            pass
        self._end_linger(conn)

    def _end_linger(self, conn: TConn) -> None:
        del self.lingering[conn]
        self._unregister(conn)
        self._close(conn)

    def _unregister(self, conn: TConn) -> None:
        seam.unwatch(self, conn.sock)

    def _close(self, conn: TConn) -> None:
        seam.close_connection(self, conn)

