"""The document and the service agree on statuses: every status /openapi.json lists for an operation is
produced by a request below, and every status those requests get is listed.

To document a new status, add a producer to PRODUCERS (a request that gets it); until one can be
written, name it in PENDING_PRODUCERS.
"""
from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from harness import exportgen as eg
from harness.encoders import FAILING_FFMPEG
from harness.live_server import LiveServer
from harness.raw_http import (
    concrete_path,
    malformed_chunks_request,
    oversized_request,
    read_response,
    send,
    stalled_request,
    unknown_coding_request,
    unknown_expectation_request,
)
from harness.service import deleting_once_taken, offline_app, post_upload, upload_ok
from harness.small_disk import filled, mounted

pytestmark = pytest.mark.slow

UNKNOWN_SESSION = "00000000-0000-4000-8000-000000000000"
UNKNOWN_JOB = "A" * 22
CROSS_SITE = {"Origin": "https://elsewhere.example"}
TINY_CHART = {"figsize": [3.2, 3.2], "dpi": 100, "top_n": 3}
TINY_RACE = {**TINY_CHART, "interp_steps": 2, "speed_for_bar_animation": 2, "days": 30}
# about 1,100 frames: seconds of work, so a DELETE lands while it renders
LONG_RACE = {"figsize": [6.4, 6.4], "dpi": 100, "days": 1, "interp_steps": 12}
JOB_SECONDS = 120.0   # a tiny race; generous, so a loaded machine does not fail the test

SERVER_READ_TIMEOUT = 2  # REQUEST_READ_TIMEOUT_SECONDS of the live server that answers 408 and 431
# What the Docker image's gunicorn answers every operation itself, and the raw request that gets it.
SERVER_REFUSALS = {400: malformed_chunks_request, 408: stalled_request, 417: unknown_expectation_request,
                   431: oversized_request, 501: unknown_coding_request}
PADDED_BODY = b'{"padding": "' + b"x" * 17 * 1024 + b'"}'   # over MAX_JSON_KB, for any operation

# Documented statuses no request here can produce yet, for every operation, and why. One place only.
PENDING_PRODUCERS: dict[int, str] = {}


class PausedQueue:
    """A job queue that never starts a job, so a job stays queued for as long as a test needs."""

    def submit(self, session_id: str, job_id: str) -> None:
        return None


@dataclass
class World:
    """The apps and sessions the producers use; built once for the module."""
    app: object
    session: str
    no_ffmpeg: object
    failing: object
    failing_session: str
    full: object
    paused: object
    paused_session: str
    deletable: object
    on_small_disk: object = None     # an app whose UPLOAD_DIR is on a tmpfs the 507 producers fill
    small_disk_session: str = ""
    done_job: str = ""
    # (operationId, status) -> the answer of the Docker image's server for each of SERVER_REFUSALS
    server_answers: dict = field(default_factory=dict)
    # operationId -> (method, a concrete path)
    operations: dict = field(default_factory=dict)

    def client(self, app=None):
        return (app or self.app).test_client()


def _upload(app, rows: int = 300) -> str:
    data = eg.extended_zip(eg.extended_rows(eg.make_catalog(), rows, start="2022-01-01", end="2022-03-31"))
    return upload_ok(app.test_client(), data)["session_id"]


@pytest.fixture(scope="module")
def small_disk(tmp_path_factory) -> Iterator[Path]:
    with mounted(tmp_path_factory.mktemp("small-disk") / "disk", 16) as disk:
        yield disk


@pytest.fixture(scope="module")
def world(tmp_path_factory, live_servers, small_disk) -> World:
    def app(name: str, **settings):
        return offline_app(tmp_path_factory.mktemp(name), **{"MAX_FRAMES": 400, **settings})
    failing_ffmpeg = tmp_path_factory.mktemp("bin") / "ffmpeg"
    failing_ffmpeg.write_text(FAILING_FFMPEG)
    failing_ffmpeg.chmod(0o755)
    main, failing, full, paused = app("main"), app("failing", FFMPEG_BIN=str(failing_ffmpeg)), \
        app("full", MAX_SESSIONS=1), app("paused", MAX_JOBS=20, MAX_JOBS_PER_SESSION=20)
    paused.extensions["job_queue"] = PausedQueue()
    _upload(full)
    built = World(main, _upload(main), app("no-ffmpeg", FFMPEG_BIN="/nonexistent/ffmpeg"), failing,
                  _upload(failing), full, paused, _upload(paused), app("deletable", MAX_FRAMES=2000))
    built.on_small_disk = offline_app(small_disk / "sessions")
    built.small_disk_session = _upload(built.on_small_disk)
    ids = {"session_id": UNKNOWN_SESSION, "job_id": UNKNOWN_JOB}
    built.operations = {operation["operationId"]: (method.upper(), concrete_path(path, ids))
                        for path, item in main.test_client().get("/openapi.json").get_json()["paths"].items()
                        for method, operation in item.items()}
    server = live_servers.start(REQUEST_READ_TIMEOUT_SECONDS=SERVER_READ_TIMEOUT)
    built.server_answers = answers_of_the_server(server, built.operations)
    return built


def answers_of_the_server(server: LiveServer, operations: dict) -> dict[tuple[str, int], object]:
    """Every operation's answers from the Docker image's gunicorn itself (SERVER_REFUSALS). All are sent
    at once, so the 408s take one read timeout in all."""
    connections = {(operation_id, status): send(server.url, request(method, path))
                   for operation_id, (method, path) in operations.items()
                   for status, request in SERVER_REFUSALS.items()}
    return {key: read_response(connection) for key, connection in connections.items()}


def finished_job(w: World) -> str:
    """A tiny race job run to done, shared by the download producers."""
    if not w.done_job:
        client = w.client()
        job_id = client.post("/jobs/animation", json={"session_id": w.session, **TINY_RACE}).get_json()["job_id"]
        deadline = time.monotonic() + JOB_SECONDS
        while client.get(f"/jobs/{job_id}").get_json()["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, "the tiny job did not finish"
            time.sleep(0.1)
        assert client.get(f"/jobs/{job_id}").get_json()["state"] == "done"
        w.done_job = job_id
    return w.done_job


def deleted_while_rendering(w: World):
    """A race whose session is deleted once its frames are being encoded."""
    session = _upload(w.deletable)
    upload_dir = w.deletable.extensions["sessions"].root
    answers: list = []
    render = threading.Thread(target=lambda: answers.append(w.client(w.deletable).post(
        "/generate_animation", json={"session_id": session, **LONG_RACE})))
    render.start()
    deadline = time.monotonic() + JOB_SECONDS
    while not any(upload_dir.glob(".work-*")) and render.is_alive():
        assert time.monotonic() < deadline, "the render did not start"
        time.sleep(0.01)
    assert w.client(w.deletable).delete(f"/sessions/{session}").status_code == 200
    render.join(JOB_SECONDS)
    return answers[0]


def many_entries_zip(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for k in range(count):
            archive.writestr(f"f{k}.txt", b"")
    return buffer.getvalue()


def post_json(route: str, where: str = "app", **fields):
    """A producer posting a body with the session of World.<where> (or an unknown one) to route."""
    def produce(w: World):
        session = getattr(w, f"{where}_session", w.session if where == "app" else UNKNOWN_SESSION)
        return w.client(getattr(w, where)).post(route, json={"session_id": session, **fields})
    return produce


def on_a_full_disk(request: Callable[[object, str], object]) -> Callable[[World], object]:
    """`request(client, session)` while the small disk's UPLOAD_DIR has no space left."""
    def produce(w: World):
        with filled(Path(w.on_small_disk.extensions["settings"].upload_dir).parent, 0):
            return request(w.client(w.on_small_disk), w.small_disk_session)
    return produce


def json_producers(route: str, ok_fields: dict) -> dict[int, Callable[[World], object]]:
    """The statuses every JSON route shares."""
    return {
        400: lambda w: w.client().post(route, json={"session_id": w.session, "top_n": "1e1"}),
        403: lambda w: w.client().post(route, json={"session_id": w.session}, headers=CROSS_SITE),
        404: lambda w: w.client().post(route, json={"session_id": UNKNOWN_SESSION, **ok_fields}),
        413: lambda w: w.client().post(route, json={"session_id": w.session, "padding": "x" * 17 * 1024}),
        422: lambda w: w.client().post(route, json={"session_id": w.session, "figsize": [50, 50], "dpi": 100}),
    }


def video(w: World, **headers):
    return w.client().get(f"/jobs/{finished_job(w)}/video", headers=headers)


def not_modified(w: World):
    with video(w) as first:
        etag = first.headers["ETag"]
    return video(w, **{"If-None-Match": etag})


def queued_job(w: World) -> str:
    return w.client(w.paused).post("/jobs/animation", json={"session_id": w.paused_session, **TINY_RACE}) \
        .get_json()["job_id"]


def deleted_once_taken(request: Callable[[object, str], object]) -> Callable[[World], object]:
    """`request(client, session)` on a session that a DELETE removes as soon as the request takes it in use."""
    def produce(w: World):
        store, session = w.deletable.extensions["sessions"], _upload(w.deletable, 50)
        store.using = deleting_once_taken(store)
        try:
            return request(w.client(w.deletable), session)
        finally:
            del store.using
    return produce


def padded(w: World, operation: str):
    method, path = w.operations[operation]
    return w.client().open(path, method=method, data=PADDED_BODY, content_type="application/json")


def with_common_answers(producers: dict[str, dict[int, Callable[[World], object]]]):
    """Each operation's producers plus what every operation can answer: a body over MAX_JSON_KB (413, unless
    the operation has its own), and what the server itself refuses (400 unless the operation has its own)."""
    def server_answer(operation: str, status: int) -> Callable[[World], object]:
        return lambda w: w.server_answers[operation, status]
    return {operation: {**{status: server_answer(operation, status) for status in SERVER_REFUSALS},
                        413: lambda w, operation=operation: padded(w, operation), **own,
                        **{status: server_answer(operation, status) for status in set(SERVER_REFUSALS) - {400}}}
            for operation, own in producers.items()}


PRODUCERS: dict[str, dict[int, Callable[[World], object]]] = with_common_answers({
    "process_upload": {
        200: lambda w: post_upload(w.client(), eg.extended_zip(eg.extended_rows(eg.make_catalog(), 50))),
        400: lambda w: w.client().post("/process", data={}),
        403: lambda w: w.client().post("/process", data={}, headers=CROSS_SITE),
        413: lambda w: post_upload(w.client(), many_entries_zip(2001)),
        422: lambda w: post_upload(w.client(), b'[{"song": "not history"}]', "notes.json"),
        503: lambda w: post_upload(w.client(w.full), eg.extended_zip(eg.extended_rows(eg.make_catalog(), 50))),
        507: on_a_full_disk(lambda client, _session: post_upload(
            client, eg.extended_zip(eg.extended_rows(eg.make_catalog(), 50)))),
    },
    "add_session_upload": {
        200: lambda w: post_upload(w.client(), eg.extended_zip(eg.extended_rows(eg.make_catalog(), 50)),
                                   url=f"/sessions/{_upload(w.app, 50)}/uploads"),
        400: lambda w: post_upload(w.client(), b"[]", url="/sessions/not-a-session/uploads"),
        403: lambda w: w.client().post(f"/sessions/{w.session}/uploads", data={}, headers=CROSS_SITE),
        404: lambda w: post_upload(w.client(), b"[]", url=f"/sessions/{UNKNOWN_SESSION}/uploads"),
        410: deleted_once_taken(lambda client, session: post_upload(
            client, b"uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n1612101900,,A,,B,,C,\n",
            "scrobbles.csv", url=f"/sessions/{session}/uploads")),
        413: lambda w: post_upload(w.client(), many_entries_zip(2001), url=f"/sessions/{w.session}/uploads"),
        507: on_a_full_disk(lambda client, session: post_upload(
            client, eg.extended_zip(eg.extended_rows(eg.make_catalog(), 50)), url=f"/sessions/{session}/uploads")),
        422: lambda w: post_upload(w.client(), b'[{"song": "not history"}]', "notes.json",
                                   url=f"/sessions/{w.session}/uploads"),
    },
    "generate_image": {
        200: post_json("/generate_image", **TINY_CHART),
        **json_producers("/generate_image", TINY_CHART),
        410: deleted_once_taken(lambda client, session: client.post("/generate_image",
                                                                    json={"session_id": session, **TINY_CHART})),
    },
    "generate_wrapped": {
        200: post_json("/generate_wrapped", format="square"),
        400: post_json("/generate_wrapped", year=2022, start_date="2022-01-01"),
        403: lambda w: w.client().post("/generate_wrapped", json={"session_id": w.session}, headers=CROSS_SITE),
        404: lambda w: w.client().post("/generate_wrapped", json={"session_id": UNKNOWN_SESSION}),
        413: lambda w: w.client().post("/generate_wrapped", json={"session_id": w.session,
                                                                  "padding": "x" * 17 * 1024}),
        410: deleted_once_taken(lambda client, session: client.post("/generate_wrapped",
                                                                    json={"session_id": session, "format": "square"})),
        422: post_json("/generate_wrapped", year=2099),
    },
    "generate_animation": {
        200: post_json("/generate_animation", **TINY_RACE),
        **json_producers("/generate_animation", TINY_RACE),
        410: deleted_while_rendering,
        500: post_json("/generate_animation", "failing", **TINY_RACE),
        503: post_json("/generate_animation", "no_ffmpeg", **TINY_RACE),
        507: on_a_full_disk(lambda client, session: client.post("/generate_animation",
                                                                json={"session_id": session, **TINY_RACE})),
    },
    "start_animation_job": {
        202: post_json("/jobs/animation", "paused", **TINY_RACE),
        **json_producers("/jobs/animation", TINY_RACE),
        410: deleted_once_taken(lambda client, session: client.post("/jobs/animation",
                                                                    json={"session_id": session, **TINY_RACE})),
        503: post_json("/jobs/animation", "no_ffmpeg", **TINY_RACE),
        507: on_a_full_disk(lambda client, session: client.post("/jobs/animation",
                                                                json={"session_id": session, **TINY_RACE})),
    },
    "show_job": {
        200: lambda w: w.client(w.paused).get(f"/jobs/{queued_job(w)}"),
        400: lambda w: w.client().get("/jobs/not-a-job"),
        404: lambda w: w.client().get(f"/jobs/{UNKNOWN_JOB}"),
    },
    "delete_job": {
        200: lambda w: w.client(w.paused).delete(f"/jobs/{queued_job(w)}"),
        400: lambda w: w.client().delete("/jobs/not-a-job"),
        403: lambda w: w.client().delete(f"/jobs/{UNKNOWN_JOB}", headers=CROSS_SITE),
        404: lambda w: w.client().delete(f"/jobs/{UNKNOWN_JOB}"),
    },
    "download_job_video": {
        200: video,
        206: lambda w: video(w, Range="bytes=0-99"),
        304: not_modified,
        400: lambda w: w.client().get("/jobs/not-a-job/video"),
        404: lambda w: w.client().get(f"/jobs/{UNKNOWN_JOB}/video"),
        409: lambda w: w.client(w.paused).get(f"/jobs/{queued_job(w)}/video"),
        416: lambda w: video(w, Range="bytes=100000000-"),
    },
    "show_stats": {
        200: lambda w: w.client().get(f"/sessions/{w.session}/stats?timezone=Europe/Berlin"),
        400: lambda w: w.client().get(f"/sessions/{w.session}/stats?count_short_plays=maybe"),
        404: lambda w: w.client().get(f"/sessions/{UNKNOWN_SESSION}/stats"),
        410: deleted_once_taken(lambda client, session: client.get(f"/sessions/{session}/stats")),
        422: lambda w: w.client().get(f"/sessions/{w.session}/stats?start_date=2099-01-01&end_date=2099-01-02"),
    },
    "show_session": {
        200: lambda w: w.client().get(f"/sessions/{w.session}"),
        400: lambda w: w.client().get("/sessions/not-a-session"),
        404: lambda w: w.client().get(f"/sessions/{UNKNOWN_SESSION}"),
        410: deleted_once_taken(lambda client, session: client.get(f"/sessions/{session}")),
    },
    "delete_session": {
        200: lambda w: w.client().delete(f"/sessions/{_upload(w.app, 50)}"),
        400: lambda w: w.client().delete("/sessions/not-a-session"),
        403: lambda w: w.client().delete(f"/sessions/{w.session}", headers=CROSS_SITE),
        404: lambda w: w.client().delete(f"/sessions/{UNKNOWN_SESSION}"),
    },
    "show_filters": {
        200: lambda w: w.client().get(f"/sessions/{w.session}/filters"),
        400: lambda w: w.client().get("/sessions/not-a-session/filters"),
        404: lambda w: w.client().get(f"/sessions/{UNKNOWN_SESSION}/filters"),
        410: deleted_once_taken(lambda client, session: client.get(f"/sessions/{session}/filters")),
    },
    "replace_filters": {
        200: lambda w: w.client().put(f"/sessions/{w.session}/filters", json={"exclude_artists": ["Nobody"]}),
        400: lambda w: w.client().put(f"/sessions/{w.session}/filters", json={"exclude_artist": []}),
        403: lambda w: w.client().put(f"/sessions/{w.session}/filters", json={}, headers=CROSS_SITE),
        404: lambda w: w.client().put(f"/sessions/{UNKNOWN_SESSION}/filters", json={}),
        410: deleted_once_taken(lambda client, session: client.put(f"/sessions/{session}/filters", json={})),
        413: lambda w: w.client().put(f"/sessions/{w.session}/filters", json={"exclude_artists": ["A"] * 1001}),
        507: on_a_full_disk(lambda client, session: client.put(f"/sessions/{session}/filters",
                                                               json={"exclude_artists": ["Nobody"]})),
    },
    "clear_filters": {
        200: lambda w: w.client().delete(f"/sessions/{w.session}/filters"),
        400: lambda w: w.client().delete("/sessions/not-a-session/filters"),
        403: lambda w: w.client().delete(f"/sessions/{w.session}/filters", headers=CROSS_SITE),
        404: lambda w: w.client().delete(f"/sessions/{UNKNOWN_SESSION}/filters"),
        410: deleted_once_taken(lambda client, session: client.delete(f"/sessions/{session}/filters")),
    },
    "show_repeats": {
        200: lambda w: w.client().get(f"/sessions/{w.session}/repeats?timezone=Europe/Berlin&min_plays=2"),
        400: lambda w: w.client().get(f"/sessions/{w.session}/repeats?min_plays=1"),
        404: lambda w: w.client().get(f"/sessions/{UNKNOWN_SESSION}/repeats"),
        410: deleted_once_taken(lambda client, session: client.get(f"/sessions/{session}/repeats")),
    },
    "health": {
        200: lambda w: w.client().get("/health"),
        503: lambda w: w.client(w.no_ffmpeg).get("/health"),
    },
})


@pytest.fixture(scope="module")
def document(world) -> dict:
    return world.client().get("/openapi.json").get_json()


@pytest.fixture(scope="module")
def documented(document) -> dict[str, dict[int, dict]]:
    """operationId -> status -> the documented answer."""
    return {operation["operationId"]: {int(status): answer for status, answer in operation["responses"].items()}
            for item in document["paths"].values() for operation in item.values()}


def assert_matches_schema(body: object, schema: dict, document: dict) -> None:
    """`body` is valid under the documented schema, its $refs resolved in the document's components."""
    Draft202012Validator({**schema, "components": document["components"]}).validate(body)


def test_every_documented_status_has_a_producer_or_is_pending(documented):
    assert set(documented) == set(PRODUCERS)
    for operation, answers in documented.items():
        produced = set(PRODUCERS[operation])
        assert not produced & set(PENDING_PRODUCERS), operation
        assert set(answers) == produced | set(PENDING_PRODUCERS), operation


@pytest.mark.parametrize("operation, status", [(operation, status) for operation, producers in PRODUCERS.items()
                                               for status in producers])
def test_each_producer_gets_its_documented_status_and_shape(world, document, documented, operation, status):
    with PRODUCERS[operation][status](world) as response:
        assert response.status_code == status, response.get_data(as_text=True)[:300]
        answer = documented[operation][status]
        # Retry-After comes only when capacity is the reason (documented as such)
        for header in set(answer.get("headers", {})) - {"Retry-After"}:
            assert response.headers.get(header), (operation, status, header)
        if operation == "process_upload" and status == 503:
            assert response.headers["Retry-After"] == "60"
        content = answer.get("content", {})
        if not content:
            assert response.data == b""
            return
        assert response.mimetype in content, (operation, status, response.mimetype)
        if response.mimetype == "application/json":
            assert_matches_schema(response.get_json(), content["application/json"]["schema"], document)
        if status >= 400 and operation != "health":
            assert response.get_json()["error"]
