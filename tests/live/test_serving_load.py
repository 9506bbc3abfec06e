"""A real gunicorn (the Dockerfile's workers and threads) under concurrent load.

Capacity holds across worker processes, every answer belongs to its own session, session cleanup
racing the requests breaks none of them, and the server's log names no one.
"""
from __future__ import annotations

import base64
import fcntl
import math
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import pytest
import requests

from backend.services.sessions.cleanup import cleanup_old_sessions
from harness import exportgen as eg
from harness.live_server import CleanupLoop, LiveServer, LiveServers

pytestmark = pytest.mark.slow

MAX_SESSIONS = 5
UPLOADS = 10
SMALL = {"figsize": [3.2, 4.0], "dpi": 100}
SMALL_RACE = {**SMALL, "days": 60, "interp_steps": 2, "speed_for_bar_animation": 5}
CHARTS = [(attribute, metric) for attribute in ("artist_name", "track_name", "album_name")
          for metric in ("Streams", "duration_ms")]
TIMEOUT = 120
Result = TypeVar("Result")


@dataclass(frozen=True)
class Export:
    rows: list[dict]
    data: bytes
    first: date
    last: date


def listeners() -> list[Export]:
    """Ten different listeners: own catalog, seed and years, so each answer shows whose data it drew."""
    exports = []
    for k in range(UPLOADS):
        rows = eg.extended_rows(eg.make_catalog(seed=k + 1, artists=30 + 8 * k), 2500, seed=k + 1,
                                start=f"{2010 + k}-01-01", end=f"{2011 + k}-06-30")
        days = sorted(r["ts"][:10] for r in rows)
        exports.append(Export(rows, eg.extended_zip(rows), date.fromisoformat(days[0]),
                              date.fromisoformat(days[-1])))
    return exports


def at_once(calls: list[Callable[[], Result]]) -> list[Result]:
    """Run every call in its own thread, all released together; results in the order of calls."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Result]) -> Result:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


class ClientWaiting:
    """A shared lock on a session from before a request is sent until its answer has arrived.

    With a TTL of 0 every session is expired the instant no request holds it, including while a
    request waits in gunicorn's queue for a free thread (before the server can lock anything).
    This lock stands in for the real TTL's protection between requests; the server's own lock on
    a request it runs is proved without it in test_serving_long_renders.py.
    """

    def __init__(self, server: LiveServer, session_id: str):
        self._handle = open(server.upload_dir / f"{session_id}.lock", "a+")  # noqa: SIM115 (held until close())
        fcntl.flock(self._handle, fcntl.LOCK_SH)

    def done(self) -> None:
        self._handle.close()


@pytest.fixture(scope="module")
def server(live_servers: LiveServers) -> LiveServer:
    return live_servers.start(MAX_SESSIONS=MAX_SESSIONS)


@pytest.fixture(scope="module")
def uploads(server) -> list[tuple[Export, requests.Response]]:
    exports = listeners()

    def upload(export: Export) -> Callable[[], requests.Response]:
        return lambda: requests.post(f"{server.url}/process", files={"file": ("my_spotify_data.zip", export.data)},
                                     timeout=TIMEOUT)

    return list(zip(exports, at_once([upload(export) for export in exports])))


def stored_sessions(uploads: list[tuple[Export, requests.Response]]) -> dict[str, Export]:
    return {response.json()["session_id"]: export for export, response in uploads if response.status_code == 200}


def test_ten_uploads_at_once_admit_exactly_max_sessions(server, uploads):
    statuses = sorted(response.status_code for _, response in uploads)
    assert statuses == [200] * MAX_SESSIONS + [503] * (UPLOADS - MAX_SESSIONS), [r.text for _, r in uploads]
    for export, response in uploads:
        if response.status_code == 503:
            assert response.headers["Retry-After"] == "60"
            assert "busy" in response.json()["error"]
        else:
            assert response.json()["data_min_date"] == export.first.isoformat()
    assert sorted(p.name for p in server.upload_dir.glob("*.duckdb")) == \
        sorted(f"{session_id}.duckdb" for session_id in stored_sessions(uploads))


def chart_call(server: LiveServer, session_id: str, export: Export, k: int) -> Callable[[], None]:
    attribute, metric = CHARTS[k % len(CHARTS)]
    top_n = 3 + k % 8
    waiting = ClientWaiting(server, session_id)

    def call() -> None:
        try:
            response = requests.post(f"{server.url}/generate_image", timeout=TIMEOUT, json={
                "session_id": session_id, "selected_attribute": attribute, "analysis_metric": metric,
                "top_n": top_n, **SMALL})
        finally:
            waiting.done()
        assert response.status_code == 200, response.text
        body = response.json()
        expected = eg.expected_top(export.rows, attribute, metric, top_n)
        assert [(item["name"], item.get("artist")) for item in body["items"]] == \
            [(name, artist) for name, artist, _ in expected]
        assert [item["value"] for item in body["items"]] == \
            pytest.approx([value for _, _, value in expected], abs=0.01)
        assert (body["start_date"], body["end_date"]) == (export.first.isoformat(), export.last.isoformat())
    return call


def race_call(server: LiveServer, session_id: str, export: Export) -> Callable[[], None]:
    waiting = ClientWaiting(server, session_id)

    def call() -> None:
        try:
            response = requests.post(f"{server.url}/generate_animation", timeout=TIMEOUT,
                                     json={"session_id": session_id, **SMALL_RACE})
        finally:
            waiting.done()
        assert response.status_code == 200, response.text
        body = response.json()
        keyframes = math.ceil((export.last - export.first).days / SMALL_RACE["days"]) + 1
        fps = SMALL_RACE["speed_for_bar_animation"]
        assert body["frames"] == (keyframes - 1) * SMALL_RACE["interp_steps"] + 1 + 2 * fps
        assert body["filename"] == f"race_top10_artist_name_streams_{export.first}_{export.last}.mp4"
        assert base64.b64decode(body["video"])[4:8] == b"ftyp"
    return call


def test_renders_at_once_each_answer_their_own_session_while_cleanup_runs(server, uploads):
    sessions = stored_sessions(uploads)
    assert len(sessions) == MAX_SESSIONS
    ids = sorted(sessions)
    calls = [chart_call(server, ids[k % len(ids)], sessions[ids[k % len(ids)]], k) for k in range(20)]
    calls += [race_call(server, session_id, sessions[session_id]) for session_id in ids[:4]]
    cleanup = CleanupLoop(server.upload_dir, MAX_SESSIONS)
    with cleanup.running():
        at_once(calls)  # each call asserts its own answer
    assert cleanup.kept_in_use > 0
    # the loop was real: with no request left, a TTL of 0 removes every session
    removed = set(cleanup.removed) | set(cleanup_old_sessions(cleanup.store))
    assert removed == set(ids)
    assert not list(server.upload_dir.glob("*.duckdb"))


def test_server_log_names_no_one(server, uploads):
    log = server.log_text()
    assert "POST /process 200" in log and "POST /process 503" in log
    secrets = set(stored_sessions(uploads))
    for export, _ in uploads:
        secrets |= {name for name in eg.names_in(export.rows) if len(name) >= 4}
    assert [secret for secret in secrets if secret in log] == []
