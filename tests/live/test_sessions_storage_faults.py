"""SESSION_STORE=s3 against a real S3 server (SeaweedFS) when things go wrong or time passes: an unreachable,
silent or refusing store answers 503 with Retry-After (and /health names it) within a bounded wait; a missing
or damaged object answers 404/410; objects are private; sessions expire by idleness wherever they are cached;
MAX_SESSIONS counts every machine's sessions. Each "machine" is an app on an UPLOAD_DIR of its own."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from backend.services.sessions import cleanup_old_sessions
from harness import exportgen as eg
from harness.live_server import REPO, free_port
from harness.object_store import ACCESS_KEY, SECRET_KEY, s3_server
from harness.service import offline_app, post_upload, upload_ok
from harness.waiting import eventually

pytestmark = pytest.mark.slow
TIMEOUT = 0.5
TTL = 3
UNAVAILABLE = {"error": "Session storage is unavailable; try again in a minute."}
NOT_FOUND = {"error": "Unknown or expired session; upload your export again with POST /process."}


@pytest.fixture(scope="module")
def s3(tmp_path_factory) -> Iterator:
    with pytest.MonkeyPatch.context() as patch, s3_server(tmp_path_factory.mktemp("s3")) as server:
        patch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        patch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        yield server


@pytest.fixture(scope="module")
def export() -> bytes:
    return eg.extended_zip(eg.extended_rows(eg.make_catalog(), 1500, start="2022-01-01", end="2022-12-31"))


def machine(tmp_path, s3, name: str, **settings):
    """A web machine on its own folder; `settings` override the bucket's."""
    store = {key: value for key, value in s3.settings(f"{tmp_path.name}/").items() if not key.startswith("AWS")}
    folder = tmp_path / name
    folder.mkdir()
    return offline_app(folder, **{"S3_TIMEOUT_SECONDS": TIMEOUT, **store, **settings}).test_client()


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers: a store that hangs."""
    listener = socket.create_server(("127.0.0.1", free_port()))
    held, stop = [], threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def assert_unavailable(response) -> None:
    assert response.status_code == 503 and response.get_json() == UNAVAILABLE
    assert response.headers["Retry-After"] == "30"


@pytest.mark.parametrize("state", ["unreachable", "silent"])
def test_a_store_that_is_away_or_hangs_answers_503_within_a_bounded_wait(tmp_path, s3, export, state):
    closed = f"http://127.0.0.1:{free_port()}"
    with silent_server() as silent:
        client = machine(tmp_path, s3, "m", S3_ENDPOINT_URL=silent if state == "silent" else closed)
        started = time.monotonic()
        health = client.get("/health")
        assert health.status_code == 503
        assert (health.get_json()["status"], health.get_json()["storage"]) == ("degraded", "unreachable")
        assert_unavailable(client.get(f"/sessions/{uuid.uuid4()}/stats"))
        assert_unavailable(post_upload(client, export))
        # two attempts of connect and read timeouts each, for three calls: far below a hang
        assert time.monotonic() - started < 30


def test_health_names_wrong_credentials_and_a_missing_bucket(tmp_path, s3, monkeypatch):
    assert machine(tmp_path, s3, "ok").get("/health").get_json()["storage"] == "ok"
    missing = machine(tmp_path, s3, "missing", S3_BUCKET="no-such-bucket").get("/health")
    assert missing.status_code == 503 and missing.get_json()["storage"] == "missing bucket"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    refused = machine(tmp_path, s3, "refused")
    assert refused.get("/health").get_json()["storage"] == "wrong credentials"
    assert_unavailable(refused.get(f"/sessions/{uuid.uuid4()}"))


def test_a_missing_or_damaged_object_is_a_404_or_410(tmp_path, s3, export):
    client = machine(tmp_path, s3, "m")
    session = upload_ok(client, export)["session_id"]
    s3.client().put_object(Bucket=s3.bucket, Key=f"{tmp_path.name}/{session}/session.duckdb", Body=b"not duckdb")
    damaged = client.get(f"/sessions/{session}/stats")
    assert damaged.status_code == 410
    assert damaged.get_json() == {"error": "The session's stored data is damaged; upload your export again with "
                                           "POST /process."}
    s3.client().delete_object(Bucket=s3.bucket, Key=f"{tmp_path.name}/{session}/session.duckdb")
    missing = client.post("/generate_image", json={"session_id": session})
    assert missing.status_code == 404 and missing.get_json() == NOT_FOUND


def test_objects_are_private(tmp_path, s3, export):
    client = machine(tmp_path, s3, "m")
    session = upload_ok(client, export)["session_id"]
    anonymous = requests.get(f"{s3.endpoint}/{s3.bucket}/{tmp_path.name}/{session}/session.duckdb", timeout=10)
    assert anonymous.status_code == 403
    assert b"SQLite" not in anonymous.content and len(anonymous.content) < 1000


def test_idle_sessions_expire_from_the_bucket_and_every_cache(tmp_path, s3, export):
    a = machine(tmp_path, s3, "a", SESSION_TTL_SECONDS=TTL)
    b = machine(tmp_path, s3, "b", SESSION_TTL_SECONDS=TTL)
    idle, used = (upload_ok(a, export)["session_id"] for _ in range(2))
    for client in (a, b):
        for session in (idle, used):
            assert client.post("/generate_image", json={"session_id": session}).status_code == 200
    last_use = time.monotonic()
    stores = [client.application.extensions["sessions"] for client in (a, b)]
    # The store's clock counts whole seconds: idle for TTL + 1.2 s is past the TTL whatever the rounding;
    # used again 1.5 s before the cleanup, it is within it.
    time.sleep(TTL - 0.3)
    b.get(f"/sessions/{used}")  # by another machine than the one that cleans up
    time.sleep(max(0.0, last_use + TTL + 1.2 - time.monotonic()))
    assert cleanup_old_sessions(stores[0]) == [idle]
    assert s3.keys(f"{tmp_path.name}/{idle}") == []
    assert s3.keys(f"{tmp_path.name}/{used}") != []
    cleanup_old_sessions(stores[1])
    for store in stores:
        assert store.cache.copies(idle) == []
        assert len(store.cache.copies(used)) == 1
    assert b.get(f"/sessions/{idle}").get_json() == NOT_FOUND


def test_max_sessions_counts_every_machines_sessions(tmp_path, s3, export):
    a = machine(tmp_path, s3, "a", MAX_SESSIONS=2)
    b = machine(tmp_path, s3, "b", MAX_SESSIONS=2)
    first = upload_ok(a, export)["session_id"]
    upload_ok(b, export)
    refused = post_upload(a, export)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "60"
    assert refused.get_json() == {"error": "The server is busy with 2 sessions; try again in a minute."}
    assert b.delete(f"/sessions/{first}").status_code == 200
    upload_ok(a, export)
    assert not any("/.reservations/" in key for key in s3.keys(f"{tmp_path.name}/"))


def test_a_warm_machine_draws_without_fetching_the_session_again(tmp_path, s3, export):
    a, b = machine(tmp_path, s3, "a"), machine(tmp_path, s3, "b")
    session = upload_ok(a, export)["session_id"]
    calls: list[str] = []
    events = b.application.extensions["sessions"].objects.client.meta.events
    events.register("before-call.s3", lambda model, **_: calls.append(model.name))
    charts = [b.post("/generate_image", json={"session_id": session, "top_n": 5}) for _ in range(3)]
    assert [chart.status_code for chart in charts] == [200, 200, 200]
    assert charts[0].data == charts[1].data == charts[2].data
    assert calls.count("GetObject") == 1  # the cold chart's; the warm ones only ask for the ETag
    assert calls.count("HeadObject") == 6  # per chart: the session's data and the filters kept with it


def test_a_new_version_published_on_one_machine_is_what_every_machine_reads(tmp_path, s3, export):
    a, b = machine(tmp_path, s3, "a"), machine(tmp_path, s3, "b")
    session, other = (upload_ok(a, data)["session_id"] for data in (export, _smaller_export()))
    expected = b.get(f"/sessions/{other}/stats").get_json()
    assert b.get(f"/sessions/{session}/stats").get_json() != expected  # B holds the first version now
    store_a, store_b = (client.application.extensions["sessions"] for client in (a, b))
    version = tmp_path / "version.duckdb"
    s3.client().download_file(s3.bucket, f"{tmp_path.name}/{other}/session.duckdb", str(version))
    store_a.publish(session, version)
    assert b.get(f"/sessions/{session}/stats").get_json() == expected
    assert len(store_b.cache.copies(session)) == 1  # the old version's copy went


def test_what_is_kept_with_a_session_goes_with_it(tmp_path, s3, export):
    a, b = machine(tmp_path, s3, "a"), machine(tmp_path, s3, "b")
    session = upload_ok(a, export)["session_id"]
    a.application.extensions["sessions"].write_extra(session, "filters.json", b'{"hidden": []}')
    assert b.application.extensions["sessions"].read_extra(session, "filters.json") == b'{"hidden": []}'
    assert f"{tmp_path.name}/{session}/filters.json" in s3.keys(f"{tmp_path.name}/{session}/")
    assert b.delete(f"/sessions/{session}").status_code == 200
    assert s3.keys(f"{tmp_path.name}/{session}") == []


def test_a_machines_copies_stay_within_session_cache_mb(tmp_path, s3, export):
    a = machine(tmp_path, s3, "a")
    sessions = [upload_ok(a, export)["session_id"] for _ in range(3)]
    size = s3.client().head_object(Bucket=s3.bucket, Key=f"{tmp_path.name}/{sessions[0]}/session.duckdb")[
        "ContentLength"]
    b = machine(tmp_path, s3, "b", SESSION_CACHE_MB=2.5 * size / 2**20)  # room for two copies
    for session in sessions:
        assert b.post("/generate_image", json={"session_id": session}).status_code == 200
    cache = b.application.extensions["sessions"].cache
    assert sorted(path.name.split(".")[0] for path in cache.copies()) == sorted(sessions[1:])  # LRU went


def _smaller_export() -> bytes:
    return eg.extended_zip(eg.extended_rows(eg.make_catalog(seed=2), 800, start="2021-01-01", end="2021-12-31"))


UPLOADER = """
import sys
from pathlib import Path
from boto3.s3.transfer import TransferConfig
from backend.core.settings import load_settings
from backend.services.sessions.objects import ObjectStore
objects = ObjectStore(load_settings())
objects.transfer = TransferConfig(multipart_threshold=5 * 2**20, multipart_chunksize=5 * 2**20, use_threads=False)
objects.upload(Path(sys.argv[1]), sys.argv[2])
"""


def test_a_process_killed_mid_upload_leaves_no_object_visible(tmp_path, s3):
    """The publishing upload itself killed (kill -9) while its parts go up: the object never appears. The
    uploader is the service's own ObjectStore, with parts small enough that a 60 MB file takes a dozen."""
    source = tmp_path / "session.duckdb"
    source.write_bytes(bytes(range(256)) * (60 * 2**20 // 256))
    name = f"{uuid.uuid4()}/session.duckdb"
    env = {**os.environ, **s3.settings(f"{tmp_path.name}/"), "PYTHONPATH": str(REPO)}
    uploader = subprocess.Popen([sys.executable, "-c", UPLOADER, str(source), name], cwd=REPO, env=env)
    key = f"{tmp_path.name}/{name}"
    client = s3.client()

    def parts_going_up() -> bool:
        uploads = client.list_multipart_uploads(Bucket=s3.bucket, Prefix=key).get("Uploads", [])
        return any(client.list_parts(Bucket=s3.bucket, Key=key, UploadId=u["UploadId"]).get("Parts")
                   for u in uploads)

    try:
        assert eventually(parts_going_up, 60)
    finally:
        uploader.send_signal(signal.SIGKILL)
        uploader.wait()
    assert uploader.returncode == -signal.SIGKILL
    unfinished = client.list_multipart_uploads(Bucket=s3.bucket, Prefix=key).get("Uploads", [])
    assert len(unfinished) == 1  # still unfinished: the kill came mid-upload, as the test means it to
    assert s3.keys(f"{tmp_path.name}/") == []
    # what a bucket lifecycle rule (AbortIncompleteMultipartUpload, docs/deploy.md) removes in a real bucket
    client.abort_multipart_upload(Bucket=s3.bucket, Key=key, UploadId=unfinished[0]["UploadId"])


def test_the_service_starts_with_its_storage_away_and_says_so(tmp_path, s3):
    """`python -m backend.app` (which cleans up at start, unlike the tests' apps) with a store nobody answers."""
    port = free_port()
    env = {**os.environ, **s3.settings(f"{tmp_path.name}/"), "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
           "S3_TIMEOUT_SECONDS": str(TIMEOUT), "UPLOAD_DIR": str(tmp_path / "sessions"), "PORT": str(port),
           "ARTWORK_SOURCES": "none", "SUPABASE_URL": "", "SUPABASE_KEY": ""}
    with open(tmp_path / "server.log", "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "backend.app"], cwd=REPO, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    try:
        answers = []

        def answered() -> bool:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                answers.append(requests.get(f"http://127.0.0.1:{port}/health", timeout=10))
            except requests.ConnectionError:
                return False
            return True

        assert eventually(answered, 60)
        assert answers[-1].status_code == 503
        assert (answers[-1].json()["status"], answers[-1].json()["storage"]) == ("degraded", "unreachable")
    finally:
        server.terminate()
        server.wait(10)
