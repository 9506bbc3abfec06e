"""A requests Session whose every answer ends by one deadline and is read whole within a byte cap.

requests (and spotipy over it) applies its timeout to each socket read, and reads a body of any
size. Here the adapter reads each answer itself, in chunks, through AnswerBody; a watch armed for
each request shuts the socket down at the deadline, which wakes a read blocked on a server that
sends a byte now and then (headers included), so no download outlives its deadline. A redirect is
never followed: an upstream answer could otherwise send the service anywhere.
"""
from __future__ import annotations

import socket
import threading

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error

from backend.services.bounded_http.capped_reads import (
    ACCEPT_ENCODING,
    CHUNK_BYTES,
    DeadlinePassed,
    check_declared_length,
    read_within,
    seconds_left,
)

_current = threading.local()   # the watch of the request this thread is sending


class _Watch:
    """Shuts down the socket of one request when its deadline passes, unless the request ended first."""

    def __init__(self, seconds: float):
        self.expired = False
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._finished = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._socket = sock
            if self.expired:
                _shut(sock)

    def finish(self) -> None:
        with self._lock:
            self._finished = True
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            if not self._finished:
                self.expired = True
                _shut(self._socket)


def _shut(sock: socket.socket | None) -> None:
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)   # wakes a read blocked in another thread; close() would not
        except OSError:
            pass


class _WatchedConnectionMixin:
    def getresponse(self, *args, **kwargs):
        watch = getattr(_current, "watch", None)
        if watch is not None:
            watch.attach(self.sock)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPConnection(_WatchedConnectionMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnectionMixin, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class BoundedAdapter(HTTPAdapter):
    """Sends within the session's deadline and reads each answer whole (`stream=True` is not offered)."""

    def __init__(self, deadline: float, max_bytes: int, connect_s: float | None = None):
        self.deadline, self.max_bytes, self.connect_s = deadline, max_bytes, connect_s
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = WATCHED_POOLS

    def proxy_manager_for(self, *args, **kwargs):
        manager = super().proxy_manager_for(*args, **kwargs)
        manager.pool_classes_by_scheme = WATCHED_POOLS
        return manager

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout=None, **kwargs):
        try:
            left = seconds_left(self.deadline)
        except DeadlinePassed as error:
            raise requests.exceptions.ReadTimeout(str(error), request=request) from error
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        watch = _current.watch = _Watch(left)
        response = None
        try:
            connect_s = left if self.connect_s is None else min(left, self.connect_s)
            response = super().send(request, stream=True, timeout=(connect_s, left), **kwargs)
            check_declared_length(response.headers.get("Content-Length"), self.max_bytes)
            body = read_within(response.raw.stream(CHUNK_BYTES, decode_content=False),
                               response.headers.get("Content-Encoding"), self.max_bytes, self.deadline)
            if watch.expired:   # the socket was shut while a close-delimited answer was still coming
                raise DeadlinePassed("the answer did not arrive in time")
        except (OSError, Urllib3Error, ValueError) as error:  # requests' errors and DeadlinePassed are OSErrors
            if response is not None:
                response.close()   # mid-answer (too large, cut short, too late): the connection is not reused
            if watch.expired or isinstance(error, DeadlinePassed):
                raise requests.exceptions.ReadTimeout("the answer did not arrive in time", request=request) from error
            raise
        finally:
            watch.finish()
            _current.watch = None
        response._content = body          # read here already: requests hands it out as .content/.json()
        response._content_consumed = True
        return response


def bounded_session(deadline: float, max_bytes: int, connect_s: float | None = None) -> requests.Session:
    """A Session for one piece of work that must be over by `deadline` (time.monotonic()); a connection not
    made within connect_s (when given) fails as unreachable."""
    session = requests.Session()
    session.max_redirects = 0
    adapter = BoundedAdapter(deadline, max_bytes, connect_s)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
