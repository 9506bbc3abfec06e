"""POST /sessions/<id>/uploads: several exports on one timeline, a play two sources hold counted once, every
number recounted from the generated exports."""
from __future__ import annotations

import base64
import hashlib
import io
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pytest
from PIL import Image

from backend.routes.models import RaceBody
from backend.services.artwork import ArtworkSettings
from backend.services.charts import build_race
from backend.services.ingest.merge import merge_plays
from backend.services.ingest.plays import IngestSummary, ingest_export
from backend.services.sessions import open_session
from harness import exportgen as eg
from harness import servicegen as sg
from harness.bad_uploads import history_zip, row, rows_json
from harness.service import leftovers, offline_app, post_upload, upload_ok
from harness.stats_truth import Play, expected_stats, extended_plays
from src.exports import Limits, unpack_upload

ROWS = eg.extended_rows(eg.make_catalog(), 400, seed=5, start="2022-01-01", end="2022-03-31")
SHARED = sg.scrobbled(ROWS, 0.5)     # Spotify plays a scrobbler also recorded
OWN = sg.own_plays(40, "2022-02-01")   # plays only the scrobbler recorded
START, END = date(2022, 1, 1), date(2022, 3, 31)


def add(client, session_id: str, data: bytes, filename: str):
    return post_upload(client, data, filename, url=f"/sessions/{session_id}/uploads")


def add_ok(client, session_id: str, data: bytes, filename: str) -> dict:
    response = add(client, session_id, data, filename)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def scrobbled_plays(plays: list[sg.Scrobble], source: str) -> list[Play]:
    return [Play(datetime.fromtimestamp(p.started, UTC).replace(tzinfo=None), None, p.track, p.artist, p.album,
                 (p.track, p.artist), source) for p in plays]


def day(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


@pytest.fixture
def spotify_session(client) -> str:
    return upload_ok(client, eg.extended_zip(ROWS))["session_id"]


def test_a_scrobbled_spotify_play_counts_once(client, spotify_session):
    spotify_stored = client.get(f"/sessions/{spotify_session}").get_json()["summary"]["rows_stored"]
    answer = add_ok(client, spotify_session, sg.lastfm_csv(SHARED + OWN), "scrobbles.csv")
    summary = answer["summary"]
    assert answer["session_id"] == spotify_session
    assert (summary["source"], summary["rows_read"], summary["rows_stored"]) == ("Last.fm", len(SHARED + OWN),
                                                                                 len(OWN))
    assert (summary["duplicates_of_other_sources"], summary["already_in_session"]) == (len(SHARED), 0)
    assert len(SHARED) > 100
    assert summary["sources"] == [
        {"source": "Spotify", "uploads": 1, "rows_read": 400, "plays_kept": spotify_stored,
         "duplicates_of_other_sources": 0, "first_date": "2022-01-01", "last_date": "2022-03-31"},
        {"source": "Last.fm", "uploads": 1, "rows_read": len(SHARED + OWN), "plays_kept": len(OWN),
         "duplicates_of_other_sources": len(SHARED), "first_date": day(OWN[0].started),
         "last_date": day(OWN[-1].started)}]
    session = client.get(f"/sessions/{spotify_session}").get_json()
    assert session["summary"] == summary
    assert (session["data_min_date"], session["data_max_date"]) == ("2022-01-01", "2022-03-31")
    stats = client.get(f"/sessions/{spotify_session}/stats").get_json()
    expected = expected_stats(extended_plays(ROWS, None) + scrobbled_plays(OWN, "Last.fm"), START, END, 30_000,
                              albums=True)
    stats.pop("range"), expected.pop("range")
    assert stats == expected
    assert stats["sources"] == ["Spotify", "Last.fm"] and stats["totals"]["plays_without_duration"] == len(OWN)


def test_charts_of_the_timeline_count_streams_from_both_and_minutes_from_spotify(client, spotify_session):
    add_ok(client, spotify_session, sg.lastfm_csv(SHARED + OWN), "scrobbles.csv")
    history = extended_plays(ROWS, None) + scrobbled_plays(OWN, "Last.fm")
    counted = [p for p in history if p.ms is None or p.ms >= 30_000]
    streams, ms = defaultdict(int), defaultdict(int)
    for play in counted:
        if play.artist is not None:
            streams[play.artist] += 1
            ms[play.artist] += play.ms or 0
    for metric, values, unit in (("Streams", streams, lambda v: v),
                                 ("duration_ms", ms, lambda v: round(v / 60_000, 2))):
        response = client.post("/generate_image", json={"session_id": spotify_session, "analysis_metric": metric,
                                                         "top_n": 8})
        answer = response.get_json()
        ranked = sorted((name for name in values if values[name]), key=lambda name: (-values[name], name))[:8]
        assert [(item["name"], item["value"]) for item in answer["items"]] == [(n, unit(values[n])) for n in ranked]
        assert answer["sources"] == ["Spotify", "Last.fm"]
        assert answer["plays_without_duration"] == (len(OWN) if metric == "duration_ms" else 0)


def chart_pixels(client, session_id: str) -> np.ndarray:
    answer = client.post("/generate_image", json={"session_id": session_id, "analysis_metric": "duration_ms",
                                                   "top_n": 5}).get_json()
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(answer["image"]))).convert("L"), dtype=int)


def ink_right_edge(band: np.ndarray) -> int:
    """The rightmost column of text lighter than the dark theme's background."""
    return int(np.nonzero((band > 90).any(axis=0))[0].max())


def test_the_minutes_chart_says_what_it_leaves_out_and_names_its_sources(client, spotify_session):
    """The same bars (scrobbles add no minutes); only the subtitle (its note) and the footer (", Last.fm")
    change, and both reach further right."""
    alone = chart_pixels(client, spotify_session)
    combined_session = upload_ok(client, eg.extended_zip(ROWS))["session_id"]
    add_ok(client, combined_session, sg.lastfm_csv(SHARED + OWN), "scrobbles.csv")
    combined = chart_pixels(client, combined_session)
    height = alone.shape[0]
    changed_rows = np.nonzero((np.abs(alone - combined) > 60).any(axis=1))[0]
    subtitle = changed_rows[changed_rows < height * 0.12]
    footer = changed_rows[changed_rows > height * 0.9]
    assert len(subtitle) and len(footer) and len(subtitle) + len(footer) == len(changed_rows)
    for rows in (subtitle, footer):
        band = slice(rows.min(), rows.max() + 1)
        assert ink_right_edge(combined[band]) > ink_right_edge(alone[band]) + 50


def test_an_album_chart_says_what_share_of_plays_named_no_album(client, spotify_session):
    add_ok(client, spotify_session, sg.takeout_zip(sg.youtube_history(OWN)), "takeout.zip")
    answer = client.post("/generate_image", json={"session_id": spotify_session, "selected_attribute": "album_name",
                                                   "top_n": 5}).get_json()
    spotify = [p for p in extended_plays(ROWS, None) if p.ms >= 30_000]
    assert all(p.album is not None for p in spotify if p.track is not None)
    assert (answer["sources"], answer["plays_without_album"]) == (["Spotify", "YouTube Music"], len(OWN))
    albums = defaultdict(int)
    for play in spotify:
        if play.album is not None:
            albums[(play.album, play.artist)] += 1
    ranked = sorted(albums, key=lambda key: (-albums[key], key[0], key[1] or ""))[:5]
    assert [(item["name"], item["artist"], item["value"]) for item in answer["items"]] == [
        (*key, albums[key]) for key in ranked]


def test_a_race_of_the_timeline_ends_on_the_recounted_top(client, spotify_session, upload_dir):
    add_ok(client, spotify_session, sg.lastfm_csv(SHARED + OWN), "scrobbles.csv")
    still = client.post("/generate_image", json={"session_id": spotify_session, "top_n": 5}).get_json()
    with open_session(upload_dir / f"{spotify_session}.duckdb") as con:
        req = RaceBody.model_validate({"session_id": spotify_session, "top_n": 5, "days": 7}).to_request(2160)
        race = build_race(con, req, 6000, ArtworkSettings.disabled())
    assert race.items == still["items"]
    assert race.coverage == {"sources": ["Spotify", "Last.fm"], "plays_without_duration": 0,
                             "plays_without_album": 0}


def test_a_service_holding_only_plays_already_there_keeps_none(client, spotify_session):
    add_ok(client, spotify_session, sg.lastfm_csv(SHARED + OWN), "scrobbles.csv")
    summary = add_ok(client, spotify_session, sg.listenbrainz_zip(SHARED + OWN), "listens.zip")["summary"]
    assert (summary["rows_stored"], summary["duplicates_of_other_sources"]) == (0, len(SHARED + OWN))
    assert summary["sources"][-1] == {"source": "ListenBrainz", "uploads": 1, "rows_read": len(SHARED + OWN),
                                      "plays_kept": 0, "duplicates_of_other_sources": len(SHARED + OWN),
                                      "first_date": None, "last_date": None}


def test_the_same_export_added_twice_adds_nothing(client, spotify_session):
    add_ok(client, spotify_session, sg.lastfm_csv(SHARED + OWN), "scrobbles.csv")
    summary = add_ok(client, spotify_session, sg.lastfm_csv(SHARED + OWN), "scrobbles.csv")["summary"]
    assert (summary["rows_stored"], summary["duplicates_of_other_sources"], summary["already_in_session"]) == (
        0, len(SHARED), len(OWN))
    assert [(s["source"], s["uploads"], s["plays_kept"]) for s in summary["sources"]][1] == ("Last.fm", 2, len(OWN))


def test_the_tolerance_is_sixty_seconds_around_the_spotify_plays_span(client, upload_dir):
    """A Spotify play stopped at 10:05:00 after 180 s: its span is 10:02:00-10:05:00. Scrobbles of it (names
    differing only in case, accents and spaces) within 60 s of the span are the same play; further ones not."""
    stop = 1_640_426_700   # 2021-12-25 10:05:00 UTC
    spotify = history_zip(rows_json(row(ts="2021-12-25T10:05:00Z", ms=180_000, artist="Café Tacvba",
                                        track="Eres")))
    session_id = upload_ok(client, spotify)["session_id"]
    offsets = {"before, outside": -180 - 61, "before, inside": -180 - 59, "after, inside": 59, "after, outside": 61}
    scrobbles = [sg.Scrobble(artist, track, None, stop + offset) for offset, (artist, track) in zip(
        offsets.values(), [("Café Tacvba", "Eres"), ("CAFE  TACVBA", "eres"), ("cafe tacvba ", "Éres"),
                           ("Café Tacvba", "Eres")])]
    summary = add_ok(client, session_id, sg.lastfm_csv(scrobbles), "scrobbles.csv")["summary"]
    assert (summary["duplicates_of_other_sources"], summary["rows_stored"]) == (2, 2)
    with open_session(upload_dir / f"{session_id}.duckdb") as con:
        kept = con.execute("SELECT epoch(ts)::BIGINT FROM plays WHERE source = 'Last.fm' ORDER BY ts").fetchall()
    assert kept == [(stop - 180 - 61,), (stop + 61,)]


def test_account_data_times_to_the_minute_still_match(client):
    account = eg.account_rows(ROWS)
    session_id = upload_ok(client, eg.account_zip(account))["session_id"]
    summary = add_ok(client, session_id, sg.lastfm_csv(SHARED + OWN, "plain"), "scrobbles.csv")["summary"]
    # The plain layout keeps the minute only: a scrobble and Account data's endTime both lose their seconds.
    assert (summary["duplicates_of_other_sources"], summary["rows_stored"]) == (len(SHARED), len(OWN))


def test_a_request_that_opened_the_session_reads_it_as_it_was(client, spotify_session, upload_dir):
    path = upload_dir / f"{spotify_session}.duckdb"
    with open_session(path) as before:
        count = before.execute("SELECT count(*) FROM plays").fetchone()[0]
        add_ok(client, spotify_session, sg.lastfm_csv(SHARED + OWN), "scrobbles.csv")
        assert before.execute("SELECT count(*) FROM plays").fetchone()[0] == count
    with open_session(path) as after:
        assert after.execute("SELECT count(*) FROM plays").fetchone()[0] == count + len(OWN)


def test_a_refused_addition_leaves_the_session_as_it_was(client, spotify_session, upload_dir):
    path = upload_dir / f"{spotify_session}.duckdb"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    kept = leftovers(upload_dir)
    response = add(client, spotify_session, b"name,age\nAda,36\n", "people.csv")
    assert response.status_code == 422
    assert response.get_json()["error"].startswith("This CSV file is not one of the accepted exports")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    # Only the session's own lock files (kept until it is deleted) are new: no scratch folder, no copy.
    assert set(leftovers(upload_dir)) - set(kept) == {f"{spotify_session}.lock", f"{spotify_session}.writer"}


def test_a_session_holds_at_most_max_rows_plays(upload_dir):
    client = offline_app(upload_dir, MAX_ROWS=50).test_client()
    session_id = upload_ok(client, sg.lastfm_csv(OWN), "scrobbles.csv")["session_id"]
    more = sg.own_plays(11, "2023-01-01", seed=3)
    response = add(client, session_id, sg.lastfm_csv(more), "more.csv")
    assert response.status_code == 413
    assert response.get_json()["error"] == ("The session would hold more than 50 plays; at most 50 are accepted in "
                                            "one session.")
    assert client.get(f"/sessions/{session_id}").get_json()["summary"]["rows_stored"] == len(OWN)
    assert add(client, session_id, sg.lastfm_csv(more[:10]), "fewer.csv").status_code == 200


def test_a_session_stored_before_plays_named_their_source_reads_as_spotify(client, spotify_session, upload_dir):
    with duckdb.connect(str(upload_dir / f"{spotify_session}.duckdb")) as con:
        con.execute("ALTER TABLE plays DROP COLUMN source")
        con.execute("UPDATE session_info SET summary = json_merge_patch(summary, '{\"source\": null, "
                    "\"sources\": null}')")
        stored, sources = con.execute("SELECT summary->>'rows_stored', summary->'sources' FROM session_info").fetchone()
    assert sources is None
    assert client.post("/generate_image", json={"session_id": spotify_session}).get_json()["sources"] == ["Spotify"]
    summary = add_ok(client, spotify_session, sg.lastfm_csv(SHARED + OWN), "scrobbles.csv")["summary"]
    assert (summary["duplicates_of_other_sources"], summary["rows_stored"]) == (len(SHARED), len(OWN))
    assert [(source["source"], source["rows_read"], source["plays_kept"]) for source in summary["sources"]] == [
        ("Spotify", 400, int(stored)), ("Last.fm", len(SHARED + OWN), len(OWN))]


def test_unknown_and_malformed_sessions(client):
    data = sg.lastfm_csv(OWN)
    unknown = add(client, "0b5e2d4c-1f2a-4b3c-8d4e-5f6a7b8c9d0e", data, "scrobbles.csv")
    assert unknown.status_code == 404 and "error" in unknown.get_json()
    malformed = add(client, "not-a-session", data, "scrobbles.csv")
    assert malformed.status_code == 400
    assert malformed.get_json()["error"] == "session_id must be the UUID that POST /process returned."


def test_deleting_a_session_of_several_exports_removes_everything(client, spotify_session, upload_dir):
    add_ok(client, spotify_session, sg.lastfm_csv(SHARED + OWN), "scrobbles.csv")
    assert client.delete(f"/sessions/{spotify_session}").status_code == 200
    assert leftovers(upload_dir) == []
    assert client.get(f"/sessions/{spotify_session}").status_code == 404


MANY_OWN = sg.own_plays(6000, "2022-01-01", seed=4)   # an export holding many more plays than the session


def ingested_alone(work: Path, data: bytes, filename: str) -> tuple[Path, IngestSummary]:
    """An export ingested as an added upload is, before merge_plays: its plays alone in a file of their own."""
    saved = work / filename
    saved.write_bytes(data)
    unpacked = unpack_upload(saved, work, Limits(2**30, 100, 1000), filename)
    added = work / f"{filename}.duckdb"
    return added, ingest_export(unpacked, added, work, 10**6, session=False)


def plays_by_source(path: Path) -> dict[str, int]:
    with open_session(path) as con:
        return dict(con.execute("SELECT source, count(*) FROM plays GROUP BY source").fetchall())


@pytest.mark.parametrize("legacy", [False, True], ids=["current", "stored before plays named their source"])
def test_merge_plays_writes_into_the_file_holding_more_and_keeps_the_session_unchanged(client, spotify_session,
                                                                                 upload_dir, tmp_path, legacy):
    session = upload_dir / f"{spotify_session}.duckdb"
    spotify = plays_by_source(session)["Spotify"]
    if legacy:
        with duckdb.connect(str(session)) as con:
            con.execute("ALTER TABLE plays DROP COLUMN source")
    digest = hashlib.sha256(session.read_bytes()).hexdigest()
    for own, name in ((MANY_OWN, "many.csv"), (OWN, "few.csv")):
        work = tmp_path / name
        work.mkdir()
        added, summary = ingested_alone(work, sg.lastfm_csv(SHARED + own), name)
        merged, answer = merge_plays(session, added, work, summary, 10**6)
        # the many scrobbles take the session's plays; the few go into a copy of the session
        assert (merged == added) == (summary.rows_stored > spotify) == (own is MANY_OWN)
        assert plays_by_source(merged) == {"Spotify": spotify, "Last.fm": len(own)}
        assert (answer.rows_stored, answer.duplicates_of_other_sources) == (len(own), len(SHARED))
        assert [(s.source, s.plays_kept) for s in answer.sources] == [("Spotify", spotify), ("Last.fm", len(own))]
        with open_session(merged) as con:
            assert con.execute("SELECT count(*) FROM plays WHERE release_id IS NULL AND track_name IS NOT NULL"
                               ).fetchone()[0] == 0
    assert hashlib.sha256(session.read_bytes()).hexdigest() == digest


def test_a_large_export_added_to_a_small_session_recounts_as_both(client, spotify_session):
    answer = add_ok(client, spotify_session, sg.lastfm_csv(SHARED + MANY_OWN), "scrobbles.csv")
    assert (answer["summary"]["rows_stored"], answer["summary"]["duplicates_of_other_sources"]) == (
        len(MANY_OWN), len(SHARED))
    stats = client.get(f"/sessions/{spotify_session}/stats").get_json()
    expected = expected_stats(extended_plays(ROWS, None) + scrobbled_plays(MANY_OWN, "Last.fm"), START, END, 30_000,
                              albums=True)
    stats.pop("range"), expected.pop("range")
    assert stats == expected
