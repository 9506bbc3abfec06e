"""How much of an HTTP/1.1 request has arrived: enough to hand it to a thread, or not yet.

The worker's event loop buffers each request until this says it is complete (headers and a small
body) or until its body is too large to buffer; only then does a thread take it. The parse is
deliberately partial: it only decides *when* to hand over. gunicorn's own parser, which reads the
buffered bytes afterwards, still decides whether the request is valid. Each byte is looked at about
once, however the client splits its request.
"""
from __future__ import annotations

import enum
import re

HEADER_LIMIT_BYTES = 64 * 1024
BUFFERED_BODY_LIMIT_BYTES = 64 * 1024
HEADER_END = re.compile(rb"\r?\n\r?\n")
CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
BODY_FRAMING_FIELDS = (b"content-length", b"transfer-encoding", b"expect")


class Arrival(enum.Enum):
    INCOMPLETE = "keep reading in the event loop"
    COMPLETE = "headers and body are buffered: a thread can serve it without waiting for the client"
    LARGE_BODY = "the body is too large to buffer (or its framing is unusual): a thread reads it (gunicorn " \
                 "answers an Expect: 100-continue of such a body from the thread)"
    HEADERS_TOO_LARGE = "the headers alone pass the limit: answer 431"


class RequestArrival:
    """The bytes of one request received so far, and what they amount to."""

    def __init__(self):
        self.buffer = bytearray()
        self._body_start: int | None = None
        self._content_length: int | None = None   # None with a body_start: chunked
        self._chunk_position = 0                    # where the next unread chunk starts (chunked)
        self._verdict = Arrival.INCOMPLETE
        # An HTTP/1.1 client waiting for "100 Continue" before it sends a body small enough to buffer: the
        # event loop answers it, and reads the body like any other, without a thread.
        self.expects_continue = False
        self.continue_sent = False

    def add(self, data: bytes) -> Arrival:
        self.buffer += data
        if self._verdict is Arrival.INCOMPLETE:
            self._verdict = self._assess(len(self.buffer) - len(data))
        return self._verdict

    def _assess(self, previous_length: int) -> Arrival:
        if self._body_start is None:
            verdict = self._read_head(max(0, previous_length - 3))
            if verdict is not None:
                return verdict
        body_length = len(self.buffer) - self._body_start
        if self._content_length is not None:
            return Arrival.COMPLETE if body_length >= self._content_length else Arrival.INCOMPLETE
        complete = self._chunked_body_complete()
        if complete is None or (not complete and body_length > BUFFERED_BODY_LIMIT_BYTES):
            return Arrival.LARGE_BODY
        return Arrival.COMPLETE if complete else Arrival.INCOMPLETE

    def _read_head(self, search_from: int) -> Arrival | None:
        """Find the end of the headers and how the body is framed; a verdict when that decides it."""
        end = HEADER_END.search(self.buffer, search_from, HEADER_LIMIT_BYTES + 4)
        if end is None:
            too_large = len(self.buffer) > HEADER_LIMIT_BYTES
            return Arrival.HEADERS_TOO_LARGE if too_large else Arrival.INCOMPLETE
        self._body_start = end.end()
        head = bytes(self.buffer[:end.start()])
        fields = _header_fields(head)
        if fields is None:
            return Arrival.LARGE_BODY
        if b"expect" in fields:
            if fields[b"expect"].lower() != b"100-continue" or not _http_1_1(head):
                return Arrival.LARGE_BODY   # gunicorn decides: 417, or an HTTP/1.0 expectation ignored
            self.expects_continue = True
        if b"transfer-encoding" in fields:
            codings = fields[b"transfer-encoding"].lower().rsplit(b",", 1)
            return None if codings[-1].strip() == b"chunked" else Arrival.LARGE_BODY
        length = fields.get(b"content-length", b"0")
        if not length.isdigit() or len(length) > 18 or int(length) > BUFFERED_BODY_LIMIT_BYTES:
            return Arrival.LARGE_BODY
        self._content_length = int(length)
        return None

    def _chunked_body_complete(self) -> bool | None:
        """Whether a chunked body has fully arrived, trailers included; None when it is malformed."""
        data = self.buffer
        while True:
            position = max(self._chunk_position, self._body_start)
            line_end = data.find(b"\r\n", position)
            if line_end < 0:
                return False
            size_text = bytes(data[position:line_end]).split(b";", 1)[0].strip()
            if not CHUNK_SIZE.fullmatch(size_text):
                return None
            size, data_start = int(size_text, 16), line_end + 2
            if size == 0:
                return data.startswith(b"\r\n", data_start) or data.find(b"\r\n\r\n", data_start) >= 0
            if len(data) < data_start + size + 2:
                return False
            if data[data_start + size:data_start + size + 2] != b"\r\n":
                return None
            self._chunk_position = data_start + size + 2


def _http_1_1(head: bytes) -> bool:
    return head.split(b"\n", 1)[0].rstrip(b"\r").endswith(b" HTTP/1.1")


def _header_fields(head: bytes) -> dict[bytes, bytes] | None:
    """Lower-cased field names and their values; None when a field that frames the body repeats."""
    fields: dict[bytes, bytes] = {}
    for line in re.split(rb"\r?\n", head)[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name in fields and name in BODY_FRAMING_FIELDS:
            return None
        fields[name] = value.strip()
    return fields
