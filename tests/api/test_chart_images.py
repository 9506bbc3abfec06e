"""POST /generate_image: the ranked items equal an independent count, and the picture draws them."""
from __future__ import annotations

import base64
import dataclasses
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image

from harness import exportgen as eg
from harness.service import offline_app, upload_ok
from src.visuals.chart.layout import Layout
from src.visuals.chart.top_chart_painter import ChartItem, paint_top_chart
from src.visuals.painter import Page
from src.visuals.style import ValueFormat, count_format, duration_format
from src.visuals.themes import THEMES

ATTRIBUTES = ["artist_name", "track_name", "album_name"]
METRICS = ["Streams", "duration_ms"]


@pytest.fixture(scope="module")
def rows():
    return eg.extended_rows(eg.make_catalog(), 8000, duplicates=200, start="2017-01-01", end="2023-12-31")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One service for the module: its tests only read the charts of their sessions."""
    return offline_app(tmp_path_factory.mktemp("images")).test_client()


@pytest.fixture(scope="module")
def session(client, rows):
    """The export uploaded once: every chart request leaves the session as it was."""
    return upload_ok(client, eg.extended_zip(rows, per_file=3000))["session_id"]


def chart(client, **body):
    return client.post("/generate_image", json=body)


def decoded(body: dict) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(body["image"]))).convert("RGB"))


def assert_items_match(items: list[dict], expected: list[tuple], metric: str) -> None:
    assert [item["name"] for item in items] == [name for name, _, _ in expected]
    assert [item.get("artist") for item in items] == [artist for _, artist, _ in expected]
    for item, (_, _, value) in zip(items, expected):
        if metric == "Streams":
            assert item["value"] == value and item["unit"] == "streams"
        else:
            assert item["value"] == pytest.approx(value, abs=0.01) and item["unit"] == "minutes"


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("attribute", ATTRIBUTES)
def test_top_items_equal_independent_count(client, session, rows, attribute, metric):
    response = chart(client, session_id=session, selected_attribute=attribute, analysis_metric=metric, top_n=12)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert_items_match(body["items"], eg.expected_top(rows, attribute, metric, 12), metric)
    assert body["filename"].endswith(".jpg")
    assert decoded(body).shape == (1350, 1080, 3)


def test_date_range_is_inclusive_calendar_days(client, session, rows):
    body = chart(client, session_id=session, selected_attribute="Artist", analysis_metric="Number of Streams",
                 top_n=5, start_date="2019-03-01", end_date="2019-03-31").get_json()
    assert_items_match(body["items"], eg.expected_top(rows, "artist_name", "Streams", 5, "2019-03-01", "2019-03-31"),
                       "Streams")
    assert (body["start_date"], body["end_date"]) == ("2019-03-01", "2019-03-31")


def test_front_end_labels_are_accepted(client, session, rows):
    body = chart(client, session_id=session, selected_attribute="Song", analysis_metric="Time Listened",
                 top_n=3).get_json()
    assert_items_match(body["items"], eg.expected_top(rows, "track_name", "duration_ms", 3), "duration_ms")


def test_defaults_are_top_ten_artists_by_streams_over_everything(client, session, rows):
    body = chart(client, session_id=session).get_json()
    assert_items_match(body["items"], eg.expected_top(rows, "artist_name", "Streams", 10), "Streams")


def test_bars_are_drawn_to_scale(client, session):
    body = chart(client, session_id=session, top_n=5).get_json()
    pixels = decoded(body).astype(int)
    layout = Layout(1080, 1350, 5, with_artist=False, race=False)
    lengths = []
    for rank in range(5):
        row = pixels[int(layout.area_top + (rank + 0.5) * layout.slot_px)]
        inside = row[layout.bar_left + 3:]
        same = np.all(np.abs(inside - inside[0]) < 40, axis=1)
        lengths.append(3 + (int(np.argmin(same)) if not same.all() else same.size))
    values = [item["value"] for item in body["items"]]
    for length, value in zip(lengths, values):
        assert length == pytest.approx(value / values[0] * lengths[0], abs=4)
    # the longest bar leaves room for its value label inside the picture
    assert layout.bar_left + lengths[0] < 1080 * 0.8


def test_custom_size(client, session):
    body = chart(client, session_id=session, figsize=[12, 12], dpi=90).get_json()
    assert decoded(body).shape == (1080, 1080, 3)
    assert (body["width"], body["height"]) == (1080, 1080)


def test_album_chart_of_account_data_is_422(client, rows):
    account = upload_ok(client, eg.account_zip(eg.account_rows(rows[:2000])))["session_id"]
    response = chart(client, session_id=account, selected_attribute="Album")
    assert response.status_code == 422
    assert "no album names" in response.get_json()["error"]


def test_account_data_top_artists(client, rows):
    by_kind = eg.account_rows(rows)
    account = upload_ok(client, eg.account_zip(by_kind))["session_id"]
    body = chart(client, session_id=account, top_n=8).get_json()
    assert_items_match(body["items"], eg.expected_account_top(by_kind, 8, "Streams"), "Streams")


def test_range_without_plays_is_422(client, session):
    response = chart(client, session_id=session, start_date="2030-01-01", end_date="2030-02-01")
    assert response.status_code == 422
    assert "No plays of 30 seconds or more between 2030-01-01 and 2030-02-01" in response.get_json()["error"]


def local_rows(rows: list[dict], zone: str) -> list[dict]:
    """The rows with ts moved to local wall-clock time, computed with Python's own zone data."""
    tz = ZoneInfo(zone)
    moved = []
    for row in rows:
        utc = datetime.strptime(row["ts"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        moved.append({**row, "ts": utc.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%SZ")})
    return moved


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles"])
def test_dates_follow_a_given_time_zone(client, session, rows, zone):
    body = chart(client, session_id=session, timezone=zone, top_n=8, start_date="2020-01-01",
                 end_date="2020-01-31").get_json()
    expected = eg.expected_top(local_rows(rows, zone), "artist_name", "Streams", 8, "2020-01-01", "2020-01-31")
    assert_items_match(body["items"], expected, "Streams")
    in_utc = eg.expected_top(rows, "artist_name", "Streams", 8, "2020-01-01", "2020-01-31")
    assert expected != in_utc  # the zone really moves plays across the month's edges


def test_unknown_time_zone_is_400(client, session):
    response = chart(client, session_id=session, timezone="Mars/Olympus_Mons")
    assert response.status_code == 400
    assert "IANA time zone name" in response.get_json()["error"]


def test_short_plays_count_only_when_asked(client, session, rows):
    body = chart(client, session_id=session, count_short_plays=True, top_n=5).get_json()
    everything = [dict(row, ms_played=max(row["ms_played"] or 0, 30_000)) for row in rows
                  if row["ms_played"] is not None]
    assert_items_match(body["items"], eg.expected_top(everything, "artist_name", "Streams", 5), "Streams")


def test_a_single_stream_reads_stream_not_streams():
    streams, minutes = count_format(), duration_format(60_000)
    assert [streams.unit_after(streams.number(v)) for v in (1, 2, 1_000)] == ["stream", "streams", "streams"]
    assert minutes.unit_after(minutes.number(60_000)) == "minutes"  # "1.0 minutes", as one writes it

    def second_row_text_end(fmt: ValueFormat) -> int:
        """Rightmost bright pixel in the lower half of a two-bar chart (values 2 and 1)."""
        jpeg = paint_top_chart([ChartItem("A", None, 2), ChartItem("B", None, 1)], Page("t", "s"), fmt, 600, 750,
                                slots=2, theme=THEMES["dark"])
        pixels = np.asarray(Image.open(io.BytesIO(jpeg)).convert("L"))
        lower = pixels[int(750 * 0.55):int(750 * 0.9)]
        return int(np.flatnonzero(lower.max(axis=0) > 90).max())

    always_plural = dataclasses.replace(streams, unit_of_one="streams")
    assert second_row_text_end(streams) < second_row_text_end(always_plural)
