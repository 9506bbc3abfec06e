"""Upstream answers within bounds: a deadline for each whole answer and a cap on its bytes, sent and inflated.

HTTP libraries time out per read, so an answer sent a byte a second never times out; and they
inflate a gzip answer whole, so 600 KB on the wire can become 600 MB in memory. The clients here
(`bounded_session` for requests, `bounded_client` for httpx, in their own modules so each
deployment loads only the library it uses) read every answer through `AnswerBody`, which counts
the bytes as they arrive and as they inflate, and end the answer at its deadline.
"""
from __future__ import annotations

import time
import zlib

CHUNK_BYTES = 16 * 1024
ACCEPT_ENCODING = "gzip, deflate"   # only what AnswerBody can inflate within its cap


class DeadlinePassed(TimeoutError):
    """The whole answer did not arrive before its deadline."""


class AnswerTooLarge(ValueError):
    """The answer, as sent or once inflated, is larger than its cap."""


class AnswerCutShort(ValueError):
    """The compressed answer ended before its compressed stream did."""


class UnsupportedEncoding(ValueError):
    """The answer is compressed in a way that cannot be inflated within a cap."""


def seconds_left(deadline: float) -> float:
    """Time left before the deadline (time.monotonic() based); DeadlinePassed once there is none."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise DeadlinePassed("the answer did not arrive in time")
    return left


def check_declared_length(value: str | None, max_bytes: int) -> None:
    """Refuse an answer whose Content-Length already says it is too large, before reading it."""
    if value is not None and value.strip().isdigit() and int(value) > max_bytes:
        raise AnswerTooLarge(f"answer of {int(value)} bytes declared, {max_bytes} allowed")


def _decoder(content_encoding: str | None):
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib- or gzip-wrapped, told by its header
    raise UnsupportedEncoding(f"answer encoded as {encoding[:40]!r}")


class AnswerBody:
    """An answer's body, fed as it arrives: at most max_bytes on the wire and max_bytes inflated.

    Inflation is asked for at most the room left (+1 byte to notice going over), so a gzip bomb
    never takes more memory than the cap, whatever its ratio.
    """

    def __init__(self, content_encoding: str | None, max_bytes: int, deadline: float):
        self.max_bytes, self.deadline = max_bytes, deadline
        self.received = 0   # bytes as sent (compressed)
        self.size = 0       # bytes once inflated
        self._parts: list[bytes] = []
        self._decoder = _decoder(content_encoding)

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.received > self.max_bytes:
            raise AnswerTooLarge(f"more than {self.max_bytes} bytes sent")
        if self._decoder is None:
            self._keep(chunk)
        else:
            while chunk:
                self._keep(self._decoder.decompress(chunk, self.max_bytes + 1 - self.size))
                chunk = self._decoder.unconsumed_tail
        seconds_left(self.deadline)

    def result(self) -> bytes:
        if self._decoder is not None:
            self._keep(self._decoder.flush())
            if not self._decoder.eof:
                raise AnswerCutShort("the compressed answer ended early")
        return b"".join(self._parts)

    def _keep(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.size > self.max_bytes:
            raise AnswerTooLarge(f"more than {self.max_bytes} bytes once inflated")
        if piece:
            self._parts.append(piece)


def read_within(chunks, content_encoding: str | None, max_bytes: int, deadline: float) -> bytes:
    """Read an answer's raw (still encoded) chunks into its inflated body, within the cap and deadline.

    A read that blocks is ended at the deadline by the client (see the two client modules); this
    checks the deadline between reads, so a trickle of bytes cannot outlast it either.
    """
    body = AnswerBody(content_encoding, max_bytes, deadline)
    for chunk in chunks:
        body.feed(chunk)
    return body.result()
