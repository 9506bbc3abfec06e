"""A race painted in segments by helper processes (fresh interpreters) is the same video as one painted by a
single process. (How a race is split into segments, pure arithmetic, is tested in
tests/unit/test_race_segment_ranges.py.)"""
from __future__ import annotations

import re
import subprocess
import tempfile
import time

import numpy as np
import psutil
import pytest

from backend.services.encoding.ffmpeg import EncoderError, find_ffmpeg
from backend.services.encoding.segments import Encoding, encode_race, segment_ranges
from harness.media import faststart, probe_video
from harness.service import offline_app, prepared_race

pytestmark = pytest.mark.slow

# 12 fps: a keyframe every 24 frames; a year in weeks gives about 330 frames, enough for three segments
BODY = {"days": 7, "interp_steps": 6, "speed_for_bar_animation": 12, "figsize": [3.2, 4.0], "dpi": 100,
        "selected_attribute": "artist_name", "start_date": "2022-01-01", "end_date": "2022-12-31"}
# H.264 at crf 30 in yuv420p changes pixels a little; a wrong or shifted frame differs far more
CLOSE = 3.0


class Stop(Exception):
    pass


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """The race, built once for the module: its tests render it and none changes it."""
    upload_dir = tmp_path_factory.mktemp("sessions")
    return prepared_race(offline_app(upload_dir).test_client(), upload_dir, BODY)


def encoding_for(prepared, workers: int, ffmpeg: str | None = None) -> Encoding:
    return Encoding(ffmpeg or find_ffmpeg(""), prepared.width, prepared.height, prepared.fps, workers)


def painted(prepared, index: int) -> np.ndarray:
    return np.asarray(prepared.race.paint(index).image()).astype(int)


def keyframe_indices(data: bytes) -> list[int]:
    with tempfile.NamedTemporaryFile(suffix=".mp4") as handle:
        handle.write(data)
        handle.flush()
        log = subprocess.run([find_ffmpeg(""), "-hide_banner", "-i", handle.name, "-vf", "showinfo", "-f", "null",
                              "-"], capture_output=True, text=True, check=True).stderr
    return [int(n) for n, key in re.findall(r"n:\s*(\d+).*?iskey:(\d)", log) if key == "1"]


def helpers_and_encoders() -> list[psutil.Process]:
    return psutil.Process().children(recursive=True)


@pytest.mark.parametrize("workers", [2, 3])
def test_segmented_video_equals_the_single_process_video(prepared, work, workers):
    ranges = segment_ranges(prepared.race.frame_count, prepared.fps, workers)
    assert len(ranges) == workers  # the race is long enough to be split this many times
    single = encode_race(prepared.race, encoding_for(prepared, 1), work)
    split = encode_race(prepared.race, encoding_for(prepared, workers), work)
    facts, reference = probe_video(split.data), probe_video(single.data)
    assert split.frames == single.frames == prepared.race.frame_count == len(facts.frames) == len(reference.frames)
    assert (facts.codec, facts.pix_fmt, facts.width, facts.height, facts.fps, facts.has_audio) == \
        ("h264", "yuv420p", prepared.width, prepared.height, prepared.fps, False)
    assert faststart(split.data)
    # the frames either side of every join, and a spread of others, match the single-process video
    # and the frame painted on its own from the plan: nothing dropped, doubled or shifted at a join
    joins = [start for start, _ in ranges[1:]]
    sample = sorted({*np.linspace(0, len(facts.frames) - 1, 7).astype(int),
                     *(j + d for j in joins for d in (-2, -1, 0, 1))})
    for index in sample:
        assert np.abs(facts.frames[index].astype(int) - reference.frames[index].astype(int)).mean() < CLOSE, index
        assert np.abs(facts.frames[index].astype(int) - painted(prepared, index)).mean() < CLOSE, index
    bars = slice(prepared.width // 2, None)   # where the race moves: the bars and their values
    neighbours = np.abs(painted(prepared, joins[0])[:, bars] - painted(prepared, joins[0] - 24)[:, bars]).mean()
    assert neighbours > CLOSE  # the race moves: a frame one second off would have been noticed
    # every segment starts on a keyframe, and keyframes stay about two seconds apart
    keys = keyframe_indices(split.data)
    assert set(joins) <= set(keys)
    assert max(np.diff(keys)) <= 2 * prepared.fps
    assert not helpers_and_encoders()
    assert not any(work.iterdir())


@pytest.fixture
def work(tmp_path):
    path = tmp_path / "work"
    path.mkdir()
    return path


def test_a_render_stopped_by_its_caller_leaves_no_process_and_no_file(prepared, work):
    def stop_after_30(frames, share):
        assert share < 0.6  # this process paints about half
        for index, frame in enumerate(frames):
            if index == 30:
                # our encoder, a helper and its encoder are running (the helper's may start late under load)
                deadline = time.monotonic() + 30
                while len(helpers_and_encoders()) < 3 and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert len(helpers_and_encoders()) >= 3
                raise Stop
            yield frame

    with pytest.raises(Stop):
        encode_race(prepared.race, encoding_for(prepared, 2), work, wrap=stop_after_30)
    assert not helpers_and_encoders()
    assert not any(work.iterdir())


def test_a_failing_encoder_raises_encoder_error_and_leaves_nothing(prepared, work, tmp_path):
    broken = tmp_path / "ffmpeg"
    broken.write_text("#!/bin/sh\necho 'no encoder here' >&2\nexit 3\n")
    broken.chmod(0o755)
    with pytest.raises(EncoderError):
        encode_race(prepared.race, encoding_for(prepared, 2, str(broken)), work)
    assert not helpers_and_encoders()
    assert not any(work.iterdir())
