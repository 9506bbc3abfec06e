"""What filters leave out is worked out once per version of a session and kept: an added export makes a new
version (the same filters then count its plays too), and files written in the earlier layout answer alike."""
from __future__ import annotations

import duckdb
import pytest

from harness import exportgen as eg
from harness.filtering import RowFilter, kept_rows, top_artists
from harness.service import offline_app, post_upload, upload_ok
from harness.stats_truth import ROWS

FIRST, SECOND = ROWS[:700], ROWS[700:1400]
ARTIST = top_artists(eg.distinct_rows(FIRST), 1)[0]["name"]
BODY = {"exclude_artists": [ARTIST], "merge_versions": True}


def set_aside(rows: list[dict]) -> int:
    return len(eg.distinct_rows(rows)) - len(kept_rows(rows, RowFilter(frozenset({ARTIST}))))


def first_day(rows: list[dict]) -> str:
    """The first UTC day of the plays the filters keep of the rows."""
    return min(row["ts"] for row in kept_rows(rows, RowFilter(frozenset({ARTIST}))))[:10]


def last_day(rows: list[dict]) -> str:
    return max(row["ts"] for row in kept_rows(rows, RowFilter(frozenset({ARTIST}))))[:10]


@pytest.fixture
def client(tmp_path):
    return offline_app(tmp_path).test_client()


def test_an_added_export_is_counted_by_the_filters_already_applied(client):
    session = upload_ok(client, eg.extended_zip(FIRST))["session_id"]
    assert client.put(f"/sessions/{session}/filters", json=BODY).status_code == 200
    before = client.post("/generate_image", json={"session_id": session}).get_json()
    assert before["filters"]["plays_set_aside"] == set_aside(FIRST) > 0
    added = post_upload(client, eg.extended_zip(SECOND), url=f"/sessions/{session}/uploads")
    assert added.status_code == 200, added.get_json()
    after = client.post("/generate_image", json={"session_id": session}).get_json()
    both = FIRST + SECOND
    assert after["filters"]["plays_set_aside"] == set_aside(both) > set_aside(FIRST)
    # the first and last days are those of the new version, not those kept with the first one's filters
    assert (before["start_date"], before["end_date"]) == (first_day(FIRST), last_day(FIRST))
    assert (after["start_date"], after["end_date"]) == (first_day(both), last_day(both)) != (
        before["start_date"], before["end_date"])
    assert after["items"] == top_artists(kept_rows(both, RowFilter(frozenset({ARTIST}))))
    report = client.get(f"/sessions/{session}/filters").get_json()
    assert report["filters"]["set_aside"]["exclude_artists"] == [set_aside(both)]


def as_first_layout(path) -> None:
    """Rewrite a session's file as files were written before layouts were recorded: merged_track_uri NULL where
    merging changes no track, and a summary without layout or version."""
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE plays SET merged_track_uri = NULL WHERE merged_track_uri = track_uri")
        con.execute("CREATE OR REPLACE TABLE session_info AS SELECT summary FROM session_info")


def test_a_file_of_the_first_layout_answers_as_the_current_one(client, tmp_path):
    session = upload_ok(client, eg.extended_zip(FIRST))["session_id"]
    asks = [{"selected_attribute": attribute, "top_n": 10} for attribute in ("track_name", "album_name")]
    current = [client.post("/generate_image", json={"session_id": session, "filters": BODY, **ask}).get_json()
               for ask in asks]
    with duckdb.connect(str(tmp_path / f"{session}.duckdb")) as con:
        unchanged = con.execute("SELECT count(*) FROM plays WHERE merged_track_uri = track_uri").fetchone()[0]
    assert unchanged > 0
    as_first_layout(tmp_path / f"{session}.duckdb")
    first = [client.post("/generate_image", json={"session_id": session, "filters": BODY, **ask}).get_json()
             for ask in asks]
    for now, then in zip(current, first, strict=True):
        assert (then["items"], then["filters"]) == (now["items"], now["filters"])
    assert current[0]["filters"]["plays_set_aside"] == set_aside(FIRST)
