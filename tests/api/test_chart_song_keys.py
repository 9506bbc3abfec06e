"""Songs and albums are keyed without a separator that names could contain: crafted names stay apart."""
from __future__ import annotations

import pytest

from backend.services.charts import choices, queries
from backend.services.sessions.database import open_session
from harness.bad_uploads import history_zip, row, rows_json
from harness.service import upload_ok

SEP = "\x1f"  # the separator song keys used to join name and artist with


def play(minute: int, track: str, artist: str | None, album: str = "Album", uri: str | None = None) -> dict:
    return dict(row(ts=f"2021-09-23T09:{minute:02d}:00Z", track=track, artist=artist),
                master_metadata_album_album_name=album, spotify_track_uri=uri)


# Each pair was one key when name and artist were joined with \x1f (and a missing artist read as "").
COLLIDING_SONGS = [
    (play(1, f"A{SEP}B", "C"), play(2, "A", f"B{SEP}C")),
    (play(3, "Solo", None), play(4, "Solo", "")),
    # a URI that reads like a (name, artist) key: a URI key is one element, never two
    (play(5, "N", "M", uri='["N", "M"]'), play(6, "N", "M")),
]
COLLIDING_ALBUMS = [
    (play(7, "x", "C", album=f"Best{SEP}Of"), play(8, "y", f"Of{SEP}C", album="Best")),
    (play(9, "z", None, album="Hits"), play(10, "w", "", album="Hits")),
]


@pytest.fixture
def session(client):
    plays = [p for pair in COLLIDING_SONGS + COLLIDING_ALBUMS for p in pair]
    return upload_ok(client, history_zip(rows_json(*plays)))["session_id"]


def ranked(client, session_id: str, attribute: str) -> list[tuple]:
    response = client.post("/generate_image", json={"session_id": session_id, "selected_attribute": attribute,
                                                    "top_n": 50, "figsize": [4, 4], "dpi": 80})
    assert response.status_code == 200, response.get_json()
    return sorted((item["name"], item["artist"] or "", item["value"]) for item in response.get_json()["items"])


def test_crafted_songs_stay_distinct(client, session):
    songs = ranked(client, session, "Song")
    assert len(songs) == 2 * len(COLLIDING_SONGS) + 2 * len(COLLIDING_ALBUMS)
    assert all(value == 1 for _, _, value in songs)
    assert (f"A{SEP}B", "C", 1) in songs and ("A", f"B{SEP}C", 1) in songs


def test_crafted_albums_stay_distinct(client, session):
    albums = ranked(client, session, "Album")
    assert (f"Best{SEP}Of", "C", 1) in albums and ("Best", f"Of{SEP}C", 1) in albums
    assert [entry for entry in albums if entry[0] == "Hits"] == [("Hits", "", 1), ("Hits", "", 1)]


@pytest.mark.parametrize("attribute, distinct", [("track_name", 10), ("album_name", 9)])
def test_race_keys_stay_distinct(upload_dir, session, attribute, distinct):
    with open_session(upload_dir / f"{session}.duckdb") as con:
        scope = queries.PlayScope(*queries.date_bounds(con, None))
        daily = queries.daily_values(con, choices.ATTRIBUTES[attribute], choices.METRICS["Streams"], scope)
        names = queries.names_of(con, choices.ATTRIBUTES[attribute], [str(key) for key in daily.keys], scope)
    assert len(set(daily.keys)) == len(daily.keys) == distinct
    assert len(names) == distinct
