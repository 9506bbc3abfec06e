"""Artwork for plays of other services: they carry no Spotify ids, so pictures are found by name (Deezer's
artist search), through the real client code against a stand-in speaking Deezer's wire format."""
from __future__ import annotations

import pytest

from harness import exportgen as eg
from harness import servicegen as sg
from harness.artwork_checks import CATALOG, TRACKS, chart, has_own_picture
from harness.keyless_standins import DeezerStandin
from harness.service import offline_app, upload_ok

pytestmark = pytest.mark.slow

ROWS = eg.extended_rows(CATALOG, 2000, start="2021-01-01", end="2021-12-31")
TITLES = {t.uri.split(":")[2]: t.name for t in CATALOG.tracks if t.uri}


def test_lastfm_plays_get_artist_pictures_by_name_alone(upload_dir, serve):
    deezer = serve(DeezerStandin(TRACKS, TITLES))
    client = offline_app(upload_dir, ARTWORK_SOURCES="deezer", ARTWORK_IMAGE_HOSTS="127.0.0.1",
                         DEEZER_API_URL=deezer.url).test_client()
    session = upload_ok(client, sg.lastfm_csv(sg.scrobbled(ROWS, 1.0)), "scrobbles.csv")["session_id"]
    body, pixels, _ = chart(client, session)

    assert all(has_own_picture(deezer, body, pixels, slot) for slot in range(len(body["items"])))
    asked = [r.params() for r in deezer.requests if not r.path.startswith("/images/")]
    assert sorted(params["q"][0] for params in asked) == sorted(item["name"] for item in body["items"])
    assert body["sources"] == ["Last.fm"]
