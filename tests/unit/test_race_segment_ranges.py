"""How a race is split into segments (backend/services/encoding/segments.py): every frame once, each segment
starting on a keyframe, and no more segments at once than the memory budget allows. Pure arithmetic; that the
segments make the same video as one process is tests/live/test_race_segments.py."""
from __future__ import annotations

import pytest

from backend.services.encoding.segments import Encoding, segment_ranges, workers_within_memory


@pytest.mark.parametrize(("frames", "fps", "workers"), [(5153, 28, 2), (1765, 28, 2), (1000, 25, 3), (331, 12, 4),
                                                         (100, 12, 2), (1, 28, 2), (0, 28, 2)])
def test_segments_cover_every_frame_once_each_starting_on_a_keyframe(frames, fps, workers):
    ranges = segment_ranges(frames, fps, workers)
    assert [i for start, stop in ranges for i in range(start, stop)] == list(range(frames))
    assert 1 <= len(ranges) <= workers or frames == 0
    assert all(start % (2 * fps) == 0 for start, _ in ranges)
    # at least four keyframe intervals each: shorter races stay in one process
    assert all(stop - start >= 4 * 2 * fps for start, stop in ranges) or len(ranges) <= 1


def test_year_race_at_28_fps_splits_into_two_halves_on_two_workers():
    assert segment_ranges(5153, 28, 2) == [(0, 2576), (2576, 5153)]


@pytest.mark.parametrize(("width", "height", "current_mb", "budget_mb", "expected"), [
    (1080, 1350, 200, 500, 2),   # about 108 MB an encoder (fed yuv420p): two fit beside the benchmark's process
    (1080, 1350, 260, 500, 1),   # a second encoder and its helper would pass 500 MB
    (1080, 1920, 150, 500, 2),   # about 145 MB an encoder
    (1080, 1920, 200, 500, 1),
    (1080, 1920, 150, 0, 2),     # no budget: RENDER_WORKERS decides
    (1080, 1350, 450, 500, 1),   # a busy process: never fewer than one
    (320, 400, 150, 500, 2),     # capped by RENDER_WORKERS
])
def test_segments_are_limited_by_the_memory_budget(width, height, current_mb, budget_mb, expected):
    encoding = Encoding("ffmpeg", width, height, 28, workers=2, memory_mb=budget_mb)
    assert workers_within_memory(encoding, current_mb) == expected
