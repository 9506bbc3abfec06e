"""An httpx Client whose every request ends by its own deadline and whose answers are read within a byte cap.

httpx (and supabase-py's PostgREST client over it) applies its timeout to each socket read and
reads a body of any size. This transport runs httpcore with a network backend that shortens each
read's timeout to what is left of the request's deadline, so a server trickling bytes cannot
outlast it, and reads the answer itself through AnswerBody before handing httpx the body.
"""
from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable

import certifi
import httpcore
import httpx

from backend.services.bounded_http.capped_reads import (
    ACCEPT_ENCODING,
    DeadlinePassed,
    check_declared_length,
    read_within,
    seconds_left,
)

_current = threading.local()   # the deadline of the request this thread is sending
_DROPPED_HEADERS = {b"content-encoding", b"content-length", b"transfer-encoding"}


def _shortened(timeout: float | None) -> float:
    deadline = getattr(_current, "deadline", None)
    if deadline is None:
        return timeout
    try:
        left = seconds_left(deadline)
    except DeadlinePassed as error:
        raise httpcore.ReadTimeout(str(error)) from error
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _shortened(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _shortened(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _shortened(timeout)))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self):
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(host, port, _shortened(timeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _shortened(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class BoundedTransport(httpx.BaseTransport):
    """Each request: `timeout_s` from sending to the last byte of its answer, at most `max_bytes` read."""

    def __init__(self, timeout_s: float, max_bytes: int):
        self.timeout_s, self.max_bytes = timeout_s, max_bytes
        self._pool = httpcore.ConnectionPool(ssl_context=ssl.create_default_context(cafile=certifi.where()),
                                             max_connections=4, network_backend=_DeadlineBackend())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = _current.deadline = time.monotonic() + self.timeout_s
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        core_request = httpcore.Request(
            request.method, httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                                         port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions)
        try:
            answer = self._pool.handle_request(core_request)
            try:
                headers = httpx.Headers(answer.headers)
                check_declared_length(headers.get("Content-Length"), self.max_bytes)
                body = read_within(answer.iter_stream(), headers.get("Content-Encoding"), self.max_bytes, deadline)
            finally:
                answer.close()
        except (httpcore.TimeoutException, DeadlinePassed) as error:
            raise httpx.ReadTimeout("the answer did not arrive in time", request=request) from error
        except httpcore.ConnectError as error:
            raise httpx.ConnectError(str(error), request=request) from error
        except httpcore.ProtocolError as error:
            raise httpx.RemoteProtocolError(str(error), request=request) from error
        except httpcore.NetworkError as error:
            raise httpx.NetworkError(str(error), request=request) from error
        finally:
            _current.deadline = None
        kept = [(name, value) for name, value in answer.headers if name.lower() not in _DROPPED_HEADERS]
        return httpx.Response(answer.status, headers=kept, content=body, request=request)

    def close(self) -> None:
        self._pool.close()


def bounded_client(timeout_s: float, max_bytes: int) -> httpx.Client:
    """An httpx Client (no redirects followed) whose requests each end within timeout_s, answers within max_bytes."""
    return httpx.Client(transport=BoundedTransport(timeout_s, max_bytes), timeout=timeout_s,
                        follow_redirects=False)
