"""merge_versions (one recording, one entry; a live recording and a same-named song of another album apart)
and GET /sessions/<id>/repeats (the stretches of one song, ready to paste into the filters)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backend.services.curation.versions import ALBUM_SUFFIX, SONG_SUFFIX, merged_name
from harness import exportgen as eg
from harness.filtering import play_row
from harness.service import upload_ok

ARTIST = "The Band"
SONG_RULES = [("Song - Remastered 2011", "Song"), ("Song - 2011 Remaster", "Song"), ("Song (Remastered)", "Song"),
              ("Song - 2009 Digital Remaster", "Song"), ("Song - Remastered Version", "Song"),
              ("Song [2015 Remaster]", "Song"), ("Song - Live at Wembley", "Song - Live at Wembley"),
              ("Song - Acoustic", "Song - Acoustic"), ("Song (Remastered) - Live", "Song (Remastered) - Live"),
              ("Remastered", "Remastered"), ("Song - Radio Edit", "Song - Radio Edit")]
ALBUM_RULES = [("Album (Deluxe Edition)", "Album"), ("Album (Deluxe)", "Album"), ("Album (Expanded Edition)", "Album"),
               ("Album (Super Deluxe Edition)", "Album"), ("Album - Deluxe Version", "Album"),
               ("Album (2011 Remaster)", "Album"), ("Album (Live)", "Album (Live)")]


@pytest.mark.parametrize("name, merged", SONG_RULES)
def test_each_documented_song_rule(name, merged):
    assert merged_name(name, SONG_SUFFIX) == merged


@pytest.mark.parametrize("name, merged", ALBUM_RULES)
def test_each_documented_album_rule(name, merged):
    assert merged_name(name, ALBUM_SUFFIX) == merged


def at(minutes: int) -> str:
    return (datetime(2023, 3, 1, 12) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


# (track, album, uri, plays): one recording in three releases, a live recording, a song of the same name on
# another album, and another artist's song of the same name.
RELEASES = [("Song", "Album", "spotify:track:a1", 5), ("Song - Remastered 2011", "Album (Deluxe Edition)",
                                                       "spotify:track:a2", 4),
            ("Song (Remastered)", "Album (Deluxe)", "spotify:track:a3", 3),
            ("Song - Live at Wembley", "Live at Wembley", "spotify:track:l1", 6),
            ("Intro", "Album", "spotify:track:i1", 2), ("Intro", "Other Album", "spotify:track:i2", 2)]


def versions_rows() -> list[dict]:
    rows, minute = [], 0
    for track, album, uri, plays in RELEASES:
        for _ in range(plays):
            rows.append(play_row(at(minute), track, ARTIST, album, uri))
            minute += 5
    rows += [play_row(at(minute + 5 * k), "Song", "Another Band", "Album", "spotify:track:o1") for k in range(7)]
    return rows


def test_merged_versions_count_as_one_and_the_answer_lists_the_groups(client):
    session = upload_ok(client, eg.extended_zip(versions_rows()))["session_id"]
    body = {"session_id": session, "selected_attribute": "track_name", "top_n": 10}
    plain = client.post("/generate_image", json=body).get_json()["items"]
    merged = client.post("/generate_image", json={**body, "filters": {"merge_versions": True}}).get_json()
    assert [(i["name"], i["artist"], i["value"]) for i in merged["items"]] == [
        ("Song", ARTIST, 12), ("Song", "Another Band", 7), ("Song - Live at Wembley", ARTIST, 6),
        ("Intro", ARTIST, 2), ("Intro", ARTIST, 2)]
    assert len(plain) == 7
    assert merged["filters"]["merged_groups"] == 2 and merged["filters"]["merged"] == [
        {"kind": "song", "name": "Song", "artist": ARTIST, "releases": 3,
         "versions": ["Song", "Song (Remastered)", "Song - Remastered 2011"]},
        {"kind": "album", "name": "Album", "artist": ARTIST, "releases": 3,
         "versions": ["Album", "Album (Deluxe Edition)", "Album (Deluxe)"]}]
    albums = client.post("/generate_image", json={**body, "selected_attribute": "album_name",
                                                  "filters": {"merge_versions": True}}).get_json()["items"]
    assert [(i["name"], i["value"]) for i in albums] == [("Album", 14), ("Album", 7), ("Live at Wembley", 6),
                                                         ("Other Album", 2)]
    stats = client.get(f"/sessions/{session}/stats").get_json()
    assert stats["totals"]["songs"] == 7
    assert client.put(f"/sessions/{session}/filters", json={"merge_versions": True}).status_code == 200
    assert client.get(f"/sessions/{session}/stats").get_json()["totals"]["songs"] == 5


def repeat_rows() -> list[dict]:
    """A loop of 25 plays of one song from 01:00 UTC, other songs around it, and a 3-play repeat."""
    start = datetime(2023, 9, 10, 1, 0)
    stamp = lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    rows = [play_row(stamp(start - timedelta(minutes=10 * k)), f"Other {k}", "Someone", "A", f"spotify:track:o{k}")
            for k in range(1, 4)]
    rows += [play_row(stamp(start + timedelta(minutes=3 * k)), "Rain Sounds", "Sleep Sounds", "Sleep",
                      "spotify:track:rain", ms=180_000) for k in range(25)]
    rows.append(play_row(stamp(start + timedelta(minutes=80)), "Morning", "Someone", "A", "spotify:track:m"))
    rows += [play_row(stamp(start + timedelta(minutes=85 + 4 * k)), "Short Loop", "Someone", "A", "spotify:track:s")
             for k in range(3)]
    return rows


def test_repeats_are_found_longest_first_and_paste_into_the_filters(client):
    session = upload_ok(client, eg.extended_zip(repeat_rows()))["session_id"]
    answer = client.get(f"/sessions/{session}/repeats", query_string={"timezone": "Europe/Berlin"}).get_json()
    assert answer["repeats"] == [{"track": "Rain Sounds", "artist": "Sleep Sounds", "start": "2023-09-10T00:57:00Z",
                                  "end": "2023-09-10T02:12:00Z", "plays": 25, "minutes": 75.0, "night_share": 1.0}]
    loose = client.get(f"/sessions/{session}/repeats", query_string={"min_plays": 3, "min_minutes": 500}).get_json()
    assert [(r["track"], r["plays"]) for r in loose["repeats"]] == [("Rain Sounds", 25), ("Short Loop", 3)]
    new_york = client.get(f"/sessions/{session}/repeats", query_string={"timezone": "America/New_York"}).get_json()
    assert new_york["repeats"][0]["night_share"] == 0.0     # 20:57 to 22:12 there
    stretch = answer["repeats"][0]
    put = client.put(f"/sessions/{session}/filters",
                     json={"exclude_periods": [{"start": stretch["start"], "end": stretch["end"]}]})
    assert put.get_json()["filters"]["plays_set_aside"] == 25


@pytest.mark.parametrize("query, field", [({"min_plays": 1}, "min_plays"), ({"min_minutes": "0"}, "min_minutes"),
                                          ({"timezone": "Mars/Olympus"}, "timezone")])
def test_repeats_refuse_what_is_out_of_range(client, query, field):
    session = upload_ok(client, eg.extended_zip(repeat_rows()))["session_id"]
    response = client.get(f"/sessions/{session}/repeats", query_string=query)
    assert response.status_code == 400
    assert response.get_json()["error"].startswith(f"{field} must be ")


def test_account_data_merges_by_names(client):
    session = upload_ok(client, eg.account_zip(eg.account_rows(versions_rows())))["session_id"]
    body = {"session_id": session, "selected_attribute": "track_name", "filters": {"merge_versions": True}}
    items = client.post("/generate_image", json=body).get_json()["items"]
    # no albums in Account data: "Intro" of two albums is one name, as the songs chart counts it without merging
    assert [(i["name"], i["artist"], i["value"]) for i in items] == [
        ("Song", ARTIST, 12), ("Song", "Another Band", 7), ("Song - Live at Wembley", ARTIST, 6),
        ("Intro", ARTIST, 4)]
