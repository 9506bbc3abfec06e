"""When the serving worker's event loop may hand a request to a thread, however its bytes arrive."""
from __future__ import annotations

import pytest

from backend.serving.request_reader import Arrival, RequestArrival


def arrival_of(*pieces: bytes) -> Arrival:
    request = RequestArrival()
    verdict = Arrival.INCOMPLETE
    for piece in pieces:
        verdict = request.add(piece)
    return verdict


def one_byte_at_a_time(data: bytes) -> list[bytes]:
    return [data[k:k + 1] for k in range(len(data))]


JSON_POST = b"POST /generate_image HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
CHUNKED = b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n"
CHUNKED_WITH_TRAILER = CHUNKED[:-2] + b"X-Trailer: 1\r\n\r\n"


@pytest.mark.parametrize("request_bytes", [JSON_POST, CHUNKED, CHUNKED_WITH_TRAILER,
                                           b"GET /health HTTP/1.1\r\nHost: a\r\n\r\n",
                                           b"GET /health HTTP/1.0\n\n"])
def test_a_whole_request_is_complete_only_once_its_last_byte_arrived(request_bytes):
    assert arrival_of(request_bytes) is Arrival.COMPLETE
    assert arrival_of(*one_byte_at_a_time(request_bytes)) is Arrival.COMPLETE
    assert arrival_of(*one_byte_at_a_time(request_bytes[:-1])) is Arrival.INCOMPLETE


def test_bytes_after_a_complete_request_do_not_change_the_verdict():
    request = RequestArrival()
    assert request.add(JSON_POST) is Arrival.COMPLETE
    assert request.add(b"GET /health HTTP/1.1\r\n") is Arrival.COMPLETE
    assert bytes(request.buffer) == JSON_POST + b"GET /health HTTP/1.1\r\n"


@pytest.mark.parametrize("request_bytes", [
    b"POST /process HTTP/1.1\r\nContent-Length: 65537\r\n\r\n",                      # too large to buffer
    b"POST /process HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
    b"POST /x HTTP/1.1\r\nContent-Length: 65537\r\nExpect: 100-continue\r\n\r\n",     # gunicorn says 100
    b"POST /x HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",         # ignored in HTTP/1.0
    b"POST /x HTTP/1.1\r\nContent-Length: 5\r\nExpect: the-moon\r\n\r\n",             # gunicorn refuses: 417
    b"POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",        # framing for gunicorn to refuse
    b"POST /x HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
    b"POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
    b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",                   # malformed chunk size
    b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n",             # chunk longer than said
    b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n" + b"a" * 65537,  # chunked past 64 KiB
])
def test_bodies_not_to_buffer_go_to_a_thread(request_bytes):
    assert arrival_of(request_bytes) is Arrival.LARGE_BODY


def test_headers_over_64_kib_are_too_large_even_when_they_never_end():
    padding = b"".join(b"X-Pad-%d: %s\r\n" % (k, b"p" * 1000) for k in range(70))
    assert arrival_of(b"GET / HTTP/1.1\r\n" + padding) is Arrival.HEADERS_TOO_LARGE
    assert arrival_of(b"GET / HTTP/1.1\r\n", padding, b"\r\n") is Arrival.HEADERS_TOO_LARGE
    fitting = b"".join(b"X-Pad-%d: %s\r\n" % (k, b"p" * 1000) for k in range(60))
    assert arrival_of(b"GET / HTTP/1.1\r\n" + fitting + b"\r\n") is Arrival.COMPLETE


@pytest.mark.parametrize("framing, body", [(b"Content-Length: 5", b"hello"),
                                           (b"Transfer-Encoding: chunked", b"5\r\nhello\r\n0\r\n\r\n")])
def test_a_small_body_that_waits_for_100_continue_is_read_in_the_loop(framing, body):
    request = RequestArrival()
    assert request.add(b"POST /x HTTP/1.1\r\n" + framing + b"\r\nExpect: 100-Continue\r\n\r\n") is Arrival.INCOMPLETE
    assert request.expects_continue
    assert request.add(body) is Arrival.COMPLETE
