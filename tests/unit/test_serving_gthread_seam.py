"""What the serving worker relies on of gunicorn's internals is still there in the installed release.

gunicorn is pinned exactly; before that pin moves, this test says in plain words which of the internals
named in backend/serving/gthread_seam.py the new release changed. It builds gunicorn's own worker,
connection, parser and request over a local socket pair, and reads nothing but gunicorn and the seam.
"""
from __future__ import annotations

import ast
import inspect
import logging
import socket
from importlib.metadata import version
from pathlib import Path

import pytest
from gunicorn.config import Config

from backend.serving import gthread_seam as seam

REPO = Path(__file__).resolve().parents[2]
ADVICE = "read backend/serving/gunicorn_worker.py against the new gthread before moving the pin"


def pinned_gunicorn() -> str:
    lines = (REPO / "requirements.txt").read_text().splitlines()
    pins = [line.split("#")[0].strip() for line in lines if line.startswith("gunicorn")]
    assert len(pins) == 1 and pins[0].startswith("gunicorn=="), f"gunicorn must be pinned exactly, found {pins}"
    return pins[0].removeprefix("gunicorn==")


@pytest.fixture
def socket_pair():
    ours, theirs = socket.socketpair()
    yield ours, theirs
    ours.close()
    theirs.close()


@pytest.fixture
def config() -> Config:
    config = Config()
    config.set("worker_class", "gthread")
    config.set("threads", 4)
    return config


def test_the_installed_gunicorn_is_the_pinned_one():
    assert version("gunicorn") == pinned_gunicorn(), (
        f"gunicorn {version('gunicorn')} is installed but requirements.txt pins {pinned_gunicorn()}; {ADVICE}")


@pytest.mark.parametrize("name", sorted(seam.OVERRIDDEN_METHODS))
def test_gthread_still_calls_the_methods_the_worker_overrides(name):
    method = getattr(seam.ThreadWorker, name, None)
    assert callable(method), f"gunicorn {version('gunicorn')}'s gthread has no {name} any more; {ADVICE}"
    parameters = tuple(inspect.signature(method).parameters)
    assert parameters == seam.OVERRIDDEN_METHODS[name], (
        f"gunicorn {version('gunicorn')}'s gthread {name} now takes {parameters}, the worker overrides it as "
        f"{seam.OVERRIDDEN_METHODS[name]}; {ADVICE}")


def test_the_worker_connection_parser_and_request_hold_the_state_the_seam_touches(config, socket_pair):
    ours, theirs = socket_pair
    worker = seam.ThreadWorker(0, 0, [], None, 30, config, logging.getLogger("gunicorn.error"))
    worker.tmp.close()   # the heartbeat file gunicorn's arbiter would watch
    connection = seam.TConn(config, ours, ("127.0.0.1", 1), None)
    missing = [f"worker.{name}" for name in seam.WORKER_STATE if not hasattr(worker, name)]
    missing += [f"connection.{name}" for name in seam.CONNECTION_STATE if not hasattr(connection, name)]
    theirs.sendall(b"POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi")
    seam.hand_to_parser(connection, config, b"", ours)
    missing += [f"parser.unreader.{name}" for name in seam.READER_STATE
                if not hasattr(connection.parser.unreader, name)]
    request = next(connection.parser)
    missing += [f"request.{name}" for name in seam.REQUEST_STATE if not hasattr(request, name)]
    assert not missing, f"gunicorn {version('gunicorn')} no longer has {missing}; {ADVICE}"
    assert request._expected_100_continue, "gunicorn no longer marks a request that expects 100-continue"
    seam.skip_repeated_continue(request)
    assert request.body.read() == b"hi"
    setattr(connection, seam.OWN_CONNECTION_MARK, True)   # fails if TConn gained __slots__


def test_bytes_handed_to_the_parser_are_read_before_the_socket(config, socket_pair):
    ours, theirs = socket_pair
    connection = seam.TConn(config, ours, ("127.0.0.1", 1), None)
    theirs.sendall(b"llo")
    seam.hand_to_parser(connection, config, b"GET /he", ours)
    theirs.sendall(b" HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n")
    assert next(connection.parser).path == "/hello"
    assert seam.read_ahead(connection).startswith(b"GET /next HTTP/1.1"), (
        f"gunicorn {version('gunicorn')}'s parser no longer gives back the bytes it read ahead; {ADVICE}")


def test_the_parse_errors_the_answers_name_exist():
    tree = ast.parse((REPO / "backend/serving/error_answers.py").read_text(encoding="utf-8"))
    named = {node.attr for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "errors"}
    assert named, "error_answers.py names none of gunicorn's parse errors"
    gone = sorted(name for name in named if not isinstance(getattr(seam.parse_errors, name, None), type))
    assert not gone, f"gunicorn {version('gunicorn')} has no parse errors named {gone}; {ADVICE}"


def test_only_the_seam_imports_gunicorn():
    importers = []
    for path in (REPO / "backend").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(module.split(".")[0] == "gunicorn" for module in modules):
                importers.append(str(path.relative_to(REPO)))
    assert sorted(set(importers)) == ["backend/serving/gthread_seam.py"]
