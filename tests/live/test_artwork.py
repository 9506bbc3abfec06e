"""Artwork: the real spotipy client against a local stand-in of Spotify; pictures, colours, budget, cache."""
from __future__ import annotations

import base64

import numpy as np
import pytest

from harness import exportgen as eg
from harness.artwork_checks import (
    BACKGROUND,
    CATALOG,
    TOP,
    TRACKS,
    assert_pictures_and_colours,
    bar_colour_at,
    chart,
    client_for,
    layout_of,
    near,
    palette_colour,
    thumb_colour,
)
from harness.media import probe_video
from harness.service import upload_ok
from harness.spotify_standin import SpotifyStandin
from src.visuals.chart.layout import Layout

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def extended_export():
    return eg.extended_zip(eg.extended_rows(CATALOG, 3000, start="2021-01-01", end="2022-06-30"))


@pytest.fixture
def standin(serve):
    """standin(mode) serves the catalogue's Spotify stand-in for this test."""
    return lambda mode="ok": serve(SpotifyStandin(TRACKS, mode))


@pytest.mark.parametrize("attribute", ["artist_name", "album_name", "track_name"])
def test_pictures_are_drawn_and_bars_take_their_colour(upload_dir, standin, extended_export, attribute):
    server = standin()
    client = client_for(upload_dir, server)
    session = upload_ok(client, extended_export)["session_id"]
    body, pixels, _ = chart(client, session, attribute)
    assert_pictures_and_colours(server, attribute, body, pixels)
    paths = [r.split("?")[0] for r in server.request_lines()]
    assert paths.count("POST /api/token") == 1
    assert "GET /v1/tracks/" in paths  # one batch call for all tracks
    assert ("GET /v1/artists/" in paths) == (attribute == "artist_name")

    calls = server.request_count()
    again, pixels_again, _ = chart(client, session, attribute)
    assert server.request_count() == calls  # ids, pictures and token all came from the cache
    assert again["items"] == body["items"]
    assert np.abs(pixels_again - pixels).max() <= 2


def test_batch_refused_falls_back_to_one_call_per_item(upload_dir, standin, extended_export):
    server = standin("batch403")
    client = client_for(upload_dir, server)
    body, pixels, _ = chart(client, upload_ok(client, extended_export)["session_id"])
    assert_pictures_and_colours(server, "artist_name", body, pixels)
    singles = [r for r in server.request_lines() if r.startswith("GET /v1/") and "?ids=" not in r]
    assert len([r for r in singles if r.startswith("GET /v1/tracks/")]) == TOP
    assert len([r for r in singles if r.startswith("GET /v1/artists/")]) == TOP


def test_bars_without_a_picture_keep_their_stable_colour(upload_dir, extended_export):
    top_artist = CATALOG.artists[0].name
    known = {tid: value for tid, value in TRACKS.items() if value[0] != top_artist}  # Spotify lacks one artist
    with SpotifyStandin(known) as server:
        client = client_for(upload_dir, server)
        body, pixels, _ = chart(client, upload_ok(client, extended_export)["session_id"])
    layout = layout_of(body, pictures=True)
    for slot, item in enumerate(body["items"]):
        if item["name"] == top_artist:
            assert near(thumb_colour(pixels, layout, slot), BACKGROUND, 6)
            assert near(bar_colour_at(pixels, layout, slot), palette_colour(body["items"], slot), 12)
        else:
            assert near(thumb_colour(pixels, layout, slot), server.artist_colour(item["name"]), 12)
    assert top_artist in [item["name"] for item in body["items"]]


def test_rate_limit_is_waited_out_within_the_budget(upload_dir, standin, extended_export):
    server = standin("ratelimit")
    client = client_for(upload_dir, server, ARTWORK_TIMEOUT_SECONDS=4)
    body, pixels, elapsed = chart(client, upload_ok(client, extended_export)["session_id"])
    assert_pictures_and_colours(server, "artist_name", body, pixels)
    assert 1.0 <= elapsed < 4.0


def test_hanging_spotify_costs_at_most_the_budget(upload_dir, standin, extended_export):
    server = standin("hang")
    plain = client_for(upload_dir, None, SPOTIFY_CLIENT_ID="")
    session = upload_ok(plain, extended_export)["session_id"]
    chart(plain, session)
    _, _, render_time = chart(plain, session)
    client = client_for(upload_dir, server, ARTWORK_TIMEOUT_SECONDS=1)
    body, pixels, elapsed = chart(client, session)
    assert server.request_count() >= 1
    assert 0.9 <= elapsed < 1.0 + render_time + 1.5  # slack for a busy machine; far below two budgets
    layout = layout_of(body, pictures=False)
    for slot in range(len(body["items"])):
        assert near(bar_colour_at(pixels, layout, slot), palette_colour(body["items"], slot), 12)


def test_cache_stays_within_its_bound(upload_dir, standin, extended_export, tmp_path):
    server = standin()
    cache_dir = tmp_path / "shared-artwork"
    limit = 0.002  # MiB: less than one chart's lookups and pictures
    client = client_for(upload_dir, server, ARTWORK_CACHE_DIR=str(cache_dir), ARTWORK_CACHE_MB=limit)
    session = upload_ok(client, extended_export)["session_id"]
    body, pixels, _ = chart(client, session)
    assert_pictures_and_colours(server, "artist_name", body, pixels)  # drawn even when not kept
    files = [p for p in cache_dir.rglob("*") if p.is_file()]
    assert 0 < sum(p.stat().st_size for p in files) <= limit * 2**20
    assert len(files) < 3 * TOP  # something was evicted: 5 tracks, 5 artists and 5 pictures do not fit
    calls = server.request_count()
    chart(client, session)
    assert server.request_count() > calls  # what was evicted is fetched again


def test_damaged_cache_files_are_fetched_again(upload_dir, standin, extended_export):
    server = standin()
    client = client_for(upload_dir, server)
    session = upload_ok(client, extended_export)["session_id"]
    chart(client, session)
    cache = upload_dir / "artwork-cache"
    for path in [*cache.glob("tracks/*.json"), *cache.glob("pictures/*.png")]:
        path.write_bytes(b"{not what was written")
    calls = server.request_count()
    body, pixels, _ = chart(client, session)
    assert_pictures_and_colours(server, "artist_name", body, pixels)
    assert server.request_count() > calls


def test_race_shows_the_pictures(upload_dir, standin, extended_export):
    server = standin()
    client = client_for(upload_dir, server)
    session = upload_ok(client, extended_export)["session_id"]
    items, _, _ = chart(client, session)
    response = client.post("/generate_animation", json={
        "session_id": session, "top_n": TOP, "figsize": [4.8, 6.4], "dpi": 100, "days": 120,
        "interp_steps": 2, "speed_for_bar_animation": 5})
    assert response.status_code == 200, response.get_json()
    last = probe_video(base64.b64decode(response.get_json()["video"])).frames[-1].astype(int)
    layout = Layout(480, 640, TOP, False, race=True, pictures=True)
    values = [item["value"] for item in items["items"]]
    checked = 0
    for slot, item in enumerate(items["items"]):
        if values.count(item["value"]) == 1:  # tied bars may stand in either order
            assert near(thumb_colour(last, layout, slot), server.artist_colour(item["name"]), 24), item
            checked += 1
    assert checked >= 3


def test_account_data_and_missing_credentials_make_no_calls(upload_dir, standin):
    server = standin()
    rows = eg.account_rows(eg.extended_rows(CATALOG, 1500, start="2022-01-01", end="2022-12-31"))
    client = client_for(upload_dir, server)
    chart(client, upload_ok(client, eg.account_zip(rows))["session_id"])
    no_credentials = client_for(upload_dir, server, SPOTIFY_CLIENT_ID="", SPOTIFY_CLIENT_SECRET="")
    extended = upload_ok(no_credentials, eg.extended_zip(eg.extended_rows(CATALOG, 1500)))["session_id"]
    chart(no_credentials, extended)
    assert server.requests == []
    assert not (upload_dir / "artwork-cache").exists()


