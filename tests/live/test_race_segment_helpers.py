"""Segment helpers start safely from a process that runs threads (never a fork of it), and die with it."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import psutil
import pytest

from backend.services.encoding import Encoding, encode_race, find_ffmpeg
from backend.services.encoding.segments import segment_ranges
from harness.media import probe_video
from harness.service import offline_app, prepared_race

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
# 12 fps, a week a keyframe over a year: about 330 small frames, two segments on two workers
BODY = {"days": 7, "interp_steps": 6, "speed_for_bar_animation": 12, "figsize": [3.2, 4.0], "dpi": 100,
        "selected_attribute": "artist_name", "start_date": "2022-01-01", "end_date": "2022-12-31"}
SETTLE_SECONDS = 60.0


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """The race, built once for the module: its tests render it and none changes it."""
    upload_dir = tmp_path_factory.mktemp("sessions")
    return prepared_race(offline_app(upload_dir).test_client(), upload_dir, BODY)


@pytest.fixture
def work(tmp_path):
    path = tmp_path / "work"
    path.mkdir()
    return path


def two_segments(prepared) -> Encoding:
    encoding = Encoding(find_ffmpeg(""), prepared.width, prepared.height, prepared.fps, workers=2)
    assert len(segment_ranges(prepared.race.frame_count, prepared.fps, 2)) == 2
    return encoding


def assert_complete(video, prepared) -> None:
    facts = probe_video(video.data)
    assert video.frames == len(facts.frames) == prepared.race.frame_count
    assert (facts.width, facts.height) == (prepared.width, prepared.height)


def test_a_segmented_race_beside_a_running_thread_warns_of_nothing_and_is_complete(prepared, work):
    """Python 3.12 and later warn when a process with threads forks; the helpers must not give cause."""
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait, name="like-a-server-thread")
    beside.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            video = encode_race(prepared.race, two_segments(prepared), work)
        assert beside.is_alive()
    finally:
        stop.set()
        beside.join()
    assert_complete(video, prepared)


def test_helpers_are_not_forks_of_the_rendering_process(prepared, work, monkeypatch):
    def refuse_fork():
        raise AssertionError("os.fork called while rendering")

    monkeypatch.setattr(os, "fork", refuse_fork)
    video = encode_race(prepared.race, two_segments(prepared), work)
    assert_complete(video, prepared)


# Renders a long full-size race in two segments and kills itself by SIGKILL once the helper's encoder runs,
# after printing the helper's process tree and the segment folder.
DIES_MID_RACE = """
import io, json, os, signal, sys, tempfile, time
from pathlib import Path
import psutil
from backend.app import create_app
from backend.routes.models import RaceBody
from backend.services.artwork import ArtworkSettings
from backend.services.charts import build_race
from backend.services.encoding import Encoding, encode_race, find_ffmpeg
from backend.services.sessions import open_session
from src.visuals.chart.layout import Layout
from src.visuals.painter import Entry, FramePainter, Page
from src.visuals.style import count_format
from src.visuals.themes import DEFAULT_THEME, THEMES
from harness import exportgen as eg

upload_dir, work = Path(sys.argv[1]), Path(sys.argv[2])
client = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir)}).test_client()
rows = eg.extended_rows(eg.make_catalog(), 3000, start="2022-01-01", end="2022-12-31")
session = client.post("/process", data={"file": (io.BytesIO(eg.extended_zip(rows)), "x.zip")}).get_json()["session_id"]
body = {"session_id": session, "days": 1, "interp_steps": 14, "speed_for_bar_animation": 28,
        "figsize": [10.8, 13.5], "dpi": 100, "start_date": "2022-01-01", "end_date": "2022-12-31"}
with open_session(upload_dir / f"{session}.duckdb") as con:
    prepared = build_race(con, RaceBody.model_validate(body).to_request(2160), 10000, ArtworkSettings.disabled())

def die_once_the_helper_encodes(frames, share):
    me = psutil.Process()
    for index, frame in enumerate(frames):
        if index == 10:
            while not any(child.children() for child in me.children() if "ffmpeg" not in child.name()):
                time.sleep(0.05)
            helper = next(child for child in me.children() if "ffmpeg" not in child.name())
            tree = [helper.pid] + [process.pid for process in helper.children(recursive=True)]
            print(json.dumps({"helper_tree": tree, "frames": prepared.race.frame_count}), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        yield frame

encode_race(prepared.race, Encoding(find_ffmpeg(""), prepared.width, prepared.height, prepared.fps, 2), work,
            wrap=die_once_the_helper_encodes)
"""


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def frames_in(path: Path) -> int:
    """Frames of an MP4 (0 when there is none or it is unreadable), counted by stream copy: nothing decoded."""
    if not path.exists():
        return 0
    log = subprocess.run([find_ffmpeg(""), "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:v", "-c", "copy",
                          "-f", "null", "-"], capture_output=True, text=True).stderr
    counts = re.findall(r"frame=\s*(\d+)", log)
    return int(counts[-1]) if counts else 0


def test_a_helper_and_its_encoder_die_with_the_process_that_started_them(tmp_path):
    upload_dir, work = tmp_path / "sessions", tmp_path / "work"
    upload_dir.mkdir()
    work.mkdir()
    died = subprocess.run([sys.executable, "-c", DIES_MID_RACE, str(upload_dir), str(work)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert died.returncode == -signal.SIGKILL, died.stderr[-2000:]
    report = json.loads(died.stdout.strip().splitlines()[-1])
    assert len(report["helper_tree"]) >= 2  # the helper and its encoder
    deadline = time.monotonic() + SETTLE_SECONDS
    while not all(gone(pid) for pid in report["helper_tree"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(gone(pid) for pid in report["helper_tree"])
    # The helper was stopped, not left to finish: its segment (about 2,500 frames, many seconds of painting)
    # holds only the frames painted before its parent died.
    (segments,) = work.glob("segments-*")
    start, stop = segment_ranges(report["frames"], 28, 2)[1]
    assert frames_in(segments / "1.mp4") < (stop - start) // 2
