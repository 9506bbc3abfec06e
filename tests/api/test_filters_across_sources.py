"""Filters on sessions of other services and on sessions an added export grew: every number recounted from
the generated exports, the filters kept across an added upload, and races (direct and as jobs) honouring them."""
from __future__ import annotations

import base64
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from backend.services.curation.versions import ALBUM_SUFFIX, SONG_SUFFIX, merged_name
from harness import exportgen as eg
from harness import servicegen as sg
from harness.media import probe_video
from harness.service import offline_app, post_upload, upload_ok
from harness.stats_truth import Play, counts, expected_stats, extended_plays
from harness.two_sources import BODY, FERRY, OWN, PERIOD, ROWS, SCROBBLES, SPOTIFY_ARTIST, VERSIONS
from harness.waiting import eventually

START, END = date(2022, 1, 1), date(2022, 3, 31)


def scrobbled_plays(plays: list[sg.Scrobble]) -> list[Play]:
    return [Play(datetime.fromtimestamp(p.started, UTC).replace(tzinfo=None), None, p.track, p.artist, p.album,
                 (p.track, p.artist), "Last.fm") for p in plays]


LASTFM_ONLY = scrobbled_plays(SCROBBLES)
COMBINED = extended_plays(ROWS, None) + scrobbled_plays(OWN + VERSIONS)
LEFT_OUT_ARTISTS = {"Scrobbled Artist 1", SPOTIFY_ARTIST}


def kept(history: list[Play]) -> list[Play]:
    return [p for p in history if p.artist not in LEFT_OUT_ARTISTS and not PERIOD[0] <= p.at <= PERIOD[1]]


def merged(history: list[Play]) -> list[Play]:
    """merge_versions: album names without their edition; songs keyed by their names (scrobbles) without their
    remaster suffix."""
    plays = [replace(p, album=p.album and merged_name(p.album, ALBUM_SUFFIX)) for p in history]
    return [replace(p, song_key=(merged_name(p.track, SONG_SUFFIX), p.artist)) if isinstance(p.song_key, tuple)
            else p for p in plays]


def top_artists(history: list[Play], n: int = 10) -> list[tuple[str, int]]:
    streams = Counter(p.artist for p in history if counts(p, 30_000) and p.artist is not None)
    return sorted(streams.items(), key=lambda item: (-item[1], item[0]))[:n]


def add(client, session_id: str, data: bytes, filename: str) -> dict:
    response = post_upload(client, data, filename, url=f"/sessions/{session_id}/uploads")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return offline_app(tmp_path_factory.mktemp("across")).test_client()


@pytest.fixture(scope="module")
def lastfm_session(client) -> str:
    session_id = upload_ok(client, sg.lastfm_csv(SCROBBLES), "scrobbles.csv")["session_id"]
    assert client.put(f"/sessions/{session_id}/filters", json=BODY).status_code == 200
    return session_id


@pytest.fixture(scope="module")
def combined_session(client) -> str:
    """Filters put on the Spotify session before the Last.fm export is added: they apply to the added plays."""
    session_id = upload_ok(client, eg.extended_zip(ROWS))["session_id"]
    assert client.put(f"/sessions/{session_id}/filters", json=BODY).status_code == 200
    add(client, session_id, sg.lastfm_csv(SCROBBLES), "scrobbles.csv")
    return session_id


def chart(client, session_id: str, **body) -> dict:
    response = client.post("/generate_image", json={"session_id": session_id, "top_n": 10, **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("session", ["lastfm_session", "combined_session"])
def test_charts_stats_and_the_card_count_what_the_filters_keep(client, session, request):
    session_id = request.getfixturevalue(session)
    history = LASTFM_ONLY if session == "lastfm_session" else COMBINED
    expected = kept(history)
    answer = chart(client, session_id)
    assert [(i["name"], i["value"]) for i in answer["items"]] == top_artists(expected)
    assert answer["filters"]["plays_set_aside"] == len(history) - len(expected) > 0
    assert answer["sources"] == (["Last.fm"] if session == "lastfm_session" else ["Spotify", "Last.fm"])
    stats = client.get(f"/sessions/{session_id}/stats").get_json()
    assert stats.pop("filters")["plays_set_aside"] == answer["filters"]["plays_set_aside"]
    truth = expected_stats(merged(expected), START, END, 30_000, albums=True)
    stats.pop("range"), truth.pop("range")
    assert stats == truth
    card = client.post("/generate_wrapped", json={"session_id": session_id}).get_json()
    assert [(a["name"], a["streams"]) for a in card["stats"]["top_artists"]] == top_artists(expected, 5)
    assert card["filters"]["plays_set_aside"] == answer["filters"]["plays_set_aside"]


@pytest.mark.parametrize("session", ["lastfm_session", "combined_session"])
def test_merge_versions_joins_the_remaster_of_the_scrobbled_plays(client, session, request):
    """On the combined session merge_versions was kept before the Last.fm plays were added: the releases it
    joins on include theirs."""
    session_id = request.getfixturevalue(session)
    songs = chart(client, session_id, selected_attribute="track_name")
    assert (songs["items"][0]["name"], songs["items"][0]["value"]) == (FERRY, len(VERSIONS))
    assert not [i for i in songs["items"] if "Remastered" in i["name"]]
    groups = {(g["kind"], g["name"]): g["versions"] for g in songs["filters"]["merged"]}
    assert groups[("song", FERRY)] == [FERRY, f"{FERRY} - Remastered 2011"]
    apart = chart(client, session_id, selected_attribute="track_name", filters={})
    assert sorted(i["value"] for i in apart["items"] if i["name"].startswith(FERRY)) == [15, 15]


def test_include_incognito_false_on_a_scrobbled_session_leaves_nothing_out_and_says_why(client, lastfm_session):
    answer = chart(client, lastfm_session, filters={"include_incognito": False})
    assert answer["filters"]["plays_set_aside"] == 0
    assert answer["filters"]["notes"] == ["Last.fm does not say which plays were incognito, so "
                                          "include_incognito: false left none of its plays out."]
    assert [(i["name"], i["value"]) for i in answer["items"]] == top_artists(LASTFM_ONLY)


def test_include_incognito_false_on_a_combined_session_leaves_out_only_spotify_s_incognito_plays(
        client, combined_session):
    incognito = sum(1 for row in eg.distinct_rows(ROWS) if row["incognito_mode"])
    answer = chart(client, combined_session, filters={"include_incognito": False})
    assert answer["filters"]["plays_set_aside"] == incognito > 0
    assert answer["filters"]["notes"] == ["Last.fm does not say which plays were incognito, so "
                                          "include_incognito: false left none of its plays out."]
    marked = {(r["ts"], r["master_metadata_track_name"]) for r in eg.distinct_rows(ROWS) if r["incognito_mode"]}
    spotify = [p for p, r in zip(extended_plays(ROWS, None), music_rows(), strict=True)
               if (r["ts"], r["master_metadata_track_name"]) not in marked]
    assert [(i["name"], i["value"]) for i in answer["items"]] == top_artists(
        spotify + scrobbled_plays(OWN + VERSIONS))


def music_rows() -> list[dict]:
    """The distinct rows extended_plays turns into plays, in its order."""
    return [r for r in eg.distinct_rows(ROWS) if r.get("master_metadata_track_name") or r.get("spotify_track_uri")]


RACE = {"top_n": 3, "days": 60, "interp_steps": 1, "speed_for_bar_animation": 2, "format": "square"}


@pytest.mark.slow
def test_a_race_job_ranks_as_the_direct_race_and_keeps_the_filters_it_started_with(client, combined_session):
    direct = client.post("/generate_animation", json={"session_id": combined_session, **RACE}).get_json()
    assert [(i["name"], i["value"]) for i in direct["items"]] == top_artists(kept(COMBINED), 3)
    started = client.post("/jobs/animation", json={"session_id": combined_session, **RACE})
    assert started.status_code == 202, started.get_json()
    job = started.get_json()
    assert job["filters"]["exclude_artists"] == BODY["exclude_artists"]
    assert job["filters"]["plays_set_aside"] == direct["filters"]["plays_set_aside"]
    # the session's filters change while the job waits or runs: the job's ranking would lose its leader
    leader = {"exclude_artists": [direct["items"][0]["name"]]}
    assert client.put(f"/sessions/{combined_session}/filters", json=leader).status_code == 200
    assert chart(client, combined_session, top_n=3)["items"][0]["name"] != direct["items"][0]["name"]
    try:
        assert eventually(lambda: client.get(job["status_url"]).get_json()["state"] in ("done", "failed"), 60)
        done = client.get(job["status_url"]).get_json()
        assert done["state"] == "done", done
        assert job["items"] == done["items"] == direct["items"]
        with client.get(f"{job['status_url']}/video") as video:
            frames = probe_video(video.data).frames
        assert len(frames) == len(probe_video(base64.b64decode(direct["video"])).frames) == done["frames_total"]
    finally:
        assert client.put(f"/sessions/{combined_session}/filters", json=BODY).status_code == 200


def test_the_openapi_document_says_filters_put_on_a_full_disk_are_507(client):
    put = client.get("/openapi.json").get_json()["paths"]["/sessions/{session_id}/filters"]["put"]
    assert "full" in put["responses"]["507"]["description"]
