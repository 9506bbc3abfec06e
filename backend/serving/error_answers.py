"""The answers the serving worker gives itself, before or beside the app, as the API's JSON error.

gunicorn writes its own refusals (a malformed request line or header, an unknown transfer coding or
expectation, headers over its limits) as HTML pages, and a chunked body whose framing breaks while the
app reads it raised inside the app, which answered 500. Here each of gunicorn's parse errors has a
status and a message in the API's shape, and a body whose framing breaks is a 400 the app answers
like any other werkzeug HTTP error.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus

from werkzeug.exceptions import BadRequest

from backend.serving.gthread_seam import SERVER, http_date
from backend.serving.gthread_seam import parse_errors as errors
from backend.serving.request_reader import HEADER_LIMIT_BYTES

INTERNAL_ERROR = "Internal error; the request was not completed. Please try again."
HEADERS_TOO_LARGE_MESSAGE = (f"The request's headers are larger than {HEADER_LIMIT_BYTES // 1024} KiB; "
                             "send fewer or shorter headers.")
MALFORMED_CHUNKS = ("The request's chunked body is malformed (a chunk size that is not hexadecimal, or a "
                    "missing line ending); send it again with valid framing, or with a Content-Length.")
MALFORMED_HEAD = "The request is not valid HTTP/1.1: {}; send a well-formed request line and headers."
# gunicorn's parse errors, most specific first: (status, message). ParseException catches the rest.
PARSE_ERRORS: list[tuple[type[Exception], int, str]] = [
    (errors.LimitRequestHeaders, 431, HEADERS_TOO_LARGE_MESSAGE),
    (errors.LimitRequestLine, 414, "The request line is too long; send a shorter URL."),
    ((errors.InvalidChunkSize, errors.ChunkMissingTerminator, errors.InvalidChunkExtension), 400, MALFORMED_CHUNKS),
    (errors.UnsupportedTransferCoding, 501, "The request's Transfer-Encoding is not supported; send the body "
                                            "with a Content-Length, or chunked."),
    (errors.ExpectationFailed, 417, "The request's Expect header is not understood; the service understands only "
                                    "Expect: 100-continue."),
    (errors.ForbiddenProxyRequest, 403, "Requests through a proxy protocol header are not accepted."),
    (errors.ConfigurationProblem, 500, INTERNAL_ERROR),
    ((errors.InvalidRequestLine, errors.InvalidRequestMethod, errors.InvalidHTTPVersion), 400,
     MALFORMED_HEAD.format("the request line is malformed")),
    ((errors.InvalidHeader, errors.InvalidHeaderName, errors.ObsoleteFolding), 400,
     MALFORMED_HEAD.format("a header is malformed")),
    (errors.ParseException, 400, MALFORMED_HEAD.format("it could not be parsed")),
]


def parse_error_answer(error: BaseException) -> tuple[int, str]:
    """The status and message for an error gunicorn raised while reading a request; 500 for anything else."""
    if isinstance(error, (errors.InvalidResponseHeader, errors.InvalidResponseHeaderName)):
        return 500, INTERNAL_ERROR   # a header the app tried to send: the app's fault, not the client's
    for kinds, status, message in PARSE_ERRORS:
        if isinstance(error, kinds):
            return status, message
    return 500, INTERNAL_ERROR


def error_answer(status: int, message: str) -> bytes:
    """A complete HTTP/1.1 answer in the API's error shape, closing the connection."""
    body = json.dumps({"error": message}).encode()
    head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nServer: {SERVER}\r\nDate: {http_date()}\r\n"
            f"Connection: close\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


class MalformedBody(BadRequest):
    """The body's framing broke while the app read it: a 400 the app answers in its error shape."""

    def __init__(self):
        super().__init__(MALFORMED_CHUNKS)


class FramingCheckedInput:
    """wsgi.input, with gunicorn's framing errors raised as MalformedBody."""

    def __init__(self, body):
        self._body = body

    def _checked(self, read: Callable, *args):
        try:
            return read(*args)
        except errors.ParseException:
            raise MalformedBody() from None

    def read(self, size: int | None = None) -> bytes:
        return self._checked(self._body.read, size)

    def readline(self, size: int | None = None) -> bytes:
        return self._checked(self._body.readline, size)

    def readlines(self, size: int | None = None) -> list[bytes]:
        return self._checked(self._body.readlines, size)

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return self._checked(self._body.__next__)


def checked_framing(app: Callable) -> Callable:
    """WSGI middleware: the app reads its body through FramingCheckedInput."""
    def wrapped(environ: dict, start_response: Callable) -> Iterable[bytes]:
        environ["wsgi.input"] = FramingCheckedInput(environ["wsgi.input"])
        return app(environ, start_response)
    return wrapped
