"""Sessions: summary and deletion, TTL cleanup that never removes a session in use, capacity."""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time

import pytest

from backend.app import create_app
from backend.services.sessions import TooManySessions
from backend.services.sessions.cleanup import cleanup_old_sessions
from backend.services.sessions.store import SessionStore, is_locked
from harness import exportgen as eg
from harness.service import deleting_once_taken, post_upload, upload_ok

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


def test_a_session_published_while_capacity_is_counted_is_never_missed(upload_dir, monkeypatch):
    """An ingest publishes its file, then releases its slot, without the store lock: one that does
    both between reserve()'s two counts must still count (it was missed when files were counted first)."""
    store = SessionStore(upload_dir, max_sessions=1, ttl_seconds=60)
    with contextlib.ExitStack() as ingest:
        session_id = ingest.enter_context(store.reserve())
        count_files = store.live_ids

        def ingest_finishes_meanwhile() -> list[str]:
            found = count_files()
            store.db_path(session_id).touch()
            ingest.close()
            return found

        monkeypatch.setattr(store, "live_ids", ingest_finishes_meanwhile)
        with pytest.raises(TooManySessions), store.reserve():
            pass


def test_scratch_of_a_dead_process_is_removed_and_a_live_one_kept(upload_dir):
    store = SessionStore(upload_dir, max_sessions=1, ttl_seconds=60)
    abandoned = upload_dir / ".work-abandoned"  # what a killed worker leaves: no lock on it any more
    (abandoned / "upload").mkdir(parents=True)
    with store.scratch() as live:
        (live / "session.duckdb").write_bytes(b"partial")
        assert cleanup_old_sessions(store) == []
        assert not abandoned.exists()
        assert (live / "session.duckdb").exists()
    assert not live.exists()


def test_a_request_on_a_session_deleted_meanwhile_leaves_no_lock_file(client, upload_dir, monkeypatch):
    session_id = upload_ok(client, EXPORT)["session_id"]
    store = client.application.extensions["sessions"]
    passes_check = store.checked_id

    def deleted_right_after_the_check(value: object) -> str:
        checked = passes_check(value)
        store.delete(checked)
        return checked

    monkeypatch.setattr(store, "checked_id", deleted_right_after_the_check)
    assert client.post("/generate_image", json={"session_id": session_id}).status_code == 404
    assert not [p.name for p in upload_dir.iterdir() if session_id in p.name]


def test_a_lock_probe_never_creates_the_file_it_asks_about(tmp_path):
    missing, held = tmp_path / "gone.lock", tmp_path / "held.lock"
    assert is_locked(missing) is False and not missing.exists()
    with open(held, "w") as handle:
        assert is_locked(held) is False
        fcntl.flock(handle, fcntl.LOCK_SH)
        assert is_locked(held) is True


# Every route that reads a session, as a request for the session id.
READERS = {
    "chart": lambda client, sid: client.post("/generate_image", json={"session_id": sid, "figsize": [3.2, 3.2]}),
    "stats": lambda client, sid: client.get(f"/sessions/{sid}/stats"),
    "wrapped": lambda client, sid: client.post("/generate_wrapped", json={"session_id": sid, "format": "square"}),
    "summary": lambda client, sid: client.get(f"/sessions/{sid}"),
    "race job": lambda client, sid: client.post("/jobs/animation", json={"session_id": sid, "days": 60}),
}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_delete_between_the_check_and_the_lock_is_a_404(client, monkeypatch, reader):
    session_id = upload_ok(client, EXPORT)["session_id"]
    store = client.application.extensions["sessions"]
    lock = fcntl.flock

    def deleted_as_the_lock_is_taken(handle, operation: int) -> None:
        if operation == fcntl.LOCK_SH:
            store.db_path(session_id).unlink(missing_ok=True)
        lock(handle, operation)

    monkeypatch.setattr(fcntl, "flock", deleted_as_the_lock_is_taken)
    response = READERS[reader](client, session_id)
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["error"].startswith("Unknown or expired session")


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_delete_once_the_session_is_in_use_is_a_410(client, monkeypatch, reader):
    session_id = upload_ok(client, EXPORT)["session_id"]
    store = client.application.extensions["sessions"]
    monkeypatch.setattr(store, "using", deleting_once_taken(store))
    response = READERS[reader](client, session_id)
    assert response.status_code == 410, response.get_json()
    assert response.get_json()["error"].startswith("The session was deleted while this request was using it")


def test_requests_racing_a_delete_answer_200_404_or_410(app):
    """Readers keep asking until the session is gone; whenever the DELETE lands, none gets a 5xx."""
    session_id = upload_ok(app.test_client(), EXPORT)["session_id"]
    statuses: list[int] = []
    readers = {name: reader for name, reader in READERS.items() if name != "race job"}  # jobs are capped per session
    started = threading.Barrier(len(readers) + 1)

    def read_until_gone(reader) -> None:
        client = app.test_client()
        started.wait()
        while (status := reader(client, session_id).status_code) == 200:
            statuses.append(status)
        statuses.append(status)

    threads = [threading.Thread(target=read_until_gone, args=(reader,)) for reader in readers.values()]
    for thread in threads:
        thread.start()
    started.wait()
    assert app.test_client().delete(f"/sessions/{session_id}").status_code == 200
    for thread in threads:
        thread.join()
    assert set(statuses) <= {200, 404, 410}, statuses
    assert statuses.count(404) + statuses.count(410) == len(readers)
