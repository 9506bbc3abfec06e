"""Artwork against a Spotify that misbehaves: slow, huge, out of order, garbled or
mislabelled answers cost the chart at most the pictures they concern, its budget of time, and a
bounded amount of memory; every download they hold open ends by the deadline."""
from __future__ import annotations

import json
import time

import pytest

from harness import exportgen as eg
from harness.artwork_checks import (
    CATALOG,
    TOP,
    TRACKS,
    assert_pictures_and_colours,
    chart,
    client_for,
    has_no_picture,
    has_own_picture,
)
from harness.misbehaviour import DRIBBLE_INTERVAL_S, PeakMemory, SpotifyFaults
from harness.service import upload_ok
from harness.spotify_standin import SpotifyStandin, spotify_id

pytestmark = pytest.mark.slow

BUDGET_S = 3.0
SLACK_S = 6.0           # a busy machine: well below what a download left open would take (minutes)
MEMORY_BOUND = 100 * 2**20


@pytest.fixture(scope="module")
def extended_export():
    return eg.extended_zip(eg.extended_rows(CATALOG, 3000, start="2021-01-01", end="2022-06-30"))


@pytest.fixture(scope="module")
def shared_dir(tmp_path_factory, extended_export):
    """One UPLOAD_DIR and session for the module: its session, top artists and the time a chart takes to
    draw without artwork (warmed up)."""
    upload_dir = tmp_path_factory.mktemp("sessions")
    client = client_for(upload_dir, None, SPOTIFY_CLIENT_ID="")
    session = upload_ok(client, extended_export)["session_id"]
    body, _, _ = chart(client, session)
    _, _, render_s = chart(client, session)
    return upload_dir, (session, [item["name"] for item in body["items"]], render_s)


@pytest.fixture
def plain(shared_dir):
    return shared_dir[1]


@pytest.fixture
def cache_dir(tmp_path):
    return tmp_path / "artwork-cache"


@pytest.fixture
def app_for(shared_dir, cache_dir):
    """A client of an app pointed at the stand-in, with an artwork cache of this test's own."""
    return lambda server, **settings: client_for(shared_dir[0], server, ARTWORK_CACHE_DIR=str(cache_dir), **settings)


@pytest.fixture
def standin(serve):
    """standin(**faults) serves the catalogue's Spotify stand-in, misbehaving as the faults say, for this test."""
    return lambda **faults: serve(SpotifyStandin(TRACKS, faults=SpotifyFaults(**faults)))


def drawn(server: SpotifyStandin, body: dict, pixels) -> dict[str, bool]:
    """Each bar: True with its own picture, False with none (anything else fails the test)."""
    found = {item["name"]: has_own_picture(server, body, pixels, slot) for slot, item in enumerate(body["items"])}
    for slot, item in enumerate(body["items"]):
        if not found[item["name"]]:
            assert has_no_picture(body, pixels, slot, others_have=any(found.values())), item
    return found


@pytest.mark.parametrize("slow", ["picture", "lookups"])
def test_an_answer_sent_a_byte_a_second_ends_at_the_deadline(app_for, plain, standin, slow):
    session, top, render_s = plain
    faults = {"dribbled_pictures": frozenset(top[1:2])} if slow == "picture" else {"dribbled_lookups": True}
    server = standin(**faults)
    client = app_for(server, ARTWORK_TIMEOUT_SECONDS=BUDGET_S)
    started = time.monotonic()
    body, pixels, elapsed = chart(client, session)

    assert elapsed < BUDGET_S + render_s + SLACK_S
    pictures = drawn(server, body, pixels)
    assert pictures == {name: slow == "picture" and name != top[1] for name in top}
    [sent] = server.sent  # the slow answer: the client hung up on it at the deadline, not at its end
    assert sent.wait_ended(BUDGET_S + 2 * DRIBBLE_INTERVAL_S + SLACK_S)
    assert sent.hung_up_at is not None and sent.bytes < sent.total
    assert sent.hung_up_at - started < BUDGET_S + 2 * DRIBBLE_INTERVAL_S + SLACK_S


def test_an_api_answer_inflating_to_600_mb_costs_little_memory(app_for, plain, standin):
    session, top, _ = plain
    server = standin(bomb_lookups=True)
    client = app_for(server, ARTWORK_TIMEOUT_SECONDS=10)
    with PeakMemory() as memory:
        body, pixels, _ = chart(client, session)
    assert memory.growth < MEMORY_BOUND, memory.growth / 2**20
    assert drawn(server, body, pixels) == {name: False for name in top}
    [sent] = server.sent
    assert sent.wait_ended(10)


@pytest.mark.parametrize("side", [8000, 1500])
def test_pictures_over_the_pixel_cap_are_refused_before_decoding(app_for, plain, standin, side):
    session, top, _ = plain
    server = standin(huge_pictures=frozenset(top[:4]), huge_side=side)
    client = app_for(server, ARTWORK_TIMEOUT_SECONDS=10)
    with PeakMemory() as memory:
        body, pixels, _ = chart(client, session)
    if side == 8000:  # 4 x 192 MB had they been decoded
        assert memory.growth < MEMORY_BOUND, memory.growth / 2**20
        assert drawn(server, body, pixels) == {name: name == top[4] for name in top}
    else:  # the same pictures under the cap (2.25 of 4.2 million pixels) are drawn
        assert drawn(server, body, pixels) == {name: True for name in top}


def test_a_picture_over_the_byte_cap_is_not_drawn(app_for, plain, standin):
    session, top, _ = plain
    server = standin(huge_pictures=frozenset(top[:1]), huge_side=1500)  # 9 KB; the others are a few hundred bytes
    client = app_for(server, ARTWORK_MAX_IMAGE_KB=4)
    body, pixels, _ = chart(client, session)
    assert drawn(server, body, pixels) == {name: name != top[0] for name in top}


def test_a_batch_answer_in_another_order_gives_each_bar_its_own_picture(app_for, plain, standin, cache_dir):
    session, _top, _ = plain
    server = standin(reordered_batches=True)
    client = app_for(server)
    body, pixels, _ = chart(client, session)
    assert_pictures_and_colours(server, "artist_name", body, pixels)
    assert any("?ids=" in request for request in server.request_lines())

    for path in cache_dir.glob("tracks/*.json"):  # each track cached under its own id, with its own artist
        artist = TRACKS[path.stem][0]
        assert json.loads(path.read_text())["artists"] == [[spotify_id("artist:" + artist), artist]]
    for path in cache_dir.glob("artists/*.json"):
        assert all(f"/image/artist/{path.stem}/" in url for url, _ in json.loads(path.read_text())["images"])

    calls = server.request_count()
    again, pixels_again, _ = chart(client, session)
    assert server.request_count() == calls
    assert_pictures_and_colours(server, "artist_name", again, pixels_again)


@pytest.mark.parametrize("garbled", ["malformed_artists", "malformed_tracks"])
def test_one_malformed_item_costs_only_its_own_picture(app_for, plain, standin, garbled):
    session, top, _ = plain
    server = standin(**{garbled: frozenset(top[2:3])})
    client = app_for(server)
    body, pixels, _ = chart(client, session)
    assert drawn(server, body, pixels) == {name: name != top[2] for name in top}

    calls = server.request_count()
    chart(client, session)
    assert server.request_count() > calls  # the garbled item was not remembered: it is asked for again


@pytest.mark.parametrize("fault", ["html_pictures", "redirected_pictures"])
def test_a_picture_served_as_html_or_by_a_redirect_is_not_drawn(app_for, plain, standin, fault):
    session, top, _ = plain
    server = standin(**{fault: frozenset(top[:1])})
    client = app_for(server)
    body, pixels, _ = chart(client, session)
    assert drawn(server, body, pixels) == {name: name != top[0] for name in top}
    assert not [r for r in server.request_lines() if r.startswith("GET /moved/")]  # a redirect is never followed


def test_pictures_come_only_from_the_allowed_hosts(app_for, plain, standin):
    session, top, _ = plain
    server = standin()
    client = app_for(server, ARTWORK_IMAGE_HOSTS="scdn.co,spotifycdn.com")  # the default
    body, pixels, _ = chart(client, session)
    assert drawn(server, body, pixels) == {name: False for name in top}
    assert server.requests and not [r for r in server.request_lines() if r.startswith("GET /image/")]
    assert len(top) == TOP
