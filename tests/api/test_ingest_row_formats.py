"""Each export format is one RowFormat carrying everything ingest needs: every format's rows land in `plays`
with exactly its columns, and a format that is not Spotify's own is recognised and stored from its object alone.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from backend.services.ingest import IngestSummary, ingest_export
from harness.bad_uploads import make_zip
from harness.service import upload_ok
from src.exports import ExportUnusable, Limits, RowFormat, recognise, unpack_upload
from src.exports.domain import MAX_NAME_CHARS
from src.exports.recognise import ROW_FORMATS
from src.exports.row_formats import (
    ACCOUNT,
    DERIVED_COLUMNS,
    EXTENDED,
    MAPPED_COLUMNS,
    PLAYS_COLUMNS,
    SPOTIFY_FORMATS,
    quoted,
    stored_name,
)
from src.exports.service_formats import SERVICE_FORMATS

LIMITS = Limits(max_extracted_bytes=16 * 2**20, max_members=50, max_ratio=200)
NO_TEXT = "NULL::VARCHAR"

# A generation Spotify never wrote: its own file names, keys, duration key and time layout.
LISTENING_LOG = RowFormat(
    key="log",
    label="Listening log",
    name_patterns=(re.compile(r"^ListeningLog_\d+\.json$", re.IGNORECASE),),
    marker_key='"duration"',
    columns={"played_at": "VARCHAR", "duration": "JSON", "song": "VARCHAR", "singer": "VARCHAR",
             "record": "VARCHAR", "device": "VARCHAR"},
    time_column="played_at",
    time_format="%d.%m.%Y %H:%M:%S",
    time_example="23.09.2021 09:28:29",
    ms_column="duration",
    plays={"kind": "CASE WHEN song IS NOT NULL THEN 'track' ELSE 'unknown' END",
           "track_name": stored_name("song"), "artist_name": stored_name("singer"),
           "album_name": stored_name("record"), "track_uri": NO_TEXT, "episode_name": NO_TEXT, "show_name": NO_TEXT,
           "episode_uri": NO_TEXT, "audiobook_title": NO_TEXT, "chapter_title": NO_TEXT,
           "platform": stored_name("device"), "conn_country": NO_TEXT, "skipped": "NULL::BOOLEAN",
           "incognito_mode": "NULL::BOOLEAN"},
)


def log_row(played_at: str | None, duration: float, song: str, record: str = "Record") -> dict:
    return {"played_at": played_at, "duration": duration, "song": song, "singer": "Singer", "record": record,
            "device": "radio", "owner": "someone@example.com"}


# One member of each format and the `plays` row it must become (all PLAYS_COLUMNS, in order).
EXAMPLES = {
    "extended": ("Spotify Extended Streaming History/Streaming_History_Audio_2021.json",
                 {"ts": "2021-09-23T09:28:29Z", "platform": "android", "ms_played": 200_000.5, "conn_country": "DE",
                  "ip_addr": "203.0.113.9", "master_metadata_track_name": "Track",
                  "master_metadata_album_artist_name": "Artist", "master_metadata_album_album_name": "Album",
                  "spotify_track_uri": "spotify:track:abc", "episode_name": None, "episode_show_name": None,
                  "spotify_episode_uri": None, "skipped": True, "incognito_mode": True},
                 (datetime(2021, 9, 23, 9, 28, 29), 200_001, "track", "Track", "Artist", "Album", "spotify:track:abc",
                  None, None, None, None, None, "android", "DE", True, True, "Spotify")),
    "account": ("Spotify Account Data/StreamingHistory_podcast_0.json",
                {"endTime": "2023-10-02 23:43", "podcastName": "Show", "episodeName": "Episode", "msPlayed": 180_000},
                (datetime(2023, 10, 2, 23, 43), 180_000, "episode", None, None, None, None, "Episode", "Show",
                 None, None, None, None, None, None, None, "Spotify")),
}


def ingest(tmp_path: Path, upload: bytes) -> tuple[RowFormat, IngestSummary, list[str], list[tuple]]:
    """Unpack and ingest an upload as /process does; the stored `plays` columns and rows (as PLAYS_COLUMNS
    orders them), oldest first."""
    source, unpacked_dir, db_path = tmp_path / "upload", tmp_path / "unpacked", tmp_path / "session.duckdb"
    source.write_bytes(upload)
    unpacked_dir.mkdir()
    unpacked = unpack_upload(source, unpacked_dir, LIMITS)
    summary = ingest_export(unpacked, db_path, tmp_path, max_rows=1000)
    with duckdb.connect(str(db_path), read_only=True) as con:
        columns = [name for name, *_ in con.execute("DESCRIBE plays").fetchall()]
        rows = con.execute(f"SELECT {', '.join(PLAYS_COLUMNS)} FROM plays ORDER BY ts, track_name").fetchall()
    return unpacked.row_format, summary, columns, rows


def test_every_spotify_format_has_an_example_here():
    """Other services' formats have theirs in test_ingest_service_exports.py."""
    assert set(EXAMPLES) == {fmt.key for fmt in SPOTIFY_FORMATS}
    assert SPOTIFY_FORMATS == (EXTENDED, ACCOUNT)
    assert (*SPOTIFY_FORMATS, *SERVICE_FORMATS) == ROW_FORMATS


@pytest.mark.parametrize("fmt", SPOTIFY_FORMATS, ids=lambda fmt: fmt.key)
def test_a_format_maps_onto_exactly_the_plays_columns(fmt, tmp_path):
    member, raw, stored = EXAMPLES[fmt.key]
    assert tuple(fmt.plays) == MAPPED_COLUMNS == PLAYS_COLUMNS[2:-1]
    row_format, summary, columns, rows = ingest(tmp_path, make_zip({member: json.dumps([raw]).encode()}))
    assert row_format is fmt and summary.format == fmt.key
    assert sorted(columns) == sorted(PLAYS_COLUMNS + DERIVED_COLUMNS)   # in any order: every reader names its columns
    assert rows == [stored]


@pytest.mark.parametrize("fmt", (*ROW_FORMATS, LISTENING_LOG), ids=lambda fmt: fmt.key)
def test_a_formats_time_example_is_a_time_in_its_format(fmt):
    with duckdb.connect() as con:
        parsed = con.execute(f"SELECT {fmt.time_sql()} FROM (SELECT ? AS {quoted(fmt.time_column)})",
                             [fmt.time_example]).fetchone()[0]
    assert parsed is not None


@pytest.mark.parametrize("plays", [
    {column: NO_TEXT for column in MAPPED_COLUMNS[:-1]},
    {column: NO_TEXT for column in reversed(MAPPED_COLUMNS)},
    {**{column: NO_TEXT for column in MAPPED_COLUMNS}, "reason_end": NO_TEXT},
], ids=["one missing", "reordered", "one extra"])
def test_a_format_must_map_every_plays_column_in_order(plays):
    with pytest.raises(ValueError, match="must map exactly"):
        RowFormat(**{**LISTENING_LOG.__dict__, "plays": plays})


def test_a_formats_time_and_ms_columns_must_be_read():
    with pytest.raises(ValueError, match="duration not among its columns"):
        RowFormat(**{**LISTENING_LOG.__dict__, "columns": {"played_at": "VARCHAR", "song": "VARCHAR"}})


@pytest.fixture
def with_listening_log(monkeypatch):
    monkeypatch.setattr(recognise, "ROW_FORMATS", (*ROW_FORMATS, LISTENING_LOG))


def test_a_new_format_needs_only_its_object(with_listening_log, tmp_path):
    history = [log_row("23.09.2021 09:28:29", 200_000, "Song"), log_row("23.09.2021 09:28:29", 200_000, "Song"),
               log_row("01.01.2022 00:00:05", 31_000.5, "Ω" * (MAX_NAME_CHARS + 5), record=None),
               log_row(None, 5_000, "No time")]
    upload = make_zip({"Log/ListeningLog_1.json": json.dumps(history).encode(), "Log/ReadMe.txt": b"not history"})
    row_format, summary, columns, rows = ingest(tmp_path, upload)
    assert row_format is LISTENING_LOG
    assert (summary.format, summary.format_label) == ("log", "Listening log")
    assert summary.file_names == ["ListeningLog_1.json"]
    assert (summary.rows_read, summary.rows_stored, summary.duplicates_dropped, summary.rows_incomplete) == (4, 2, 1, 1)
    assert (summary.streams, summary.music_streams, summary.albums_available) == (2, 2, True)
    assert (summary.data_min_date, summary.data_max_date) == ("2021-09-23", "2022-01-01")
    assert sorted(columns) == sorted(PLAYS_COLUMNS + DERIVED_COLUMNS)   # in any order: every reader names its columns
    assert rows == [
        (datetime(2021, 9, 23, 9, 28, 29), 200_000, "track", "Song", "Singer", "Record", None, None, None, None, None,
         None, "radio", None, None, None, "Spotify"),
        (datetime(2022, 1, 1, 0, 0, 5), 31_001, "track", "Ω" * MAX_NAME_CHARS, "Singer", None, None, None, None,
         None, None, None, "radio", None, None, None, "Spotify")]


def test_a_new_formats_lone_file_is_told_by_its_marker_key(with_listening_log, tmp_path):
    row_format, summary, _, rows = ingest(tmp_path, json.dumps([log_row("02.03.2024 10:11:12", 60_000, "A")]).encode())
    assert row_format is LISTENING_LOG and summary.format == "log"
    assert [row[:4] for row in rows] == [(datetime(2024, 3, 2, 10, 11, 12), 60_000, "track", "A")]


def test_a_time_in_another_layout_is_refused_with_the_formats_own_example(with_listening_log, tmp_path):
    upload = make_zip({"ListeningLog_7.json": json.dumps([log_row("2021-09-23T09:28:29Z", 1_000, "A")]).encode()})
    with pytest.raises(ExportUnusable) as refused:
        ingest(tmp_path, upload)
    assert refused.value.message.startswith("ListeningLog_7.json: played_at '2021-09-23T09:28:29Z' is not a time like "
                                            "23.09.2021 09:28:29")


def test_a_json_file_of_no_format_names_every_formats_keys(with_listening_log, tmp_path):
    with pytest.raises(ExportUnusable) as refused:
        ingest(tmp_path, b'[{"name": "x"}]')
    assert "'ts'/'ms_played' (extended), 'endTime'/'msPlayed' (account), 'played_at'/'duration' (log)" in (
        refused.value.message)


def test_process_answers_a_new_formats_summary(with_listening_log, client):
    upload = make_zip({"ListeningLog_1.json": json.dumps([log_row("23.09.2021 09:28:29", 200_000, "Song")]).encode()})
    body = upload_ok(client, upload)
    assert (body["summary"]["format"], body["summary"]["rows_stored"]) == ("log", 1)
    assert (body["data_min_date"], body["data_max_date"]) == ("2021-09-23", "2021-09-23")
