"""Each stored play names its release (release_id): the row of `releases` with its own kind, names and Spotify
track, written at ingest and again for every play when an upload is added. Filters decide on those releases,
so a filter after an added upload must leave out the added plays as well."""
from __future__ import annotations

from collections import Counter

from backend.services.sessions import open_session
from harness import exportgen as eg
from harness import servicegen as sg
from harness.service import post_upload, upload_ok

ROWS = eg.extended_rows(eg.make_catalog(), 300, seed=7, start="2022-01-01", end="2022-03-31")
OWN = sg.own_plays(30, "2022-02-01")   # plays of artists only the scrobbler recorded
RELEASE = ("kind", "track_name", "artist_name", "album_name", "track_uri")


def stored_releases(upload_dir, session_id: str) -> tuple[list[tuple], dict[int, tuple]]:
    """Each play's release id and its own (kind, names, Spotify track); the releases by id with their plays."""
    with open_session(upload_dir / f"{session_id}.duckdb") as con:
        plays = con.execute(f"SELECT release_id, {', '.join(RELEASE)} FROM plays").fetchall()
        releases = {row[0]: row[1:] for row in con.execute(
            f"SELECT id, {', '.join(RELEASE)}, plays FROM releases").fetchall()}
    return plays, releases


def assert_each_play_names_its_release(plays: list[tuple], releases: dict[int, tuple]) -> None:
    for release_id, *names in plays:
        if all(name is None for name in names[1:]):
            assert release_id is None
        else:
            assert releases[release_id][:-1] == tuple(names)
    recounted = Counter(release_id for release_id, *_ in plays if release_id is not None)
    assert {release_id: release[-1] for release_id, release in releases.items()} == recounted
    # one release per distinct (kind, names, Spotify track)
    assert len({release[:-1] for release in releases.values()}) == len(releases)


def test_every_play_names_its_release_at_ingest_and_after_an_added_upload(client, upload_dir):
    session = upload_ok(client, eg.extended_zip(ROWS))["session_id"]
    plays, releases = stored_releases(upload_dir, session)
    assert len(plays) == len(eg.distinct_rows(ROWS))
    assert_each_play_names_its_release(plays, releases)
    added = post_upload(client, sg.lastfm_csv(OWN), "scrobbles.csv", url=f"/sessions/{session}/uploads")
    assert added.status_code == 200, added.get_json()
    plays, releases = stored_releases(upload_dir, session)
    assert len(plays) == len(eg.distinct_rows(ROWS)) + len(OWN)
    assert_each_play_names_its_release(plays, releases)


def test_a_filter_leaves_out_the_plays_an_added_upload_brought(client, upload_dir):
    session = upload_ok(client, eg.extended_zip(ROWS))["session_id"]
    assert post_upload(client, sg.lastfm_csv(OWN), "scrobbles.csv",
                       url=f"/sessions/{session}/uploads").status_code == 200
    artist = Counter(play.artist for play in OWN).most_common(1)[0][0]
    body = {"session_id": session, "selected_attribute": "artist_name", "top_n": 50}
    unfiltered = client.post("/generate_image", json=body).get_json()["items"]
    answer = client.post("/generate_image", json={**body, "filters": {"exclude_artists": [artist]}}).get_json()
    assert answer["filters"]["plays_set_aside"] == sum(play.artist == artist for play in OWN) > 0
    assert artist in [item["name"] for item in unfiltered]
    pairs = lambda items: [(item["name"], item["value"]) for item in items]  # noqa: E731
    others = [item for item in unfiltered if item["name"] != artist]
    assert pairs(answer["items"])[:len(others)] == pairs(others)
