"""POST /process: every export generation is recognised, counted and stored without personal data."""
from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import duckdb
import pytest

from backend.app import create_app
from backend.services.ingest import plays as db
from harness import exportgen as eg
from harness.service import leftovers, post_upload, upload_ok
from src.exports import ExportUnusable

ROWS = 6000
DUPLICATES = 150


@pytest.fixture(scope="module")
def rows():
    return eg.extended_rows(eg.make_catalog(), ROWS, duplicates=DUPLICATES, start="2016-01-01", end="2023-12-31")


def stored(upload_dir, session_id: str, sql: str):
    with duckdb.connect(str(upload_dir / f"{session_id}.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_extended_export_summary_matches_an_independent_count(client, upload_dir, rows):
    expected = eg.expected_summary(rows)
    body = upload_ok(client, eg.extended_zip(rows, per_file=2000))
    summary = body["summary"]

    assert summary["format"] == "extended"
    assert summary["files_read"] == -(-(ROWS + DUPLICATES) // 2000)
    assert summary["rows_read"] == expected["rows_read"] == ROWS + DUPLICATES
    assert summary["rows_stored"] == expected["rows_stored"]
    assert summary["duplicates_dropped"] == DUPLICATES
    assert summary["streams"] == expected["streams"]
    assert summary["podcast_plays"] == expected["episode_rows"] > 0
    assert summary["audiobook_plays"] == expected["audiobook_rows"] > 0
    assert summary["albums_available"] is True
    assert body["data_min_date"] == expected["first_ts"][:10]
    assert body["data_max_date"] == expected["last_ts"][:10]
    kinds = dict(stored(upload_dir, body["session_id"], "SELECT kind, count(*) FROM plays GROUP BY kind"))
    assert kinds["episode"] == expected["episode_rows"]
    assert kinds["audiobook"] == expected["audiobook_rows"]
    assert kinds["unknown"] == expected["unknown_rows"]


def test_video_history_and_readme_pdf_are_handled(client, rows):
    body = upload_ok(client, eg.extended_zip(rows[:4000], video_rows=rows[4000:4500]))
    assert body["summary"]["rows_read"] == 4500
    assert any(name.startswith("Streaming_History_Video_") for name in body["summary"]["file_names"])
    assert not any(name.endswith(".pdf") for name in body["summary"]["file_names"])


PERSONAL_COLUMN = re.compile(r"(^|_)(ip|user|username|agent)(_|$)|offline_timestamp", re.IGNORECASE)


@pytest.mark.parametrize("layout", ["extended", "endsong"])
def test_no_personal_field_is_stored(client, upload_dir, rows, layout):
    body = upload_ok(client, eg.extended_zip(rows, layout=layout, per_file=2500))
    assert body["summary"]["rows_stored"] == eg.expected_summary(rows)["rows_stored"]
    columns = [name for (name,) in stored(upload_dir, body["session_id"],
                                          "SELECT column_name FROM duckdb_columns() WHERE NOT internal")]
    assert "ts" in columns and [column for column in columns if PERSONAL_COLUMN.search(column)] == []
    # nor their values, anywhere in the file: every address, the username, every user agent
    raw = (upload_dir / f"{body['session_id']}.duckdb").read_bytes()
    personal = {r["ip_addr"] for r in rows if r.get("ip_addr")} | {eg.FAKE_USERNAME}
    personal |= {r["user_agent_decrypted"] for r in eg.endsong_rows(rows) if r["user_agent_decrypted"] != "unknown"}
    assert [value for value in personal if value.encode() in raw] == []


def test_overlapping_exports_count_each_play_once(client, rows):
    overlapping = rows[:3000] + rows[2000:5000]
    body = upload_ok(client, eg.extended_zip(overlapping, per_file=3000))
    assert body["summary"]["rows_stored"] == len(eg.distinct_rows(rows[:5000]))


def test_only_whole_row_copies_are_duplicates(client, upload_dir, rows):
    track = next(row for row in rows[40:] if row["master_metadata_track_name"])
    episode = next(row for row in rows[40:] if row["episode_name"])
    # Same stop time and duration but another song, or another skip flag: separate plays.
    other_song = dict(track, master_metadata_track_name=track["master_metadata_track_name"] + " (Live)")
    other_flag = dict(track, skipped=not track["skipped"])
    # Copies whose many empty (null) fields match are still copies.
    plays = [track, track, other_song, other_flag, episode, dict(episode), dict(episode)] + rows[:40]
    expected = eg.distinct_rows(plays)
    body = upload_ok(client, json.dumps(plays).encode(), filename="Streaming_History_Audio_2016.json")

    assert body["summary"]["rows_stored"] == len(expected)
    assert body["summary"]["duplicates_dropped"] == len(plays) - len(expected)
    same_moment = stored(upload_dir, body["session_id"], f"""
        SELECT count(*) FROM plays WHERE ts = '{track["ts"][:19].replace("T", " ")}'
        AND ms_played = {track["ms_played"]}""")
    assert same_moment == [(3,)]


@pytest.mark.parametrize("layout", ["2024", "2020", "2019"])
def test_account_data_generations(client, rows, layout):
    by_kind = eg.account_rows(rows)
    body = upload_ok(client, eg.account_zip(by_kind, layout=layout))
    summary = body["summary"]
    assert summary["format"] == "account"
    assert "Account data" in summary["format_label"]
    assert summary["albums_available"] is False
    flat = by_kind["music"] + by_kind["podcast"] + (by_kind["audiobook"] if layout == "2024" else [])
    assert summary["rows_stored"] == len(eg.distinct_rows(flat))
    if layout == "2024":
        assert summary["podcast_plays"] == len(eg.distinct_rows(by_kind["podcast"]))
        assert summary["audiobook_plays"] == len(eg.distinct_rows(by_kind["audiobook"]))


def test_single_history_json_upload(client, rows):
    body = upload_ok(client, json.dumps(rows[:1000]).encode(), filename="Streaming_History_Audio_2020.json")
    assert body["summary"]["rows_read"] == 1000


def test_single_account_json_upload(client, rows):
    music = eg.account_rows(rows[:1000])["music"]
    body = upload_ok(client, json.dumps(music).encode(), filename="StreamingHistory_music_0.json")
    assert body["summary"]["format"] == "account"
    assert body["summary"]["rows_read"] == len(music)


def test_account_package_without_history_says_what_it_is(client):
    response = post_upload(client, eg.account_only_zip())
    assert response.status_code == 422
    assert "Account data package without streaming history" in response.get_json()["error"]


def test_spotify_zip_quirks_are_read(client, rows):
    """Folder entry after the files with content, data descriptors, UTF-8 names."""
    data = eg.extended_zip(rows[:500])
    members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert members[-1].is_dir() and members[-1].file_size > 0
    assert all(info.flag_bits & 0x808 == 0x808 for info in members)
    body = upload_ok(client, data)
    assert body["summary"]["files_read"] == 1
    assert body["summary"]["rows_read"] == 500


def test_rows_without_time_or_duration_are_counted_not_stored(client, rows):
    broken = [dict(rows[0], ms_played=None), dict(rows[1], ts=None)] + rows[2:50]
    body = upload_ok(client, json.dumps(broken).encode(), filename="Streaming_History_Audio_2016.json")
    assert body["summary"]["rows_incomplete"] == 2
    assert body["summary"]["rows_stored"] == len(eg.distinct_rows(rows[2:50]))
    assert body["summary"]["file_names"] == ["Streaming_History_Audio_2016.json"]


@pytest.mark.parametrize("failure, status", [(ExportUnusable("no usable plays"), 422),
                                             (OSError(28, "No space left on device"), 507),
                                             (RuntimeError("a bug half way"), 500)])
def test_ingest_failing_half_way_leaves_nothing_and_frees_its_slot(upload_dir, rows, monkeypatch, failure, status):
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_SESSIONS": 1})
    client = app.test_client()
    written = []

    def fail_after_the_plays_table(*args):
        written.extend(p.stat().st_size for p in upload_dir.glob(".work-*/session.duckdb"))
        raise failure

    monkeypatch.setattr(db, "_summarise", fail_after_the_plays_table)
    response = post_upload(client, eg.extended_zip(rows[:2000]))
    assert response.status_code == status
    assert response.get_json()["error"]
    assert written and written[0] > 0  # the DuckDB file existed, partly written
    assert leftovers(upload_dir) == []
    monkeypatch.undo()
    assert upload_ok(client, eg.extended_zip(rows[:2000]))["summary"]["rows_read"] == 2000


DIES_MID_INGEST = textwrap.dedent("""
    import os, signal, sys
    from backend.app import create_app
    from backend.services.ingest import plays as db
    from harness.service import post_upload

    def killed(*args):
        os.kill(os.getpid(), signal.SIGKILL)

    db._summarise = killed
    app = create_app({"TESTING": True, "UPLOAD_DIR": sys.argv[1], "MAX_SESSIONS": 1})
    post_upload(app.test_client(), open(sys.argv[2], "rb").read())
""")


def test_ingest_whose_process_died_never_becomes_a_session(upload_dir, tmp_path, rows):
    export = tmp_path / "export.zip"
    export.write_bytes(eg.extended_zip(rows[:2000]))
    died = subprocess.run([sys.executable, "-c", DIES_MID_INGEST, str(upload_dir), str(export)],
                          cwd=Path(eg.__file__).resolve().parents[1], capture_output=True, timeout=120)
    assert died.returncode == -signal.SIGKILL, died.stderr.decode()[-2000:]
    left = leftovers(upload_dir)
    assert not [name for name in left if name.endswith(".duckdb") and "/" not in name]
    assert any(name.endswith("/session.duckdb") for name in left)  # the half-written file, in its scratch
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_SESSIONS": 1})
    session_id = upload_ok(app.test_client(), export.read_bytes())["session_id"]  # the slot was freed
    assert leftovers(upload_dir) == [f"{session_id}.duckdb"]  # and the dead upload's files removed
