"""Artwork without a key: Spotify oEmbed by track id and Deezer by exact name, through the real client code
against stand-ins speaking their wire format (harness/keyless_standins.py)."""
from __future__ import annotations

import json

import pytest

from backend.services.artwork import ArtworkSettings
from backend.services.artwork.lookup import Wanted, fetch_pictures
from harness import exportgen as eg
from harness.artwork_checks import (
    CATALOG,
    TRACKS,
    assert_pictures_and_colours,
    chart,
    has_no_picture,
    has_own_picture,
)
from harness.keyless_standins import DeezerStandin, OembedStandin
from harness.service import offline_app, upload_ok
from src.visuals.painter import CREDIT_KEY, artwork_credit

pytestmark = pytest.mark.slow

TITLES = {t.uri.split(":")[2]: t.name for t in CATALOG.tracks if t.uri}
ROWS = eg.extended_rows(CATALOG, 3000, start="2021-01-01", end="2022-06-30")


@pytest.fixture(scope="module")
def exports() -> dict[str, bytes]:
    return {"extended": eg.extended_zip(ROWS), "account": eg.account_zip(eg.account_rows(ROWS))}


def keyless_client(upload_dir, oembed: OembedStandin | None = None, deezer: DeezerStandin | None = None,
                   **settings):
    sources = [name for name, server in (("oembed", oembed), ("deezer", deezer)) if server is not None]
    config = {"ARTWORK_SOURCES": ",".join(sources), "ARTWORK_IMAGE_HOSTS": "127.0.0.1"}
    if oembed is not None:
        config["SPOTIFY_OEMBED_URL"] = oembed.oembed_url
    if deezer is not None:
        config["DEEZER_API_URL"] = deezer.url
    return offline_app(upload_dir, **{**config, **settings}).test_client()


@pytest.fixture(scope="module")
def top_artists(tmp_path_factory, exports) -> list[str]:
    """The Account data's top artists, from a chart drawn without artwork."""
    client = offline_app(tmp_path_factory.mktemp("plain")).test_client()
    body, _, _ = chart(client, upload_ok(client, exports["account"])["session_id"])
    return [item["name"] for item in body["items"]]


def drawn(server, body: dict, pixels) -> dict[str, bool]:
    """Each artist bar: True with its own picture, False with none (a wrong picture fails the test)."""
    found = {item["name"]: has_own_picture(server, body, pixels, slot) for slot, item in enumerate(body["items"])}
    for slot, item in enumerate(body["items"]):
        if not found[item["name"]]:
            assert has_no_picture(body, pixels, slot, others_have=any(found.values())), item
    return found


def test_account_data_gets_artist_pictures_by_exact_name_and_none_without_one(upload_dir, serve, exports,
                                                                               top_artists):
    spellings = {name: name.replace("Ó", "O").replace("ń", "n").replace("&", "and").upper() for name in top_artists}
    missing = top_artists[2]   # Deezer knows only "<name> Tribute Band"
    deezer = serve(DeezerStandin(TRACKS, TITLES, names=spellings, missing=frozenset({missing})))
    client = keyless_client(upload_dir, deezer=deezer)
    session = upload_ok(client, exports["account"])["session_id"]
    body, pixels, _ = chart(client, session)

    assert drawn(deezer, body, pixels) == {name: name != missing for name in top_artists}
    asked = [(r.method, r.path, r.params()) for r in deezer.requests if not r.path.startswith("/images/")]
    assert sorted(params["q"][0] for _, _, params in asked) == sorted(top_artists)  # names, and nothing else
    assert {(method, path) for method, path, _ in asked} == {("GET", "/search/artist")}
    assert all(set(params) == {"q"} for _, _, params in asked)

    calls = deezer.request_count()
    chart(client, session)
    assert deezer.request_count() == calls   # found and not found, both remembered
    records = [json.loads(p.read_text()) for p in (upload_dir / "artwork-cache" / "deezer-artists").iterdir()]
    assert records.count({}) == 1 and len(records) == len(top_artists)


def test_account_data_gets_song_covers_by_artist_and_title(upload_dir, serve, exports):
    deezer = serve(DeezerStandin(TRACKS, TITLES))
    client = keyless_client(upload_dir, deezer=deezer)
    body, pixels, _ = chart(client, upload_ok(client, exports["account"])["session_id"], "track_name")
    assert_pictures_and_colours(deezer, "track_name", body, pixels)   # never a karaoke cover
    queries = [r.params()["q"][0] for r in deezer.requests if r.path == "/search"]
    assert len(queries) == len(body["items"])
    for item in body["items"]:
        title = item["name"].split(" (feat.")[0]
        assert f'artist:"{item["artist"]}" track:"{title}"' in queries


@pytest.mark.parametrize("attribute", ["track_name", "album_name"])
def test_covers_come_from_oembed_by_track_id(upload_dir, serve, exports, attribute):
    oembed = serve(OembedStandin(TRACKS, TITLES))
    deezer = serve(DeezerStandin(TRACKS, TITLES))
    client = keyless_client(upload_dir, oembed, deezer)
    session = upload_ok(client, exports["extended"])["session_id"]
    body, pixels, _ = chart(client, session, attribute)
    assert_pictures_and_colours(oembed, attribute, body, pixels)
    asked = [r.params()["url"][0] for r in oembed.requests if r.path == "/oembed"]
    assert len(asked) == len(body["items"]) and all(u.startswith("https://open.spotify.com/track/") for u in asked)
    assert deezer.requests == []   # every cover found: the next source is not asked

    calls = oembed.request_count()
    chart(client, session, attribute)
    assert oembed.request_count() == calls


def test_an_oembed_answer_about_another_track_is_not_drawn_and_the_next_source_fills_in(upload_dir, serve,
                                                                                         exports):
    oembed = serve(OembedStandin(TRACKS, TITLES, mode="other_track"))
    deezer = serve(DeezerStandin(TRACKS, TITLES))
    client = keyless_client(upload_dir, oembed, deezer)
    body, pixels, _ = chart(client, upload_ok(client, exports["extended"])["session_id"], "track_name")
    assert_pictures_and_colours(deezer, "track_name", body, pixels)
    assert not [r for r in oembed.request_lines() if r.startswith("GET /image/")]
    assert len([r for r in deezer.requests if r.path == "/search"]) == len(body["items"])


def test_extended_history_without_a_key_gets_artist_pictures_from_deezer(upload_dir, serve, exports):
    oembed = serve(OembedStandin(TRACKS, TITLES))
    deezer = serve(DeezerStandin(TRACKS, TITLES))
    client = keyless_client(upload_dir, oembed, deezer)
    body, pixels, _ = chart(client, upload_ok(client, exports["extended"])["session_id"])
    assert all(drawn(deezer, body, pixels).values())
    assert oembed.requests == []   # oEmbed knows no artists


def test_deezer_quota_error_is_waited_out_within_the_budget(upload_dir, serve, exports, top_artists):
    deezer = serve(DeezerStandin(TRACKS, TITLES, quota_first=True))
    client = keyless_client(upload_dir, deezer=deezer, ARTWORK_TIMEOUT_SECONDS=5)
    body, pixels, _ = chart(client, upload_ok(client, exports["account"])["session_id"])
    assert all(drawn(deezer, body, pixels).values())
    assert len([r for r in deezer.requests if r.path == "/search/artist"]) == len(top_artists) + 1


def test_deezer_placeholder_picture_is_no_picture(upload_dir, serve, exports, top_artists):
    faceless = top_artists[0]
    deezer = serve(DeezerStandin(TRACKS, TITLES, faceless=frozenset({faceless})))
    client = keyless_client(upload_dir, deezer=deezer)
    body, pixels, _ = chart(client, upload_ok(client, exports["account"])["session_id"])
    assert drawn(deezer, body, pixels) == {name: name != faceless for name in top_artists}


def test_each_picture_is_credited_to_the_source_that_supplied_it(upload_dir, serve, top_artists):
    oembed = serve(OembedStandin(TRACKS, TITLES))
    deezer = serve(DeezerStandin(TRACKS, TITLES))
    app = keyless_client(upload_dir, oembed, deezer).application
    settings = ArtworkSettings.from_settings(app.extensions["settings"])
    track = next(t for t in CATALOG.tracks if t.uri)
    songs = fetch_pictures(settings, "song", [Wanted(track.uri, track.artist, track.name)], 64)
    artists = fetch_pictures(settings, "artist", [Wanted(None, name) for name in top_artists[:2]], 64)
    assert [picture.info[CREDIT_KEY] for picture in songs] == ["Spotify"]        # oEmbed: Spotify's cover
    assert [picture.info[CREDIT_KEY] for picture in artists] == ["Deezer", "Deezer"]
    assert artwork_credit(songs + artists) == "Artwork: Deezer, Spotify"
