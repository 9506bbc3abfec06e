"""POST /generate_animation: a real H.264 MP4 with exactly the frames its parameters imply."""
from __future__ import annotations

import base64
import calendar
import math
from datetime import date

import numpy as np
import pytest

from harness import exportgen as eg
from harness.media import faststart, probe_video
from harness.service import offline_app, upload_ok

pytestmark = pytest.mark.slow

START, END = date(2021, 1, 1), date(2022, 6, 30)
SMALL = {"figsize": [4.8, 6.4], "dpi": 100}


@pytest.fixture(scope="module")
def rows():
    return eg.extended_rows(eg.make_catalog(), 5000, start=str(START), end=str(END))


@pytest.fixture(scope="module")
def upload_dir(tmp_path_factory):
    """One service for the module: its races only read their sessions, and each checks what it leaves."""
    return tmp_path_factory.mktemp("animations")


@pytest.fixture(scope="module")
def client(upload_dir):
    return offline_app(upload_dir).test_client()


@pytest.fixture(scope="module")
def session(client, rows):
    """The export uploaded once: every race request leaves the session as it was."""
    return upload_ok(client, eg.extended_zip(rows))["session_id"]


def keyframes_implied(start: date, end: date, days: int, period: str) -> int:
    """Count keyframes from docs/api.md's rule, independently of the service's code."""
    if period == "d":
        return math.ceil((end - start).days / days) + 1
    if period == "m":
        month_ends = [date(y, m, calendar.monthrange(y, m)[1]) for y in range(start.year, end.year + 1)
                      for m in range(1, 13)]
        month_ends = [d for d in month_ends if start <= d < end]
        step = max(1, round(days / 30.44))
        return len(month_ends[::step]) + 1
    raise ValueError(period)


def race(client, session, **fields):
    response = client.post("/generate_animation", json={"session_id": session, **SMALL, **fields})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return body, base64.b64decode(body["video"])


@pytest.mark.parametrize("period, days, steps, fps", [("d", 30, 4, 10), ("m", 60, 3, 12)])
def test_video_has_the_codec_size_fps_and_frames_implied(client, session, period, days, steps, fps):
    body, video = race(client, session, period=period, days=days, interp_steps=steps,
                       speed_for_bar_animation=fps)
    facts = probe_video(video)
    expected = (keyframes_implied(START, END, days, period) - 1) * steps + 1 + 2 * fps
    assert (facts.codec, facts.pix_fmt) == ("h264", "yuv420p")
    assert (facts.width, facts.height) == (480, 640)
    assert facts.fps == fps
    assert len(facts.frames) == expected == body["frames"]
    assert not facts.has_audio
    assert faststart(video)
    assert body["filename"] == "race_top10_artist_name_streams_2021-01-01_2022-06-30.mp4"


def test_final_frame_holds_after_the_last_keyframe(client, session):
    _, video = race(client, session, days=90, interp_steps=3, speed_for_bar_animation=10)
    frames = probe_video(video).frames.astype(int)
    # two seconds after the last keyframe; rows still trading places land in the first part of it
    hold = frames[-15:]
    # lossy coding (a new GOP may start inside the hold) moves pixels a little, the picture not at all
    assert np.abs(hold - hold[-1]).mean(axis=(1, 2, 3)).max() < 0.5
    assert np.abs(frames[0] - frames[-1]).mean() > 1


def test_default_size_is_1080_by_1350(client, session):
    _body, video = race(client, session, start_date="2022-06-01", end_date="2022-06-30", days=15,
                       interp_steps=2, speed_for_bar_animation=5, figsize=None, dpi=None)
    facts = probe_video(video)
    assert (facts.width, facts.height) == (1080, 1350)
    assert len(facts.frames) == (3 - 1) * 2 + 1 + 10


def test_album_race_of_account_data_is_422(client, rows):
    account = upload_ok(client, eg.account_zip(eg.account_rows(rows[:1000])))["session_id"]
    response = client.post("/generate_animation", json={"session_id": account, "selected_attribute": "album_name"})
    assert response.status_code == 422
    assert "no album names" in response.get_json()["error"]


def test_a_race_over_max_frames_is_422_before_any_frame_is_painted(client, session, upload_dir):
    frames = (keyframes_implied(START, END, 1, "d") - 1) * 120 + 1 + 2 * 28
    response = client.post("/generate_animation", json={
        "session_id": session, "start_date": str(START), "end_date": str(END), "days": 1, "interp_steps": 120,
        "speed_for_bar_animation": 28, **SMALL})
    assert response.status_code == 422
    assert response.get_json()["error"].startswith(f"This race would have {frames:,} frames; the limit is 6,000.")
    assert not list(upload_dir.glob("*.mp4"))
