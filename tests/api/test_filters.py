"""Filters kept with a session: every answer recounted from the export with those plays removed, the
refusals (status and message), where the filters live, and what the pictures say was left out."""
from __future__ import annotations

import base64
import io
import json
from datetime import UTC, date, datetime

import numpy as np
import pytest
from PIL import Image

from backend.services.sessions import cleanup_old_sessions
from harness import exportgen as eg
from harness.filtering import RowFilter, kept_rows, top_artists
from harness.service import offline_app, upload_ok
from harness.stats_truth import ROWS, STREAM_MS, expected_stats, extended_plays

DISTINCT = eg.distinct_rows(ROWS)
FIRST, LAST = date(2021, 10, 20), date(2023, 4, 10)
# As a person might type them: another letter case, no accents, a typographic apostrophe.
OLAFUR, TYPED_OLAFUR = "Ólafur Zieliński", "OLAFUR ZIELINSKI"
PERIOD = (datetime(2022, 5, 1, 0, 0), datetime(2022, 6, 30, 23, 59, 59))


def _song_and_album() -> tuple[tuple[str, str], tuple[str, str]]:
    """The most played song and album of an artist other than Ólafur's, from the rows."""
    songs, albums = {}, {}
    for row in DISTINCT:
        artist = row["master_metadata_album_artist_name"]
        if artist and artist != OLAFUR and row["master_metadata_track_name"]:
            song = (row["master_metadata_track_name"], artist)
            songs[song] = songs.get(song, 0) + 1
            album = (row["master_metadata_album_album_name"], artist)
            albums[album] = albums.get(album, 0) + 1
    return max(songs, key=songs.get), max((a for a in albums if a[1] != max(songs, key=songs.get)[1]), key=albums.get)


SONG, ALBUM = _song_and_album()
BODY = {"exclude_artists": [TYPED_OLAFUR, "Nobody Here"],
        "exclude_tracks": [{"track": SONG[0].upper(), "artist": SONG[1]}],
        "exclude_albums": [{"album": ALBUM[0], "artist": ALBUM[1].lower()}],
        "exclude_periods": [{"start": "2022-05-01T02:00:00+02:00", "end": "2022-06-30T23:59:59Z"}],
        "include_incognito": False}
EXACT = RowFilter(frozenset({OLAFUR}), frozenset({SONG}), frozenset({ALBUM}), (PERIOD,), include_incognito=False)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    upload_dir = tmp_path_factory.mktemp("filters")
    client = offline_app(upload_dir).test_client()
    return client, upload_ok(client, eg.extended_zip(ROWS))["session_id"], upload_dir


@pytest.fixture
def filtered(service):
    client, session, _ = service
    response = client.put(f"/sessions/{session}/filters", json=BODY)
    assert response.status_code == 200, response.get_json()
    yield client, session, response.get_json()
    assert client.delete(f"/sessions/{session}/filters").status_code == 200


def count(predicate) -> int:
    return sum(1 for row in DISTINCT if predicate(row))


def test_the_answer_says_what_each_entry_sets_aside_as_recounted_from_the_export(filtered):
    _, _, answer = filtered
    applied = answer["filters"]
    artist = lambda row: row["master_metadata_album_artist_name"]  # noqa: E731
    assert applied["set_aside"] == {
        "exclude_artists": [count(lambda row: artist(row) == OLAFUR), 0],
        "exclude_tracks": [count(lambda row: (row["master_metadata_track_name"], artist(row)) == SONG)],
        "exclude_albums": [count(lambda row: (row["master_metadata_album_album_name"], artist(row)) == ALBUM)],
        "exclude_periods": [count(lambda row: PERIOD[0] <= datetime.strptime(row["ts"], "%Y-%m-%dT%H:%M:%SZ")
                                  <= PERIOD[1])],
        "incognito": count(lambda row: row["incognito_mode"])}
    assert applied["plays_set_aside"] == len(DISTINCT) - len(kept_rows(ROWS, EXACT)) > 0
    assert applied["exclude_periods"] == [{"start": "2022-05-01T00:00:00Z", "end": "2022-06-30T23:59:59Z"}]
    assert min(applied["set_aside"]["exclude_tracks"] + applied["set_aside"]["exclude_albums"]) > 0


def test_statistics_are_those_of_the_export_without_the_plays_left_out(filtered):
    client, session, _ = filtered
    got = client.get(f"/sessions/{session}/stats").get_json()
    expected = expected_stats(extended_plays(kept_rows(ROWS, EXACT), None), FIRST, LAST, STREAM_MS, albums=True)
    assert got.pop("filters")["plays_set_aside"] == len(DISTINCT) - len(kept_rows(ROWS, EXACT))
    assert got.pop("range") == {**expected.pop("range"), "timezone": "UTC"}
    assert got == expected


def test_the_chart_and_the_card_rank_what_is_kept(filtered):
    client, session, _ = filtered
    chart = client.post("/generate_image", json={"session_id": session}).get_json()
    assert chart["items"] == top_artists(kept_rows(ROWS, EXACT))
    assert OLAFUR in [item["name"] for item in top_artists(DISTINCT)]
    card = client.post("/generate_wrapped", json={"session_id": session}).get_json()
    expected = top_artists(kept_rows(ROWS, EXACT), 5)
    assert [(a["name"], a["streams"]) for a in card["stats"]["top_artists"]] == [(e["name"], e["value"])
                                                                                 for e in expected]
    assert card["filters"]["plays_set_aside"] == chart["filters"]["plays_set_aside"]


def test_a_request_s_own_filters_replace_the_session_s_for_it_alone(filtered):
    client, session, _ = filtered
    unfiltered = client.post("/generate_image", json={"session_id": session, "filters": {}}).get_json()
    assert unfiltered["items"] == top_artists(DISTINCT) and "filters" not in unfiltered
    own = {"exclude_artists": ["青い鳥合唱団"]}
    answer = client.post("/generate_image", json={"session_id": session, "filters": own}).get_json()
    assert answer["items"] == top_artists(kept_rows(ROWS, RowFilter(frozenset({"青い鳥合唱団"}))))
    assert answer["filters"]["exclude_artists"] == ["青い鳥合唱団"]
    again = client.post("/generate_image", json={"session_id": session}).get_json()
    assert again["items"] == top_artists(kept_rows(ROWS, EXACT))


def test_a_session_without_filters_answers_as_before(service):
    client, session, _ = service
    answer = client.post("/generate_image", json={"session_id": session}).get_json()
    assert "filters" not in answer and answer["items"] == top_artists(DISTINCT)
    assert client.get(f"/sessions/{session}/filters").get_json()["filters"]["plays_set_aside"] == 0


LONG = "x" * 301
REFUSALS = [
    ({"exclude_artist": ["A"]}, 400, "Unknown filter field 'exclude_artist'; the fields are: exclude_artists, "
                                     "exclude_tracks, exclude_albums, exclude_periods, include_incognito, "
                                     "merge_versions."),
    ({"exclude_periods": [{"start": "2023-09-10T09:00:00Z", "end": "2023-09-10T01:00:00Z"}]}, 400,
     "exclude_periods[0] ends (2023-09-10T01:00:00Z) before it starts (2023-09-10T09:00:00Z); send an end on or "
     "after the start."),
    ({"exclude_periods": [{"start": "2023-09-10T01:00:00", "end": "2023-09-10T09:00:00Z"}]}, 400,
     'exclude_periods[0].start must be an ISO 8601 date (2000-2099) and time in UTC or with an offset, e.g. '
     '"2023-09-10T01:00:00Z" (a time without an offset could be any zone\'s).'),
    ({"exclude_artists": [LONG]}, 400, "exclude_artists[0] is 301 characters long; names hold at most 300."),
    ({"exclude_tracks": [{"track": "Rain Sounds"}]}, 400,
     'exclude_tracks[0] must be an object with exactly "track" and "artist", e.g. {"track": "Rain Sounds", '
     '"artist": "Sleep Sounds"}.'),
    ({"include_incognito": "no"}, 400, "include_incognito must be true or false."),
    # a JSON string holding an object is a string all the same, however the framework reads it
    (json.dumps({"exclude_artists": ["A"]}), 400, "filters must be a JSON object with any of: exclude_artists, "
                                                  "exclude_tracks, exclude_albums, exclude_periods, include_incognito, "
                                                  "merge_versions."),
    ({"exclude_artists": ["A"] * 600, "exclude_periods": [{"start": "2023-01-01T00:00:00Z",
                                                            "end": "2023-01-02T00:00:00Z"}] * 401}, 413,
     "The filters hold 1,001 entries; at most 1,000 are kept (artists, songs, albums and periods together). "
     "Leave out a whole artist or a longer period instead."),
]


@pytest.mark.parametrize("body, status, message", REFUSALS)
def test_bad_filters_are_refused_with_what_is_wrong(service, body, status, message):
    client, session, upload_dir = service
    response = client.put(f"/sessions/{session}/filters", json=body)
    assert (response.status_code, response.get_json()) == (status, {"error": message})
    assert not (upload_dir / f"{session}.filters.json").exists()
    if len(json.dumps(body)) < 16_000:   # a request's own filters: within MAX_JSON_KB
        response = client.post("/generate_image", json={"session_id": session, "filters": body})
        assert (response.status_code, response.get_json()) == (status, {"error": message})


def test_a_thousand_long_names_fit_and_one_more_entry_does_not(service):
    client, session, _ = service
    entries = [{"track": f"{index} " + "ö" * 290, "artist": "Ä" * 300} for index in range(1000)]
    response = client.put(f"/sessions/{session}/filters", json={"exclude_tracks": entries})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["filters"]["set_aside"]["exclude_tracks"] == [0] * 1000
    response = client.put(f"/sessions/{session}/filters", json={"exclude_tracks": entries, "exclude_artists": ["A"]})
    assert response.status_code == 413 and "1,001 entries" in response.get_json()["error"]
    assert client.delete(f"/sessions/{session}/filters").status_code == 200


def test_filters_live_beside_the_session_survive_a_restart_and_go_with_it(tmp_path):
    client = offline_app(tmp_path).test_client()
    sessions = [upload_ok(client, eg.extended_zip(ROWS[:300]))["session_id"] for _ in range(2)]
    for session in sessions:
        assert client.put(f"/sessions/{session}/filters", json={"merge_versions": True}).status_code == 200
    kept = tmp_path / f"{sessions[0]}.filters.json"
    assert json.loads(kept.read_text())["merge_versions"] is True
    restarted = offline_app(tmp_path).test_client()
    assert restarted.get(f"/sessions/{sessions[0]}/filters").get_json()["filters"]["merge_versions"] is True
    assert restarted.delete(f"/sessions/{sessions[0]}").status_code == 200
    assert not kept.exists()
    assert cleanup_old_sessions(restarted.application.extensions["sessions"], now=datetime.now(UTC).timestamp()
                                + 10**9) == [sessions[1]]
    assert sorted(path.name for path in tmp_path.iterdir() if not path.name.startswith(".")) == ["jobs"]


def test_account_data_says_it_cannot_leave_out_incognito_plays(client):
    session = upload_ok(client, eg.account_zip(eg.account_rows(ROWS[:400])))["session_id"]
    answer = client.put(f"/sessions/{session}/filters", json={"include_incognito": False}).get_json()["filters"]
    assert answer["plays_set_aside"] == 0 and answer["notes"] == [
        "This export (Account data) does not say which plays were incognito; only the Extended streaming history "
        "does, so include_incognito: false left nothing out here."]


def footer_band(answer: dict) -> np.ndarray:
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(answer["image"]))).convert("L")).astype(int)
    return pixels[-pixels.shape[0] // 20:]


def test_the_drawn_footer_says_what_was_left_out_and_nothing_when_nothing_was(service):
    client, session, _ = service
    def chart(filters):
        return client.post("/generate_image", json={"session_id": session, "filters": filters}).get_json()
    plain, unmatched, left_out = chart({}), chart({"exclude_artists": ["Nobody Here"]}), chart(BODY)
    assert unmatched["filters"]["plays_set_aside"] == 0
    assert np.abs(footer_band(unmatched) - footer_band(plain)).max() <= 24    # JPEG noise, the same words
    assert np.abs(footer_band(left_out) - footer_band(plain)).mean() > 2       # other words
    reference = drawn_footer("Streams of plays of 30 s or more (UTC days) · 1 artist, 1 song, 1 album, 1 period "
                             "and incognito left out")
    assert np.abs(footer_band(left_out) - reference).mean() < 1.5


def drawn_footer(words: str) -> np.ndarray:
    """The footer band of a feed-size chart page whose footer says `words`, painted as the service paints it."""
    from src.visuals.chart.layout import Layout
    from src.visuals.painter import Entry, FramePainter, Page
    from src.visuals.style import count_format
    from src.visuals.themes import THEMES
    layout = Layout(1080, 1350, 10, False, race=False, pictures=False)
    painter = FramePainter(layout, THEMES["dark"], [Entry("A", None, (90, 90, 200), None)], Page("t", "s", words),
                           count_format(), largest_value=1)
    band = Image.fromarray(painter.canvas.background[..., :3]).convert("L")
    pixels = np.asarray(band).astype(int)
    return pixels[-pixels.shape[0] // 20:]


def test_the_openapi_document_describes_the_filters_and_repeats(client):
    document = client.get("/openapi.json").get_json()
    paths = document["paths"]
    put = paths["/sessions/{session_id}/filters"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/FiltersBody"}
    assert set(put["responses"]) >= {"200", "400", "403", "404", "413"}
    assert set(paths["/sessions/{session_id}/filters"]) == {"get", "put", "delete"}
    assert {p["name"] for p in paths["/sessions/{session_id}/repeats"]["get"]["parameters"]} >= {
        "timezone", "min_plays", "min_minutes"}
    schemas = document["components"]["schemas"]
    assert set(schemas["FiltersBody"]["properties"]) == {"exclude_artists", "exclude_tracks", "exclude_albums",
                                                         "exclude_periods", "include_incognito", "merge_versions"}
    assert schemas["FiltersBody"]["additionalProperties"] is False
    assert "filters" not in schemas["CardStats"]["properties"]
    for answer in ("Image", "Video", "JobStarted", "Wrapped", "SessionStats"):
        assert "filters" in schemas[answer]["properties"], answer
    for body in ("ChartBody", "RaceBody", "WrappedBody"):
        assert "filters" in schemas[body]["properties"], body


def test_a_session_stored_before_filters_says_to_upload_again(client, upload_dir):
    import duckdb
    session = upload_ok(client, eg.extended_zip(ROWS[:300]))["session_id"]
    with duckdb.connect(str(upload_dir / f"{session}.duckdb")) as con:
        # as such a file is: no releases, and a summary without a layout or version beside it
        con.execute("DROP TABLE releases")
        con.execute("CREATE OR REPLACE TABLE session_info AS SELECT summary FROM session_info")
    assert client.post("/generate_image", json={"session_id": session}).status_code == 200
    response = client.put(f"/sessions/{session}/filters", json={"merge_versions": True})
    assert (response.status_code, response.get_json()) == (422, {"error": (
        "This session was stored before filters could be applied to it; upload the export again with POST "
        "/process to use them.")})


def test_the_card_s_drawn_footer_says_what_was_left_out(service):
    client, session, _ = service
    def card(filters):
        return client.post("/generate_wrapped", json={"session_id": session, "filters": filters}).get_json()
    plain, unmatched, left_out = card({}), card({"exclude_artists": ["Nobody Here"]}), card(BODY)
    assert np.abs(footer_band(unmatched) - footer_band(plain)).max() <= 24
    assert np.abs(footer_band(left_out) - footer_band(plain)).mean() > 2


def test_a_picture_says_only_what_was_left_out_of_its_own_range(service):
    """The footer speaks of the picture's range: a period outside it left nothing out of that picture, though the
    answer still says what the filters set aside in the session."""
    client, session, _ = service
    period_only = {"exclude_periods": BODY["exclude_periods"]}

    def chart(start: str, end: str, filters: dict) -> dict:
        return client.post("/generate_image", json={"session_id": session, "start_date": start, "end_date": end,
                                                    "filters": filters}).get_json()

    before = chart("2022-01-01", "2022-04-29", period_only)
    assert before["filters"]["plays_set_aside"] > 0
    assert np.abs(footer_band(before) - footer_band(chart("2022-01-01", "2022-04-29", {}))).max() <= 24
    across = chart("2022-04-01", "2022-07-31", period_only)
    reference = drawn_footer("Streams of plays of 30 s or more (UTC days) · 1 period left out")
    assert np.abs(footer_band(across) - reference).mean() < 1.5

    def card(filters: dict) -> np.ndarray:
        answer = client.post("/generate_wrapped", json={"session_id": session, "year": 2021,
                                                         "filters": filters}).get_json()
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(answer["image"]))).convert("L")).astype(int)

    assert np.abs(card(period_only) - card({})).max() <= 24    # the 2021 card: nothing of it was left out
