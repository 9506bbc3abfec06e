"""Usage events: the real supabase client against a local PostgREST stand-in (harness/postgrest_standin.py).

Events reach POST /rest/v1/user_events with the key headers and figures only; a hanging or failing
Supabase never slows or fails a request; without settings nothing runs and nothing is logged.
"""
from __future__ import annotations

import base64
import io
import logging
import threading
import time

import pytest

from backend.core.settings import load_settings
from backend.services.analytics import events as analytics_module
from backend.services.analytics.events import QUEUE_SIZE, Analytics
from harness import exportgen as eg
from harness.postgrest_standin import PostgrestStandin
from harness.service import offline_app, upload_ok

pytestmark = pytest.mark.slow

# Shaped like a Supabase anon key (a JWT); the client sends it as apikey and as the bearer token.
KEY = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdGFuZC1pbiIsInJvbGUiOiJhbm9uIn0"
       ".c3RhbmQtaW4tc2lnbmF0dXJlLW5vdC1jaGVja2Vk")
CLIENT_IP = "203.0.113.77"
SMALL = {"figsize": [4.8, 6.4], "dpi": 100}
LOGGER = analytics_module.__name__


@pytest.fixture(scope="module")
def rows():
    return eg.extended_rows(eg.make_catalog(), 1500, start="2021-01-01", end="2021-12-31")


@pytest.fixture(scope="module")
def export(rows):
    return eg.extended_zip(rows)


@pytest.fixture
def make_app(upload_dir):
    """create_app with (or without) Supabase settings; every sender is stopped at the end."""
    made = []

    def make(url: str = "", key: str = ""):
        app = offline_app(upload_dir, SUPABASE_URL=url, SUPABASE_KEY=key)
        made.append(app.extensions["analytics"])
        return app

    yield make
    for analytics in made:
        analytics.close()


@pytest.fixture
def rest(serve):
    return serve(PostgrestStandin())


@pytest.fixture
def hanging(serve):
    return serve(PostgrestStandin(hang=True))


def analytics_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno >= logging.WARNING]


def private_strings(rows: list[dict], session_id: str) -> set[str]:
    """Names, listening data, addresses and ids from the upload that no event may carry."""
    keys = ("master_metadata_track_name", "master_metadata_album_artist_name", "master_metadata_album_album_name",
            "episode_name", "episode_show_name", "audiobook_title", "ip_addr", "spotify_track_uri")
    found = {str(row[key]) for row in rows for key in keys if row.get(key)}
    return found | {session_id, CLIENT_IP, eg.FAKE_USERNAME, eg.FAKE_EMAIL}


def test_events_reach_user_events_with_figures_only(make_app, rest, rows, export):
    app = make_app(rest.url, KEY)
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=CLIENT_IP, HTTP_X_FORWARDED_FOR=CLIENT_IP)
    uploaded = upload_ok(client, export)
    session = uploaded["session_id"]
    image = client.post("/generate_image", json={"session_id": session, "top_n": 5, **SMALL})
    assert image.status_code == 200, image.get_json()
    video = client.post("/generate_animation", json={"session_id": session, "period": "m", "days": 60,
                                                     "interp_steps": 1, "speed_for_bar_animation": 4, **SMALL})
    assert video.status_code == 200, video.get_json()
    assert app.extensions["analytics"].flush(10)

    assert len(rest.requests) == 3
    for sent in rest.requests:
        assert (sent.method, sent.path, sent.query) == ("POST", "/rest/v1/user_events", "")
        assert sent.headers["apikey"] == KEY
        assert sent.headers["authorization"] == f"Bearer {KEY}"
        assert sent.headers["content-type"] == "application/json"
        assert sent.headers["prefer"] == "return=minimal"
        raw = sent.raw()
        leaked = [text for text in private_strings(rows, session) if text in raw]
        assert not leaked, leaked

    upload, chart, race = (sent.json() for sent in rest.requests)
    summary = uploaded["summary"]
    assert upload["event"] == "upload"
    assert upload["properties"] == {"ok": True, "format": summary["format"], "rows": summary["rows_stored"],
                                    "files": summary["files_read"], "duration_s": upload["properties"]["duration_s"]}
    image_body = image.get_json()
    assert chart == {"event": "image", "properties": {
        "ok": True, "attribute": "artist_name", "metric": "Streams", "top_n": 5,
        "bytes": len(base64.b64decode(image_body["image"])), "duration_s": chart["properties"]["duration_s"]}}
    video_body = video.get_json()
    assert race == {"event": "animation", "properties": {
        "ok": True, "attribute": "artist_name", "metric": "Streams", "top_n": 10, "frames": video_body["frames"],
        "bytes": len(base64.b64decode(video_body["video"])), "duration_s": race["properties"]["duration_s"]}}
    assert all(0 <= event["properties"]["duration_s"] < 60 for event in (upload, chart, race))


def test_failed_requests_record_ok_false_and_the_status_only(make_app, rest):
    app = make_app(rest.url, KEY)
    client = app.test_client()
    unknown = "0b5e2d4c-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
    failures = [
        ("/generate_image", {"session_id": unknown}, 404),
        ("/generate_image", {"session_id": unknown, "start_date": "2021-13-45"}, 400),
        ("/generate_image", {"session_id": "Jane Doe's listening"}, 400),
        ("/generate_animation", {"session_id": unknown, "period": "fortnightly"}, 400),
        ("/generate_animation", {"session_id": unknown, **SMALL}, 404),
    ]
    for path, body, status in failures:
        assert client.post(path, json=body).status_code == status
    assert client.get("/generate_image").status_code == 405  # no route matched: no event
    refused = client.post("/process", data={"file": (io.BytesIO(b"Jane Doe's listening"), "history.zip")})
    assert refused.status_code == 400, refused.get_json()
    assert app.extensions["analytics"].flush(5)

    events = [sent.json() for sent in rest.requests]
    assert events == [{"event": "image" if path == "/generate_image" else "animation",
                       "properties": {"ok": False, "status": status}} for path, _, status in failures] + [
        {"event": "upload", "properties": {"ok": False, "status": 400}}]
    assert not any(unknown in sent.raw() or "Jane Doe" in sent.raw() for sent in rest.requests)


def test_queued_jobs_record_their_figures_and_refusals_their_status(make_app, rest, export):
    app = make_app(rest.url, KEY)
    client = app.test_client()
    session = upload_ok(client, export)["session_id"]
    race = {"session_id": session, "period": "m", "days": 60, "interp_steps": 1, "speed_for_bar_animation": 4,
            "top_n": 6, **SMALL}
    queued = client.post("/jobs/animation", json=race)
    assert queued.status_code == 202, queued.get_json()
    job = queued.get_json()
    deadline = time.monotonic() + 60
    while client.get(job["status_url"]).get_json()["state"] not in ("done", "failed"):  # polls record nothing
        assert time.monotonic() < deadline
        time.sleep(0.1)
    unknown = "0b5e2d4c-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
    assert client.post("/jobs/animation", json={**race, "session_id": unknown}).status_code == 404
    assert app.extensions["analytics"].flush(10)

    events = [sent.json() for sent in rest.requests][1:]  # after the upload's
    assert events == [
        {"event": "animation_job", "properties": {"ok": True, "attribute": "artist_name", "metric": "Streams",
                                                  "top_n": 6, "frames": job["frames_total"]}},
        {"event": "animation_job", "properties": {"ok": False, "status": 404}}]


def test_statistics_record_figures_only_and_session_reads_nothing(make_app, rest, export):
    app = make_app(rest.url, KEY)
    client = app.test_client()
    session = upload_ok(client, export)["session_id"]
    stats = client.get(f"/sessions/{session}/stats", query_string={"timezone": "Europe/Berlin"})
    assert stats.status_code == 200, stats.get_json()
    assert client.get(f"/sessions/{session}/stats", query_string={"start_date": "2099-01-01"}).status_code == 422
    assert client.get(f"/sessions/{session}").status_code == 200   # reading the summary is no event
    assert app.extensions["analytics"].flush(10)

    events = [sent.json() for sent in rest.requests][1:]  # after the upload's
    years = len(stats.get_json()["years"])
    assert events == [
        {"event": "stats", "properties": {"ok": True, "years": years,
                                          "duration_s": events[0]["properties"]["duration_s"]}},
        {"event": "stats", "properties": {"ok": False, "status": 422}}]
    assert not any(session in sent.raw() for sent in rest.requests)


def test_wrapped_cards_record_figures_only(make_app, rest, export):
    app = make_app(rest.url, KEY)
    client = app.test_client()
    session = upload_ok(client, export)["session_id"]
    card = client.post("/generate_wrapped", json={"session_id": session, "year": 2021, "format": "square",
                                                  "theme": "pulse"})
    assert card.status_code == 200, card.get_json()
    assert client.post("/generate_wrapped", json={"session_id": session, "year": 2030}).status_code == 422
    assert app.extensions["analytics"].flush(10)

    events = [sent.json() for sent in rest.requests][1:]  # after the upload's
    figures = events[0]["properties"]
    assert events == [
        {"event": "wrapped", "properties": {"ok": True, "format": "square", "theme": "pulse", "years": 1,
                                            "pictures": 0, "bytes": len(base64.b64decode(card.get_json()["image"])),
                                            "duration_s": figures["duration_s"]}},
        {"event": "wrapped", "properties": {"ok": False, "status": 422}}]
    assert not any(session in sent.raw() for sent in rest.requests)


def test_only_known_fields_are_sent(rest):
    analytics = Analytics(load_settings({"SUPABASE_URL": rest.url, "SUPABASE_KEY": KEY}))
    try:
        analytics.record("image", ok=True, top_n=3, session_id="0b5e2d4c-1f2a-4b3c-8d4e-5f6a7b8c9d0e",
                         artist=eg.SPECIAL_ARTISTS["cjk"], ip_addr=CLIENT_IP)
        assert analytics.flush(5)
    finally:
        analytics.close()
    assert [sent.json() for sent in rest.requests] == [{"event": "image", "properties": {"ok": True, "top_n": 3}}]


def test_hanging_supabase_adds_no_latency(make_app, hanging, export):
    plain, stuck = make_app(), make_app(hanging.url, KEY)  # same UPLOAD_DIR: both apps see the session
    session = upload_ok(plain.test_client(), export)["session_id"]
    body = {"session_id": session, "top_n": 8, **SMALL}

    def seconds(app) -> float:
        started = time.perf_counter()
        response = app.test_client().post("/generate_image", json=body)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.get_json()
        return elapsed

    seconds(plain), seconds(stuck)  # warm up; the stuck app's event now hangs in the sender
    assert hanging.wait_for(1)
    plain_times, stuck_times = [], []
    for _ in range(3):
        plain_times.append(seconds(plain))
        stuck_times.append(seconds(stuck))
    # waiting on the sender would add its 5 s timeout to a request; a busy machine adds far less noise
    assert min(stuck_times) < min(plain_times) + 2.5, (plain_times, stuck_times)
    analytics = stuck.extensions["analytics"]
    assert not analytics.flush(0.05)  # the events really are waiting behind the hanging call


def test_full_queue_drops_events_without_blocking(hanging):
    analytics = Analytics(load_settings({"SUPABASE_URL": hanging.url, "SUPABASE_KEY": KEY,
                                     "ANALYTICS_TIMEOUT_SECONDS": 60}))  # the sender stays stuck for the whole burst
    try:
        analytics.record("image", ok=True)
        assert hanging.wait_for(1)  # the sender is now stuck on a call that is never answered
        burst = threading.Thread(target=lambda: [analytics.record("image", ok=True, top_n=10)
                                                 for _ in range(QUEUE_SIZE + 25)])
        burst.start()
        burst.join(30)
        assert not burst.is_alive()  # a record() waiting for room would wait for ever: the call never ends
        assert analytics._queue.qsize() == QUEUE_SIZE
        assert analytics._dropped == 25
    finally:
        analytics.close()


def test_a_hanging_call_times_out_and_is_logged_once(hanging, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    analytics = Analytics(load_settings({"SUPABASE_URL": hanging.url, "SUPABASE_KEY": KEY,
                                     "ANALYTICS_TIMEOUT_SECONDS": 0.3}))
    try:
        started = time.perf_counter()
        for _ in range(3):
            analytics.record("image", ok=True)
        assert analytics.flush(5)  # each call gave up after its timeout: the sender is not wedged
        assert time.perf_counter() - started > 0.8  # three calls, each ended by its 0.3 s deadline
        assert len(hanging.requests) == 3
    finally:
        analytics.close()
    [warning] = analytics_warnings(caplog)
    assert "Timeout" in warning.getMessage()


def test_failing_supabase_fails_no_request_and_logs_once_per_burst(make_app, export, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    with PostgrestStandin(status=500) as failing:
        app = make_app(failing.url, KEY)
        client = app.test_client()
        session = upload_ok(client, export)["session_id"]
        for _ in range(10):
            response = client.post("/generate_image", json={"session_id": session, "top_n": 3, **SMALL})
            assert response.status_code == 200, response.get_json()
        analytics = app.extensions["analytics"]
        assert analytics.flush(5)
        assert len(failing.requests) == 11
        [warning] = analytics_warnings(caplog)
        assert "XX000" in warning.getMessage() and "1 not sent" in warning.getMessage()

        failing.status = 201  # Supabase is back: one line says so, with the count of the burst
        analytics.record("image", ok=True)
        assert analytics.flush(5)
    assert len(analytics_warnings(caplog)) == 1
    [recovered] = [r for r in caplog.records if r.name == LOGGER and "again" in r.getMessage()]
    assert recovered.levelno == logging.INFO and "10 more not sent" in recovered.getMessage()


@pytest.mark.parametrize("url, key", [("", ""), ("http://127.0.0.1:9", ""), ("", KEY)])
def test_without_settings_nothing_runs_sends_or_logs(make_app, export, caplog, url, key):
    caplog.set_level(logging.DEBUG)
    threads_before = set(threading.enumerate())
    app = make_app(url, key)
    client = app.test_client()
    session = upload_ok(client, export)["session_id"] if not url else "0b5e2d4c-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
    client.post("/generate_image", json={"session_id": session, **SMALL})
    client.post("/generate_image", json={"session_id": "nope"})
    analytics = app.extensions["analytics"]
    assert analytics.record("image", ok=True) is None

    assert not analytics.enabled
    assert analytics._thread is None and analytics._queue.qsize() == 0 and analytics._queue.unfinished_tasks == 0
    assert not [t for t in set(threading.enumerate()) - threads_before if t.name == "analytics"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in caplog.records if r.name == LOGGER]
