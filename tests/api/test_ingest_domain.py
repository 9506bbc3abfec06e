"""The domain of stored data: plays outside it are counted, not stored; what is stored can always be charted."""
from __future__ import annotations

import duckdb
import pytest

from harness.bad_uploads import HISTORY_NAME, history_zip, row, rows_json, with_ms
from harness.service import post_upload, upload_ok
from src.exports.domain import FIRST_DAY, LAST_DAY, MAX_MS_PLAYED, MAX_NAME_CHARS

INSIDE = [row(ts="2000-01-01T00:00:00Z", artist="First"), row(ts="2099-12-31T23:59:59Z", artist="Last"),
          row(ts="2021-06-01T12:00:00Z", ms=MAX_MS_PLAYED, artist="Longest")]
OUTSIDE = [row(ts="0000-01-01T00:00:00Z"), row(ts="0001-01-01T00:00:00Z"), row(ts="1999-12-31T23:59:59Z"),
           row(ts="2100-01-01T00:00:00Z"), row(ts="9999-12-31T23:59:59Z"), row(ms=MAX_MS_PLAYED + 1)]


def stored(upload_dir, session_id: str, sql: str):
    with duckdb.connect(str(upload_dir / f"{session_id}.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_plays_outside_the_domain_are_counted_not_stored(client, upload_dir):
    incomplete = [row(ts=None), row(ms=None)]
    body = upload_ok(client, history_zip(rows_json(*INSIDE, *OUTSIDE, *incomplete, INSIDE[0])))
    summary = body["summary"]

    assert summary["rows_read"] == 12
    assert summary["rows_out_of_range"] == len(OUTSIDE) == 6
    assert summary["rows_incomplete"] == 2
    assert summary["duplicates_dropped"] == 1
    assert summary["rows_stored"] == 3
    assert (body["data_min_date"], body["data_max_date"]) == (str(FIRST_DAY), str(LAST_DAY))
    artists = stored(upload_dir, body["session_id"], "SELECT artist_name FROM plays ORDER BY ts")
    assert artists == [("First",), ("Longest",), ("Last",)]


@pytest.mark.parametrize("timezone", ["Pacific/Kiritimati", "Etc/GMT+12", "UTC", "America/St_Johns"])
def test_a_history_at_the_domain_edges_charts_with_its_default_range_in_any_zone(client, timezone):
    session_id = upload_ok(client, history_zip(rows_json(*INSIDE)))["session_id"]

    chart = client.post("/generate_image", json={"session_id": session_id, "timezone": timezone,
                                                 "figsize": [4, 4], "dpi": 80})
    assert chart.status_code == 200, chart.get_json()
    body = chart.get_json()
    assert sorted(item["name"] for item in body["items"]) == ["First", "Last", "Longest"]
    # Kiritimati (UTC+14) moves the last play into 2100, Etc/GMT+12 (UTC-12) the first into 1999.
    first = {"Pacific/Kiritimati": "2000-01-01", "Etc/GMT+12": "1999-12-31"}.get(timezone)
    last = {"Pacific/Kiritimati": "2100-01-01", "Etc/GMT+12": "2099-12-31"}.get(timezone)
    if first:
        assert (body["start_date"], body["end_date"]) == (first, last)

    race = client.post("/generate_animation", json={"session_id": session_id, "timezone": timezone, "period": "m",
                                                    "days": 3660, "interp_steps": 1, "speed_for_bar_animation": 1,
                                                    "figsize": [4, 4], "dpi": 80})
    assert race.status_code == 200, race.get_json()
    assert race.get_json()["frames"] > 0


def test_fractional_ms_played_is_rounded(client, upload_dir):
    rows = [dict(row(ts=f"2021-01-01T00:00:0{k}Z"), ms_played=ms) for k, ms in enumerate([1.4, 1.6, 30000.5])]
    session_id = upload_ok(client, history_zip(rows_json(*rows)))["session_id"]
    assert stored(upload_dir, session_id, "SELECT ms_played FROM plays ORDER BY ts") == [(1,), (2,), (30001,)]


def test_long_names_are_cut_to_the_longest_stored(client, upload_dir):
    long = "Ω" * 1_000_000
    played = dict(row(artist=long, track=long), master_metadata_album_album_name=long, conn_country=long)
    body = upload_ok(client, rows_json(played), filename=HISTORY_NAME)
    lengths = stored(upload_dir, body["session_id"], """SELECT length(artist_name), length(track_name),
                     length(album_name), length(conn_country) FROM plays""")
    assert lengths == [(MAX_NAME_CHARS,) * 4]
    chart = client.post("/generate_image", json={"session_id": body["session_id"], "figsize": [4, 4], "dpi": 80})
    assert chart.status_code == 200
    assert chart.get_json()["items"][0]["name"] == "Ω" * MAX_NAME_CHARS


@pytest.mark.parametrize("raw", ["9223372036854775808", "1e308", "NaN", "Infinity", "-1", '"200000"'])
def test_ms_played_that_does_not_fit_names_the_file(client, raw):
    response = post_upload(client, with_ms(raw), filename=HISTORY_NAME)
    assert response.status_code == 422
    assert response.get_json()["error"].startswith(f"{HISTORY_NAME}: ms_played ")
    assert "not a number of milliseconds" in response.get_json()["error"]


def test_the_member_named_is_the_one_holding_the_bad_value(client):
    from harness.bad_uploads import FOLDER, make_zip
    data = make_zip({FOLDER + "Streaming_History_Audio_2020.json": rows_json(row()),
                     FOLDER + "Streaming_History_Audio_2021_3.json": with_ms("1e308")})
    error = post_upload(client, data).get_json()["error"]
    assert error.startswith("Streaming_History_Audio_2021_3.json: ms_played '1e308'")


def test_account_rows_follow_the_same_domain(client):
    rows = [{"endTime": "2023-10-02 23:43", "artistName": "A", "trackName": "T", "msPlayed": 40000},
            {"endTime": "9999-12-31 23:59", "artistName": "A", "trackName": "T", "msPlayed": 40000},
            {"endTime": "2023-10-03 10:00", "artistName": "A", "trackName": "T", "msPlayed": 40000.6}]
    body = upload_ok(client, rows_json(*rows), filename="StreamingHistory_music_0.json")
    assert (body["summary"]["rows_stored"], body["summary"]["rows_out_of_range"]) == (2, 1)
    bad = post_upload(client, rows_json(dict(rows[0], msPlayed=-5)), filename="StreamingHistory_music_0.json")
    assert bad.status_code == 422
    assert bad.get_json()["error"].startswith("StreamingHistory_music_0.json: msPlayed '-5'")
