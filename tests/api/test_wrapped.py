"""POST /generate_wrapped: the card's numbers equal an independent count, and it is drawn at every theme and format."""
from __future__ import annotations

import base64
import io
from collections import Counter
from datetime import date

import pytest
from PIL import Image

from harness import exportgen as eg
from harness.service import upload_ok
from harness.stats_truth import ROWS, STREAM_MS, Play, account_plays, expected_stats, extended_plays, minutes
from src.visuals.formats import FORMATS
from src.visuals.themes import THEMES

UNKNOWN_SESSION = "0b5e2d4c-1f2a-4b3c-8d4e-5f6a7b8c9d0e"


def expected_card(history: list[Play], start: date, end: date, albums: bool = True) -> dict:
    """The statistics of the range, and the top five artists and songs and the top discovery, counted in Python."""
    expected = expected_stats(history, start, end, STREAM_MS, albums)
    plays = [p for p in history if p.ms >= STREAM_MS and start <= p.at.date() <= end]
    artists = Counter(p.artist for p in plays if p.artist is not None)
    top_artists = sorted(artists, key=lambda a: (-artists[a], a))[:5]
    expected["top_artists"] = [{"name": a, "streams": artists[a],
                                "minutes": minutes(sum(p.ms for p in plays if p.artist == a))} for a in top_artists]
    songs = Counter(p.song_key for p in plays if p.track is not None)
    shown = {key: (min(p.track for p in plays if p.song_key == key and p.track is not None),
                   min((p.artist for p in plays if p.song_key == key and p.artist is not None), default=None))
             for key in songs}
    top_songs = sorted(songs, key=lambda k: (-songs[k], shown[k][0], shown[k][1] or ""))[:5]
    expected["top_songs"] = [{"name": shown[k][0], "artist": shown[k][1], "streams": songs[k],
                              "minutes": minutes(sum(p.ms for p in plays if p.song_key == k))} for k in top_songs]
    found = [month for month in expected["discoveries"] if month["top"]]
    best = min(found, key=lambda month: (-month["top"]["streams"], month["month"]), default=None)
    expected["top_discovery"] = best and {"month": best["month"], **best["top"]}
    return expected


@pytest.fixture(scope="module")
def app_and_session(tmp_path_factory):
    from backend.app import create_app
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(tmp_path_factory.mktemp("wrapped")), "SUPABASE_URL": "",
                      "SUPABASE_KEY": "", "SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": ""})
    client = app.test_client()
    return client, upload_ok(client, eg.extended_zip(ROWS))["session_id"]


def card(client, **body) -> dict:
    response = client.post("/generate_wrapped", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def picture(answer: dict) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(answer["image"])))


@pytest.mark.parametrize("body, zone, start, end", [
    ({"year": 2022, "timezone": "Europe/Berlin"}, "Europe/Berlin", date(2022, 1, 1), date(2022, 12, 31)),
    ({"start_date": "2021-11-01", "end_date": "2023-03-31", "timezone": "America/New_York"}, "America/New_York",
     date(2021, 11, 1), date(2023, 3, 31)),
    ({"start_date": "2022-12-25", "end_date": "2023-01-08"}, None, date(2022, 12, 25), date(2023, 1, 8)),
])
def test_the_numbers_equal_an_independent_count(app_and_session, body, zone, start, end):
    client, session = app_and_session
    answer = card(client, session_id=session, **body)
    expected = expected_card(extended_plays(ROWS, zone), start, end)
    stats = answer["stats"]
    assert stats.pop("range") == {**expected.pop("range"), "timezone": zone or "UTC"}
    assert stats == expected
    assert answer["filename"] == f"wrapped_{start}_{end}.jpg"


def test_the_numbers_are_those_of_the_statistics_route(app_and_session):
    client, session = app_and_session
    query = {"start_date": "2022-02-01", "end_date": "2022-09-30", "timezone": "Asia/Kolkata"}
    stats = card(client, session_id=session, **query)["stats"]
    for key in ("top_artists", "top_songs", "top_discovery"):
        stats.pop(key)
    assert stats == client.get(f"/sessions/{session}/stats", query_string=query).get_json()


def test_the_card_is_a_story_by_default_and_takes_every_theme_and_format(app_and_session):
    client, session = app_and_session
    default = card(client, session_id=session, year=2022)
    assert (default["width"], default["height"]) == FORMATS["story"] == picture(default).size
    assert picture(default).format == "JPEG"
    for theme in THEMES:
        for name, size in FORMATS.items():
            answer = card(client, session_id=session, year=2022, theme=theme.upper(), format=name)
            assert (answer["width"], answer["height"]) == size == picture(answer).size
            corner = picture(answer).convert("RGB").getpixel((3, 3))
            assert max(abs(a - b) for a, b in zip(corner, THEMES[theme].background)) <= 6


def test_short_plays_count_when_asked(app_and_session):
    client, session = app_and_session
    counted = card(client, session_id=session, year=2022, count_short_plays=True)["stats"]
    expected = expected_stats(extended_plays(ROWS, None), date(2022, 1, 1), date(2022, 12, 31), 0, albums=True)
    assert counted["totals"] == expected["totals"]


def test_account_data_has_no_albums_and_counts_the_same_way(client):
    rows = eg.account_rows(eg.extended_rows(eg.make_catalog(seed=5), 700, seed=5, start="2022-05-01",
                                            end="2023-06-30", duplicates=10))
    session = upload_ok(client, eg.account_zip(rows))["session_id"]
    stats = card(client, session_id=session, year=2022, timezone="Australia/Sydney", format="square")["stats"]
    expected = expected_card(account_plays(rows["music"], "Australia/Sydney"), date(2022, 1, 1), date(2022, 12, 31),
                             albums=False)
    stats.pop("range"), expected.pop("range")
    assert stats == expected and stats["totals"]["albums"] is None


@pytest.mark.parametrize("body, status, message", [
    ({"year": 2022, "start_date": "2022-01-01"}, 400, "Send either year or start_date/end_date, not both."),
    ({"year": 2022, "end_date": "2022-01-01"}, 400, "Send either year or start_date/end_date, not both."),
    ({"year": 1999}, 400, "year must be a whole number from 2000 to 2099"),
    ({"theme": "neon"}, 400, "theme must be one of: dark, light, pulse"),
    ({"format": "a4"}, 400, "format must be one of: feed (1080x1350), story (1080x1920)"),
    ({"start_date": "2022-05-02", "end_date": "2022-05-01"}, 400, "end_date 2022-05-01 is before start_date"),
    ({"count_short_plays": "yes"}, 400, "count_short_plays must be true or false"),
    ({"year": 2030}, 422, "No plays of 30 seconds or more between 2030-01-01 and 2030-12-31; pick another date range."),
    ({"start_date": "2023-04-11", "end_date": "2023-05-01"}, 422, "No plays of 30 seconds or more between 2023-04-11"),
])
def test_a_wrong_body_names_what_is_wrong(app_and_session, body, status, message):
    client, session = app_and_session
    response = client.post("/generate_wrapped", json={"session_id": session, **body})
    assert response.status_code == status
    assert response.get_json()["error"].startswith(message)


def test_an_unknown_session_is_a_404(app_and_session):
    client, _ = app_and_session
    response = client.post("/generate_wrapped", json={"session_id": UNKNOWN_SESSION, "year": 2022})
    assert response.status_code == 404
    assert client.post("/generate_wrapped", json={"session_id": "not-a-session"}).status_code == 400


def test_the_top_artists_are_drawn_with_their_pictures_when_spotify_is_configured(upload_dir):
    from harness.artwork_checks import CATALOG, TRACKS, client_for, near
    from harness.spotify_standin import SpotifyStandin
    from src.visuals.card.card_layout import CardLayout

    with SpotifyStandin(TRACKS) as server:
        client = client_for(upload_dir, server)
        session = upload_ok(client, eg.extended_zip(eg.extended_rows(CATALOG, 1500, start="2021-01-01",
                                                                     end="2021-12-31")))["session_id"]
        answer = card(client, session_id=session, year=2021, format="feed")
    assert any(line.startswith("GET /v1/artists") for line in server.request_lines())
    pixels = picture(answer).convert("RGB")
    layout = CardLayout(*FORMATS["feed"])
    box = layout.content("artists")
    left = box.left + layout.rank_width + layout.space * 0.6
    for row, artist in enumerate(answer["stats"]["top_artists"]):
        centre = (round(left + layout.thumb_px / 2), round(box.top + (row + 0.5) * layout.row_px))
        assert near(pixels.getpixel(centre), server.artist_colour(artist["name"]), 12), artist
