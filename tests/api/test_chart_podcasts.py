"""Top podcasts: shows ranked by the episodes played, in still charts and races, recounted from the export."""
from __future__ import annotations

from collections import defaultdict

import pytest

from harness import exportgen as eg
from harness.service import offline_app, upload_ok

START, END = "2021-01-01", "2023-12-31"


@pytest.fixture(scope="module")
def rows():
    return eg.extended_rows(eg.make_catalog(), 6000, duplicates=100, podcasts=0.3, start=START, end=END)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One app for the module: its tests only ask about the session, so 6,100 plays are uploaded once."""
    return offline_app(tmp_path_factory.mktemp("podcasts")).test_client()


@pytest.fixture(scope="module")
def session(client, rows):
    return upload_ok(client, eg.extended_zip(rows, per_file=3000))["session_id"]


def expected_shows(rows: list[dict], metric: str, n: int, start: str, end: str) -> list[tuple[str, float]]:
    """Episodes of 30 s or more per show, in the range (UTC days), each row once: plays or minutes, then name."""
    totals: dict[str, float] = defaultdict(float)
    for row in eg.distinct_rows(rows):
        show, ms = row.get("episode_show_name"), row.get("ms_played") or 0
        if row.get("episode_name") is None or show is None or ms < eg.STREAM_MS or not start <= row["ts"][:10] <= end:
            continue
        totals[show] += 1 if metric == "Streams" else ms / 60_000
    return sorted(totals.items(), key=lambda item: (-round(item[1], 6), item[0]))[:n]


@pytest.mark.parametrize("metric", ["Streams", "duration_ms"])
def test_top_podcasts_equal_an_independent_count(client, session, rows, metric):
    response = client.post("/generate_image", json={"session_id": session, "selected_attribute": "show_name",
                                                    "analysis_metric": metric, "top_n": 8})
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    expected = expected_shows(rows, metric, 8, START, END)
    assert len(expected) >= 3   # the export holds several shows, so the order is a real check
    assert [item["name"] for item in items] == [show for show, _ in expected]
    assert all(item.get("artist") is None for item in items)
    for item, (_, value) in zip(items, expected):
        assert item["value"] == pytest.approx(value, abs=0.01)


def test_podcast_aliases_and_the_title_name_podcasts(client, session, rows):
    for wire in ("podcast", "show"):
        response = client.post("/generate_image", json={"session_id": session, "selected_attribute": wire,
                                                        "top_n": 3, "start_date": "2022-01-01",
                                                        "end_date": "2022-12-31"})
        assert response.status_code == 200, response.get_json()
        assert [item["name"] for item in response.get_json()["items"]] == \
            [show for show, _ in expected_shows(rows, "Streams", 3, "2022-01-01", "2022-12-31")]
        assert response.get_json()["filename"].startswith("chart_")


def test_a_podcast_race_ends_on_the_still_chart(client, session, rows):
    body = {"session_id": session, "selected_attribute": "show_name", "top_n": 5, "start_date": "2023-01-01",
            "end_date": "2023-03-31", "days": 7}
    race = client.post("/generate_animation", json=body)
    assert race.status_code == 200, race.get_json()
    still = client.post("/generate_image", json={**body, "days": None})
    assert [item["name"] for item in race.get_json()["items"]] == [item["name"] for item in still.get_json()["items"]]
    assert [item["name"] for item in race.get_json()["items"]] == \
        [show for show, _ in expected_shows(rows, "Streams", 5, "2023-01-01", "2023-03-31")]


def test_an_export_without_episodes_has_no_podcasts_to_draw(client):
    plain = eg.extended_rows(eg.make_catalog(), 500, podcasts=0.0, start=START, end=END)
    session = upload_ok(client, eg.extended_zip(plain))["session_id"]
    response = client.post("/generate_image", json={"session_id": session, "selected_attribute": "show_name"})
    assert response.status_code == 422
    assert response.get_json()["error"].startswith("No podcast episodes played (plays of 30 seconds or more) between")
