"""Sessions: summary and deletion, TTL cleanup that never removes a session in use, capacity."""
from __future__ import annotations

import os
import threading
import time

from backend.app import create_app
from backend.services.sessions import SessionStore
from backend.services.system import cleanup_old_sessions
from tests import exportgen as eg
from tests.conftest import post_upload, upload_ok

EXPORT = eg.extended_zip(eg.extended_rows(eg.make_catalog(), 600, start="2022-01-01", end="2022-12-31"))


def age(store: SessionStore, session_id: str, seconds: float) -> None:
    path = store.db_path(session_id)
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_get_session_returns_the_upload_summary(client):
    body = upload_ok(client, EXPORT)
    response = client.get(f"/sessions/{body['session_id']}")
    assert response.status_code == 200
    assert response.get_json()["summary"] == body["summary"]


def test_delete_session_removes_every_file(client, upload_dir):
    session_id = upload_ok(client, EXPORT)["session_id"]
    other = upload_ok(client, EXPORT)["session_id"]
    assert client.delete(f"/sessions/{session_id}").status_code == 200
    assert not [p for p in upload_dir.iterdir() if session_id in p.name]
    assert client.post("/generate_image", json={"session_id": session_id}).status_code == 404
    assert client.post("/generate_image", json={"session_id": other}).status_code == 200
    assert client.delete(f"/sessions/{session_id}").status_code == 404


def test_cleanup_removes_expired_sessions_only(app, client):
    store = app.extensions["sessions"]
    old, fresh = upload_ok(client, EXPORT)["session_id"], upload_ok(client, EXPORT)["session_id"]
    age(store, old, store.ttl_seconds + 10)
    assert cleanup_old_sessions(store) == [old]
    assert store.live_ids() == [fresh]


def test_cleanup_never_removes_a_session_in_use(app, client):
    store = app.extensions["sessions"]
    session_id = upload_ok(client, EXPORT)["session_id"]
    entered, release = threading.Event(), threading.Event()

    def hold_session():
        with store.using(session_id):
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=hold_session)
    worker.start()
    entered.wait(5)
    age(store, session_id, store.ttl_seconds + 10)
    assert cleanup_old_sessions(store) == []
    release.set()
    worker.join()
    # using() refreshed the session's clock, so it is not expired right after the request either
    assert cleanup_old_sessions(store) == []
    assert store.live_ids() == [session_id]


def test_requests_keep_a_session_alive(app, client):
    store = app.extensions["sessions"]
    session_id = upload_ok(client, EXPORT)["session_id"]
    age(store, session_id, store.ttl_seconds - 5)
    assert client.post("/generate_image", json={"session_id": session_id}).status_code == 200
    assert cleanup_old_sessions(store, now=time.time() + 10) == []


def test_expired_sessions_free_capacity(upload_dir):
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_SESSIONS": 1})
    client, store = app.test_client(), app.extensions["sessions"]
    first = upload_ok(client, EXPORT)["session_id"]
    assert post_upload(client, EXPORT).status_code == 503
    age(store, first, store.ttl_seconds + 1)
    assert upload_ok(client, EXPORT)["session_id"] != first


def test_concurrent_uploads_never_exceed_max_sessions(upload_dir):
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_SESSIONS": 3})
    statuses: list[int] = []

    def upload():
        statuses.append(post_upload(app.test_client(), EXPORT).status_code)

    threads = [threading.Thread(target=upload) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 3 + [503] * 5
    assert len(list(upload_dir.glob("*.duckdb"))) == 3
