"""Sources that lock the service out, refuse batches, cannot be reached or hang: paused for every process
(state files beside the artwork cache), shown by /health, logged once, and back when their time is up."""
from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import time
from datetime import datetime

import pytest

from backend.core.settings import PROJECT_ROOT, load_settings
from backend.services.artwork import ArtworkSettings
from backend.services.artwork.states import source_key
from harness import exportgen as eg
from harness.artwork_checks import CATALOG, TRACKS, chart, client_for, has_own_picture
from harness.keyless_standins import DeezerStandin, OembedStandin
from harness.service import offline_app, upload_ok
from harness.spotify_standin import SpotifyStandin
from harness.waiting import eventually

pytestmark = pytest.mark.slow

TITLES = {t.uri.split(":")[2]: t.name for t in CATALOG.tracks if t.uri}
DAY = 86400


@pytest.fixture(scope="module")
def extended_export() -> bytes:
    return eg.extended_zip(eg.extended_rows(CATALOG, 3000, start="2021-01-01", end="2022-06-30"))


def closed_port_url() -> str:
    """An address where nothing listens: connections are refused at once, as from a machine offline."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/"


def artwork_health(client) -> dict[str, str]:
    response = client.get("/health")
    assert response.status_code == 200
    return response.get_json()["artwork"]


def paused_until(text: str) -> float:
    assert text.startswith("paused until "), text
    return datetime.fromisoformat(text.removeprefix("paused until ")).timestamp()


CHART_IN_ANOTHER_PROCESS = """
import json, sys
from backend.app import create_app
settings, session = json.loads(sys.argv[1]), sys.argv[2]
client = create_app({"TESTING": True, **settings}).test_client()
chart = client.post("/generate_image", json={"session_id": session, "top_n": 5})
print(json.dumps({"health": client.get("/health").get_json()["artwork"], "status": chart.status_code}))
"""


def test_a_quota_lockout_pauses_the_web_api_for_every_process(upload_dir, serve, extended_export, caplog):
    spotify = serve(SpotifyStandin(TRACKS, "quota"))
    deezer = serve(DeezerStandin(TRACKS, TITLES))
    settings = {"SPOTIFY_CLIENT_ID": "quota-app", "SPOTIFY_CLIENT_SECRET": "secret", "SPOTIFY_API_URL": spotify.api_url,
                "SPOTIFY_TOKEN_URL": spotify.token_url, "DEEZER_API_URL": deezer.url,
                "ARTWORK_SOURCES": "spotify,deezer", "ARTWORK_IMAGE_HOSTS": "127.0.0.1", "ARTWORK_TIMEOUT_SECONDS": 5,
                "UPLOAD_DIR": str(upload_dir), "SUPABASE_URL": "", "SUPABASE_KEY": ""}
    client = offline_app(upload_dir, **settings).test_client()
    session = upload_ok(client, extended_export)["session_id"]
    with caplog.at_level(logging.INFO, logger="backend.services.artwork"):
        body, pixels, elapsed = chart(client, session)
        chart(client, session)
    assert elapsed < 4   # not waited out: a day is beyond any budget
    assert all(has_own_picture(deezer, body, pixels, slot) for slot in range(len(body["items"])))  # the next source
    paused = [r for r in caplog.records if "paused until" in r.getMessage()]
    assert len(paused) == 1 and "spotify" in paused[0].getMessage()
    health = artwork_health(client)
    assert health["deezer"] == "ok"
    assert abs(paused_until(health["spotify"]) - (time.time() + DAY)) < 120
    api_calls = [r for r in spotify.request_lines() if r.startswith("GET /v1/")]
    assert len(api_calls) == 1   # the first lookup learnt it; the second chart asked nothing

    answer = subprocess.run([sys.executable, "-c", CHART_IN_ANOTHER_PROCESS, json.dumps(settings), session],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(answer.stdout.strip().splitlines()[-1])
    assert seen == {"health": health, "status": 200}
    assert [r for r in spotify.request_lines() if r.startswith("GET /v1/")] == api_calls


def test_a_refused_batch_endpoint_is_remembered_across_restarts(upload_dir, serve, extended_export):
    spotify = serve(SpotifyStandin(TRACKS, "batch403"))
    client = client_for(upload_dir, spotify, SPOTIFY_CLIENT_ID="development-mode-app")
    session = upload_ok(client, extended_export)["session_id"]
    chart(client, session)
    assert len([r for r in spotify.request_lines() if "?ids=" in r]) == 1   # refused once, for every kind
    restarted = client_for(upload_dir, spotify, SPOTIFY_CLIENT_ID="development-mode-app")
    for kind in ("tracks", "artists"):   # lookups forgotten: the restarted app has to ask again
        for path in (upload_dir / "artwork-cache" / kind).iterdir():
            path.unlink()
    calls = spotify.request_count()
    body, pixels, _ = chart(restarted, session)
    assert all(has_own_picture(spotify, body, pixels, slot) for slot in range(len(body["items"])))
    again = spotify.request_lines()[calls:]
    assert again and not [r for r in again if "?ids=" in r]


def test_an_unreachable_source_costs_one_short_wait_then_none(upload_dir, extended_export, caplog):
    client = offline_app(upload_dir, ARTWORK_SOURCES="oembed,deezer", SPOTIFY_OEMBED_URL=closed_port_url(),
                         DEEZER_API_URL=closed_port_url(), ARTWORK_IMAGE_HOSTS="127.0.0.1").test_client()
    session = upload_ok(client, extended_export)["session_id"]
    with caplog.at_level(logging.INFO, logger="backend.services.artwork"):
        for attribute in ("track_name", "artist_name", "track_name"):
            chart(client, session, attribute)
    assert artwork_health(client) == {"oembed": "unreachable", "deezer": "unreachable"}
    calls = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Artwork: ")]
    assert ", 0 network calls" not in calls[0]   # oEmbed tried, then Deezer: both refused at once
    assert all(", 0 network calls" in line for line in calls[1:])
    warned = [r for r in caplog.records if "could not be reached" in r.getMessage()]
    assert len(warned) == 2


def test_a_hanging_source_is_paused_after_one_budget(upload_dir, serve, extended_export):
    deezer = serve(DeezerStandin(TRACKS, TITLES))
    deezer.hang = True
    client = offline_app(upload_dir, ARTWORK_SOURCES="deezer", DEEZER_API_URL=deezer.url,
                         ARTWORK_TIMEOUT_SECONDS=1, ARTWORK_IMAGE_HOSTS="127.0.0.1").test_client()
    session = upload_ok(client, extended_export)["session_id"]
    chart(client, session)
    calls = deezer.request_count()
    assert calls >= 1
    assert artwork_health(client) == {"deezer": "unreachable"}
    chart(client, session)
    assert deezer.request_count() == calls


def test_a_paused_source_comes_back_when_its_time_is_up(upload_dir, serve, extended_export):
    spotify = serve(SpotifyStandin(TRACKS, "quota"))
    spotify.quota_retry_after = "2"   # beyond a budget of 1 s: paused, for 2 s
    client = client_for(upload_dir, spotify, ARTWORK_TIMEOUT_SECONDS=1)
    session = upload_ok(client, extended_export)["session_id"]
    chart(client, session)
    assert artwork_health(client)["spotify"].startswith("paused until ")
    spotify.mode = "ok"
    calls = spotify.request_count()
    assert eventually(lambda: artwork_health(client)["spotify"] == "ok", 10)
    body, pixels, _ = chart(client, session)
    assert spotify.request_count() > calls
    assert all(has_own_picture(spotify, body, pixels, slot) for slot in range(len(body["items"])))


@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", b'{"paused_until": "tomorrow", "reason": "quota"}',
                                     b'{"paused_until": 1e308, "reason": "quota", "strikes": -4}',
                                     b'{"paused_until": NaN, "reason": "unreachable"}'])
def test_a_damaged_state_file_means_no_pause_and_never_an_error(upload_dir, serve, extended_export, content):
    deezer = serve(DeezerStandin(TRACKS, TITLES))
    client = offline_app(upload_dir, ARTWORK_SOURCES="deezer", DEEZER_API_URL=deezer.url,
                         ARTWORK_IMAGE_HOSTS="127.0.0.1").test_client()
    settings = ArtworkSettings.from_settings(load_settings({"UPLOAD_DIR": str(upload_dir),
                                                            "DEEZER_API_URL": deezer.url}))
    folder = upload_dir / "artwork-cache" / "sources"
    folder.mkdir(parents=True)
    (folder / f"{source_key(settings, 'deezer')}.json").write_bytes(content)
    health = artwork_health(client)["deezer"]
    if content.startswith(b'{"paused_until": 1e308'):
        assert time.time() < paused_until(health) <= time.time() + 7 * DAY + 60   # at most a week
        return
    assert health == "ok"
    body, pixels, _ = chart(client, upload_ok(client, extended_export)["session_id"])
    assert deezer.requests and any(has_own_picture(deezer, body, pixels, slot) for slot in range(len(body["items"])))


def test_oembed_quota_lockout_leaves_covers_to_the_next_source(upload_dir, serve, extended_export):
    oembed = serve(OembedStandin(TRACKS, TITLES, mode="quota"))
    deezer = serve(DeezerStandin(TRACKS, TITLES))
    client = offline_app(upload_dir, ARTWORK_SOURCES="oembed,deezer", SPOTIFY_OEMBED_URL=oembed.oembed_url,
                         DEEZER_API_URL=deezer.url, ARTWORK_IMAGE_HOSTS="127.0.0.1").test_client()
    session = upload_ok(client, extended_export)["session_id"]
    chart(client, session, "track_name")
    assert oembed.request_count() <= 4   # the calls already on their way when the first 429 came back
    assert artwork_health(client)["oembed"].startswith("paused until ")
    assert len([r for r in deezer.requests if r.path == "/search"]) == 5
