"""Property tests of broken history files: every JSON type in every field, extreme numbers and dates,
other encodings. Whatever arrives, /process answers our own JSON error (4xx) or a 200 whose summary adds
up, and a session it accepts charts with its default range in any time zone.

Derandomized: the same examples run every time, in CI too.
"""
from __future__ import annotations

import functools
import json
import tempfile
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.app import create_app
from harness.bad_uploads import FOLDER, make_zip
from harness.service import post_upload
from src.exports.domain import FIRST_DAY, LAST_DAY, MAX_MS_PLAYED

pytestmark = pytest.mark.slow

EXAMPLES = settings(derandomize=True, deadline=None, max_examples=60, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EXTREME_NUMBERS = [0, -1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**400, 0.5, -0.0, 1e-320,
                   1e308, float("inf"), float("-inf"), float("nan"), MAX_MS_PLAYED, MAX_MS_PLAYED + 0.4,
                   MAX_MS_PLAYED + 1]
# Times at and past the ends of the domain and of the calendar, as (year, rest of the stamp).
EXTREME_DAYS = ["0000-01-01", "0001-01-01", "1999-12-31", "2000-01-01", "2099-12-31", "2100-01-01", "9999-12-31",
                "10000-01-01", "-0001-01-01", "2021-02-29"]
EXTENDED_NAMES = ("platform", "conn_country", "master_metadata_track_name", "master_metadata_album_artist_name",
                  "master_metadata_album_album_name", "spotify_track_uri", "episode_name", "episode_show_name",
                  "spotify_episode_uri", "audiobook_title", "audiobook_uri", "audiobook_chapter_title", "skipped")
ACCOUNT_NAMES = ("artistName", "trackName", "podcastName", "episodeName", "audiobookName", "chapterName")
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
SECRETS = ("/tmp", ".work-", tempfile.gettempdir())

numbers = st.one_of(st.sampled_from(EXTREME_NUMBERS), st.integers(), st.floats())
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6)
# Half of the values are ordinary: each one_of picks one of its two branches about equally often.
plausible_ms = st.one_of(st.integers(min_value=0, max_value=MAX_MS_PLAYED),
                         st.one_of(st.floats(min_value=0, max_value=2 * MAX_MS_PLAYED), st.just(MAX_MS_PLAYED + 1),
                                   st.none()))
texts = st.one_of(st.text(max_size=40), st.text(alphabet="Ab\x1f\x00 ", min_size=290, max_size=320))


def times(time_format: str) -> st.SearchStrategy:
    """Stamps in the row format's layout: mostly inside the domain, else any moment of years 1-9999, days
    at the ends of the domain and of the calendar (some no day at all), or none."""
    domain = st.datetimes(min_value=datetime(FIRST_DAY.year, 1, 1), max_value=datetime(LAST_DAY.year, 12, 31))
    inside = domain.map(lambda moment: moment.strftime(time_format))
    anywhen = st.datetimes().map(lambda moment: moment.strftime(time_format))
    clock = "%H:%M:%S" if "%S" in time_format else "%H:%M"
    layout = time_format.replace("%Y-%m-%d", "{day}").replace(clock, "{clock}")
    clocks = ["00:00:00", "23:59:59", "24:00:00"] if "%S" in time_format else ["00:00", "23:59", "24:00"]
    extremes = st.builds(layout.format, day=st.sampled_from(EXTREME_DAYS), clock=st.sampled_from(clocks))
    return st.one_of(inside, st.one_of(anywhen, extremes, st.none()))


def wild(plausible: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly a value Spotify could write, sometimes anything JSON can hold."""
    return st.one_of(plausible, json_values)


@functools.cache  # built once per kind: Hypothesis works out a strategy's shape when it is first drawn from
def rows(time_key: str, ms_key: str, names: tuple[str, ...], time_format: str, broken: bool) -> st.SearchStrategy:
    """Rows whose names may be any JSON value (they are stored as text); in a broken file, the time and the
    duration too. Either may be missing (null): such rows are counted as incomplete."""
    when, how_long = times(time_format), plausible_ms
    return st.fixed_dictionaries({time_key: wild(when) if broken else when,
                                  ms_key: wild(st.one_of(how_long, numbers)) if broken else how_long,
                                  **{name: wild(st.one_of(st.none(), texts)) for name in names}})


@st.composite
def history_uploads(draw, may_break: bool = True) -> tuple[bytes, str, list]:
    """A history file (lone, or in a ZIP) of either row format, in any of the encodings, maybe broken."""
    account = draw(st.booleans())
    broken = may_break and draw(st.integers(0, 2)) == 2  # about a third of the files
    row_strategy = (rows("endTime", "msPlayed", ACCOUNT_NAMES, "%Y-%m-%d %H:%M", broken) if account
                    else rows("ts", "ms_played", EXTENDED_NAMES, "%Y-%m-%dT%H:%M:%SZ", broken))
    plays = draw(st.lists(row_strategy, min_size=1, max_size=6))
    if broken and draw(st.booleans()):
        plays.append(draw(json_values))  # an item that may not be a row object
    text = json.dumps(plays, ensure_ascii=draw(st.booleans()))
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="surrogatepass")
    name = "StreamingHistory_music_0.json" if account else "Streaming_History_Audio_2021.json"
    if draw(st.booleans()):
        return make_zip({(FOLDER if not account else "Spotify Account Data/") + name: data}), "export.zip", plays
    return data, name, plays


@pytest.fixture(scope="module")
def upload_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sessions")


@pytest.fixture(scope="module")
def client(upload_dir):
    # Hypothesis runs every example in one test call, so the app is shared; each accepted session is deleted.
    return create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_SESSIONS": 2}).test_client()


def accepted_or_refused_cleanly(client, upload_dir, data: bytes, filename: str) -> dict | None:
    """The /process answer of an accepted upload, None for a refusal; fails on anything else."""
    response = post_upload(client, data, filename)
    body = response.get_json()
    assert response.status_code < 500, body
    assert not list(upload_dir.glob(".work-*"))
    if response.status_code != 200:
        assert response.status_code in (400, 413, 422), body
        assert list(body) == ["error"] and isinstance(body["error"], str) and body["error"]
        assert not any(secret in body["error"] for secret in SECRETS), body
        assert "cannot be stored" not in body["error"], "a value got past raw_rows.py's checks to DuckDB's casts"
        return None
    return body


def check_summary_adds_up(body: dict, rows: list) -> None:
    summary = body["summary"]
    counts = [summary[key] for key in ("rows_stored", "duplicates_dropped", "rows_incomplete", "rows_out_of_range")]
    assert all(count >= 0 for count in counts)
    assert sum(counts) == summary["rows_read"] == len(rows)
    assert summary["rows_stored"] > 0
    assert str(FIRST_DAY) <= body["data_min_date"] <= body["data_max_date"] <= str(LAST_DAY)
    assert date.fromisoformat(summary["data_min_date"]) == date.fromisoformat(body["data_min_date"])


@EXAMPLES
@given(upload=history_uploads())
def test_broken_history_gets_our_error_or_a_summary_that_adds_up(client, upload_dir, upload):
    data, filename, rows = upload
    body = accepted_or_refused_cleanly(client, upload_dir, data, filename)
    if body is not None:
        check_summary_adds_up(body, rows)
        assert client.delete(f"/sessions/{body['session_id']}").status_code == 200


@settings(EXAMPLES, max_examples=20)
@given(upload=history_uploads(may_break=False),
       timezone=st.sampled_from(["Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu"]))
def test_an_accepted_history_charts_with_its_default_range(client, upload_dir, upload, timezone):
    data, filename, _ = upload
    body = accepted_or_refused_cleanly(client, upload_dir, data, filename)
    if body is None:
        return
    chart = client.post("/generate_image", json={"session_id": body["session_id"], "timezone": timezone,
                                                 "selected_attribute": "Song", "count_short_plays": True,
                                                 "figsize": [4, 4], "dpi": 80})
    # 422 only when nothing stored is a song (podcasts, audiobooks, rows without a kind)
    assert chart.status_code in (200, 422), chart.get_json()
    if chart.status_code == 422:
        assert "No plays between" in chart.get_json()["error"]
    assert client.delete(f"/sessions/{body['session_id']}").status_code == 200
