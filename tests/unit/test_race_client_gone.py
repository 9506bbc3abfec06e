"""A client that leaves mid-render is noticed (backend/routes/client_gone.py) and the frames stop."""
from __future__ import annotations

import socket

import pytest

from backend.routes.client_gone import ClientGone, disconnect_probe, raise_when_gone
from backend.services.encoding.checks import until_stopped


def test_a_closed_connection_reads_as_gone_and_an_open_one_does_not():
    server_side, client_side = socket.socketpair()
    with server_side:
        gone = disconnect_probe({"gunicorn.socket": server_side})
        assert not gone()
        client_side.close()
        assert gone()


def test_frames_stop_once_the_client_has_gone():
    left_after = 3
    passed = []
    with pytest.raises(ClientGone):
        for frame in until_stopped(range(10), raise_when_gone(lambda: len(passed) >= left_after), check_seconds=0):
            passed.append(frame)
    assert passed == [0, 1, 2]


def test_without_a_socket_nothing_is_noticed():
    assert not disconnect_probe({})()
