"""Other services' exports, uploaded as their services or exporters write them: each play stored as it was
recorded (recounted from the generated files), what a service leaves out counted, and what it lacks said."""
from __future__ import annotations

import codecs
import io
import json
import time
import zipfile
from collections import Counter
from datetime import UTC, datetime

import pytest

from backend.services.sessions import open_session
from harness import servicegen as sg
from harness.bad_uploads import make_zip
from harness.service import post_upload, upload_ok

PLAYS = sg.own_plays(120, "2021-01-30")
PLAY_COLUMNS = "ts, ms_played, kind, track_name, artist_name, album_name, source"


def stored(upload_dir, session_id: str) -> list[tuple]:
    with open_session(upload_dir / f"{session_id}.duckdb") as con:
        return con.execute(f"SELECT {PLAY_COLUMNS} FROM plays ORDER BY ts, track_name").fetchall()


def expected(plays: list[sg.Scrobble], source: str, albums: bool = True, millis=lambda seconds: False) -> list[tuple]:
    """The stored rows the plays must become; `millis` says which times the service wrote with milliseconds."""
    return sorted((recorded(p.started, millis(p.started)), p.ms, "track", p.track, p.artist,
                   p.album if albums else None, source) for p in plays)


def recorded(seconds: int, millis: bool) -> datetime:
    at = datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
    return at.replace(microsecond=sg.millis_of(seconds) * 1000) if millis else at


def apple(plays: list[sg.Scrobble], albums: bool = True) -> list[tuple]:
    return expected(plays, "Apple Music", albums, millis=lambda seconds: True)


def top_artists(client, session_id: str, n: int = 5, metric: str = "Streams") -> dict:
    response = client.post("/generate_image", json={"session_id": session_id, "selected_attribute": "artist_name",
                                                     "analysis_metric": metric, "top_n": n})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def recounted_top(plays: list[sg.Scrobble], n: int = 5) -> list[tuple[str, int]]:
    counts = Counter(p.artist for p in plays)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]


@pytest.mark.parametrize("layout, plays", [("uts", PLAYS), ("utc_time", sg.to_minute(PLAYS)),
                                           ("plain", sg.to_minute(PLAYS))])
def test_lastfm_csv_layouts_store_every_scrobble(client, upload_dir, layout, plays):
    answer = upload_ok(client, sg.lastfm_csv(plays, layout), "scrobbles.csv")
    summary = answer["summary"]
    assert summary["source"] == "Last.fm" and summary["format"] == {"uts": "lastfm", "utc_time": "lastfm_utc_time",
                                                                    "plain": "lastfm_plain"}[layout]
    assert (summary["rows_read"], summary["rows_stored"], summary["plays_without_duration"]) == (120, 120, 120)
    assert summary["streams"] == summary["music_streams"] == 120
    # Quoted fields with commas ("Song 3, part 1") and empty albums (stored as none) come through as written.
    assert stored(upload_dir, answer["session_id"]) == expected(plays, "Last.fm")
    assert any(p.album is None for p in plays) and any("," in p.track for p in plays)
    chart = top_artists(client, answer["session_id"])
    assert [(item["name"], item["value"]) for item in chart["items"]] == recounted_top(plays)
    assert (chart["sources"], chart["plays_without_duration"]) == (["Last.fm"], 0)


def test_a_lastfm_csv_with_a_byte_order_mark_inside_a_zip(client, upload_dir):
    csv = codecs.BOM_UTF8 + sg.lastfm_csv(PLAYS)
    answer = upload_ok(client, make_zip({"export/scrobbles.csv": csv, "export/README.txt": b"from an exporter"}),
                       "lastfm.zip")
    assert answer["summary"]["file_names"] == ["scrobbles.csv"]
    assert stored(upload_dir, answer["session_id"]) == expected(PLAYS, "Last.fm")


def test_a_lastfm_csv_with_windows_line_ends_and_quoted_header(client, upload_dir):
    csv = sg.lastfm_csv(PLAYS).replace(b"\n", b"\r\n")
    header, rest = csv.split(b"\r\n", 1)
    quoted = b",".join(b'"' + name + b'"' for name in header.split(b","))
    answer = upload_ok(client, quoted + b"\r\n" + rest, "scrobbles.csv")
    assert answer["summary"]["format"] == "lastfm"
    assert stored(upload_dir, answer["session_id"]) == expected(PLAYS, "Last.fm")


def test_a_utf16_lastfm_csv_is_read(client, upload_dir):
    answer = upload_ok(client, sg.lastfm_csv(PLAYS).decode().encode("utf-16"), "scrobbles.csv")
    assert stored(upload_dir, answer["session_id"]) == expected(PLAYS, "Last.fm")


def test_formula_looking_cells_are_stored_as_text(client, upload_dir):
    formula = '=HYPERLINK("http://example.com","x")'
    plays = [sg.Scrobble(formula, "+1 Song", "-Album", 1612101900), sg.Scrobble("@Artist", "Song", None, 1612102900)]
    answer = upload_ok(client, sg.lastfm_csv(plays), "scrobbles.csv")
    assert stored(upload_dir, answer["session_id"]) == expected(plays, "Last.fm")


def test_a_field_of_a_megabyte_is_cut_to_the_stored_name_length(client, upload_dir):
    plays = [sg.Scrobble("A" * 2**20, "Song", None, 1612101900), sg.Scrobble("B", "Song", None, 1612102900)]
    answer = upload_ok(client, sg.lastfm_csv(plays), "scrobbles.csv")
    assert [row[4] for row in stored(upload_dir, answer["session_id"])] == ["A" * 300, "B"]


def test_listenbrainz_export_zip(client, upload_dir):
    answer = upload_ok(client, sg.listenbrainz_zip(PLAYS), "listenbrainz_exportgen.zip")
    summary = answer["summary"]
    assert (summary["format"], summary["source"], summary["rows_stored"]) == ("listenbrainz", "ListenBrainz", 120)
    # One file a month (user.json and feedback.jsonl are not listens).
    assert sorted(summary["file_names"]) == sorted({f"{time.gmtime(p.started).tm_mon}.jsonl" for p in PLAYS})
    assert stored(upload_dir, answer["session_id"]) == expected(PLAYS, "ListenBrainz")


def test_a_lone_listenbrainz_jsonl(client, upload_dir):
    listens = sg.listenbrainz_zip(PLAYS[:10])
    with zipfile.ZipFile(io.BytesIO(listens)) as archive:
        member = next(name for name in archive.namelist() if name.startswith("listens/"))
        lines = archive.read(member)
    answer = upload_ok(client, lines, "1.jsonl")
    assert stored(upload_dir, answer["session_id"]) == expected(PLAYS[:10], "ListenBrainz")


@pytest.mark.parametrize("as_zip", [False, True], ids=["watch-history.json", "takeout.zip"])
def test_youtube_music_keeps_music_and_counts_what_it_leaves_out(client, upload_dir, as_zip):
    history = sg.youtube_history(PLAYS, removed=3, ads=2, videos=4)
    data = sg.takeout_zip(history) if as_zip else json.dumps(history.entries).encode()
    answer = upload_ok(client, data, "takeout.zip" if as_zip else "watch-history.json")
    summary = answer["summary"]
    assert (summary["format"], summary["source"], summary["rows_read"]) == ("youtube_music", "YouTube Music", 129)
    assert summary["rows_left_out"] == {"ads": 2, "removed videos": 3, "videos that are not music": 4}
    assert (summary["rows_stored"], summary["albums_available"]) == (120, False)
    # "Watched " and " - Topic" removed; YouTube Music names no album.
    assert stored(upload_dir, answer["session_id"]) == expected(PLAYS, "YouTube Music", albums=False,
                                                                millis=sg.youtube_millis)
    album_chart = client.post("/generate_image", json={"session_id": answer["session_id"],
                                                       "selected_attribute": "album_name"})
    assert album_chart.status_code == 422 and "YouTube Music" in album_chart.get_json()["error"]


def test_apple_music_older_play_activity(client, upload_dir):
    plays = sg.with_lengths(PLAYS)
    answer = upload_ok(client, sg.apple_zip(plays, newer=False), "apple.zip")
    summary = answer["summary"]
    assert (summary["format"], summary["source"]) == ("apple_music", "Apple Music")
    noise = len(range(0, 120, 5))
    assert summary["rows_read"] == 120 + noise and summary["rows_left_out"]["events without a song"] == noise
    assert summary["plays_without_duration"] == 0
    assert summary["streams"] == sum(p.ms >= 30_000 for p in plays)
    assert stored(upload_dir, answer["session_id"]) == apple(plays)


def test_apple_music_newer_play_activity_takes_artists_from_daily_tracks(client, upload_dir):
    """A title one artist has is theirs; one that two artists share on the same day stays unknown."""
    plays = sg.with_lengths(sg.own_plays(60, "2021-01-30", titles_of_their_own=True))
    shared_title = [sg.Scrobble("First Choir", "Intro", None, plays[-1].started + 600, 95_000),
                    sg.Scrobble("Second Choir", "Intro", None, plays[-1].started + 900, 95_000)]
    assert len({p.track for p in plays}) == len({(p.track, p.artist) for p in plays})
    answer = upload_ok(client, sg.apple_zip(plays + shared_title, newer=True), "apple.zip")
    assert answer["summary"]["format"] == "apple_music_no_artist"
    assert answer["summary"]["plays_without_artist"] == 2
    unknown = [sg.Scrobble(None, p.track, p.album, p.started, p.ms) for p in shared_title]
    assert stored(upload_dir, answer["session_id"]) == sorted(apple(plays) + apple(unknown), key=by_time_and_track)


def by_time_and_track(row: tuple) -> tuple:
    return row[0], row[3]


def test_apple_music_newer_play_activity_alone_keeps_artists_unknown(client, upload_dir):
    plays = sg.with_lengths(PLAYS)
    answer = upload_ok(client, sg.apple_zip(plays, newer=True, daily_tracks=False), "apple.zip")
    assert answer["summary"]["plays_without_artist"] == 120
    unknown = [sg.Scrobble(None, p.track, p.album, p.started, p.ms) for p in plays]
    assert stored(upload_dir, answer["session_id"]) == apple(unknown)


def test_a_minutes_chart_of_plays_without_durations_says_why_it_cannot_be_drawn(client):
    session_id = upload_ok(client, sg.lastfm_csv(PLAYS), "scrobbles.csv")["session_id"]
    response = client.post("/generate_image", json={"session_id": session_id, "analysis_metric": "duration_ms"})
    assert response.status_code == 422
    assert "Last.fm, which records no play durations" in response.get_json()["error"]


def test_nothing_in_range_is_refused_and_leaves_nothing(client, upload_dir):
    old = [sg.Scrobble("A", "T", None, 0), sg.Scrobble("B", "T", None, 86_400)]   # 1970: clocks never set
    response = post_upload(client, sg.lastfm_csv(old), "scrobbles.csv")
    assert response.status_code == 422 and "dated outside 2000-01-01" in response.get_json()["error"]
    assert list(upload_dir.glob("*.duckdb")) == []
