"""A filtered answer is the unfiltered answer of the export from which those plays were removed: Hypothesis
draws filters, the service answers with them, and the same service answers for an upload of the kept rows."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import exportgen as eg
from harness.filtering import RowFilter, kept_rows
from harness.service import offline_app, upload_ok

ROWS = eg.extended_rows(eg.make_catalog(seed=5, artists=30), 600, start="2022-01-01", end="2022-12-31")
DISTINCT = eg.distinct_rows(ROWS)
ARTISTS = sorted({r["master_metadata_album_artist_name"] for r in DISTINCT} - {None})
SONGS = sorted({(r["master_metadata_track_name"], r["master_metadata_album_artist_name"]) for r in DISTINCT
                if r["master_metadata_track_name"] and r["master_metadata_album_artist_name"]})
ALBUMS = sorted({(r["master_metadata_album_album_name"], r["master_metadata_album_artist_name"]) for r in DISTINCT
                 if r["master_metadata_album_album_name"] and r["master_metadata_album_artist_name"]})
YEAR_START = datetime(2022, 1, 1)
# The charts are drawn small: what is compared is every number and name they rank, not their pixels.
SMALL = {"figsize": [4.8, 6.0], "dpi": 100}
QUESTIONS = [("POST", "/generate_image", {"selected_attribute": "artist_name", "top_n": 15, **SMALL}),
             ("POST", "/generate_image", {"selected_attribute": "track_name", "top_n": 15,
                                          "analysis_metric": "duration_ms", **SMALL}),
             ("POST", "/generate_image", {"selected_attribute": "album_name", "top_n": 15, "timezone": "Asia/Tokyo",
                                          **SMALL}),
             ("POST", "/generate_wrapped", {"timezone": "Europe/Berlin"})]


@st.composite
def row_filters(draw) -> RowFilter:
    start = YEAR_START + timedelta(minutes=draw(st.integers(0, 364 * 24 * 60)))
    periods = draw(st.lists(st.integers(1, 30 * 24 * 60), max_size=2))
    return RowFilter(frozenset(draw(st.lists(st.sampled_from(ARTISTS), max_size=3))),
                     frozenset(draw(st.lists(st.sampled_from(SONGS), max_size=3))),
                     frozenset(draw(st.lists(st.sampled_from(ALBUMS), max_size=2))),
                     tuple((start, start + timedelta(minutes=length)) for length in periods),
                     draw(st.booleans()))


def wire(row_filter: RowFilter) -> dict:
    moment = lambda at: at.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    return {"exclude_artists": sorted(row_filter.artists),
            "exclude_tracks": [{"track": t, "artist": a} for t, a in sorted(row_filter.tracks)],
            "exclude_albums": [{"album": t, "artist": a} for t, a in sorted(row_filter.albums)],
            "exclude_periods": [{"start": moment(s), "end": moment(e)} for s, e in row_filter.periods],
            "include_incognito": row_filter.include_incognito}


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    client = offline_app(tmp_path_factory.mktemp("properties")).test_client()
    return client, upload_ok(client, eg.extended_zip(ROWS))["session_id"]


def answers(client, session: str, filters: dict | None) -> list:
    """Every question's answer, its image and what the filters applied aside."""
    got = []
    for _, path, body in QUESTIONS:
        extra = {} if filters is None else {"filters": filters}
        answer = client.post(path, json={"session_id": session, **body, **extra}).get_json()
        got.append({key: value for key, value in answer.items() if key not in ("image", "filters", "filename")})
    stats = client.get(f"/sessions/{session}/stats", query_string={"timezone": "America/New_York"}).get_json()
    got.append({key: value for key, value in stats.items() if key != "filters"})
    return got


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row_filter=row_filters())
def test_a_filtered_answer_is_the_answer_for_the_export_without_those_plays(service, row_filter):
    client, session = service
    kept = kept_rows(ROWS, row_filter)
    assert client.put(f"/sessions/{session}/filters", json=wire(row_filter)).status_code == 200
    filtered = answers(client, session, None)
    assert answers(client, session, wire(row_filter)) == filtered
    assert client.delete(f"/sessions/{session}/filters").status_code == 200
    removed = upload_ok(client, eg.extended_zip(kept))["session_id"]
    try:
        assert filtered == answers(client, removed, None)
    finally:
        client.delete(f"/sessions/{removed}")
