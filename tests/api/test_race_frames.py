"""The streamed, encoded race shows exactly the frames its plan describes, each drawn on its own."""
from __future__ import annotations

import numpy as np
import pytest

from backend.routes.models import RaceBody
from backend.services.artwork.settings import ArtworkSettings
from backend.services.charts.race_preparation import build_race
from backend.services.encoding.ffmpeg import encode_animation, find_ffmpeg
from backend.services.sessions.database import open_session
from harness import exportgen as eg
from harness.media import probe_video
from harness.service import upload_ok

pytestmark = pytest.mark.slow

BODY = {"days": 20, "interp_steps": 6, "speed_for_bar_animation": 12, "figsize": [4.8, 6.0], "dpi": 100,
        "selected_attribute": "track_name"}


@pytest.fixture
def prepared(app, client, upload_dir):
    rows = eg.extended_rows(eg.make_catalog(), 3000, start="2022-01-01", end="2022-12-31")
    session = upload_ok(client, eg.extended_zip(rows))["session_id"]
    req = RaceBody.model_validate({"session_id": session, **BODY}).to_request(2160)
    with open_session(upload_dir / f"{session}.duckdb") as con:
        return build_race(con, req, 6000, ArtworkSettings.disabled())


def reference_frame(prepared, index: int) -> np.ndarray:
    """Frame `index` painted by itself, straight from the plan, with no frame before it."""
    return np.asarray(prepared.race.paint(index).image()).astype(int)


def test_encoded_frames_match_frames_painted_one_by_one(prepared, upload_dir):
    video = encode_animation(prepared.race.frames(), prepared.width, prepared.height, prepared.fps,
                             find_ffmpeg(""), work_dir=upload_dir)
    decoded = probe_video(video.data).frames
    assert len(decoded) == video.frames == prepared.race.frame_count
    for index in np.linspace(0, len(decoded) - 1, 9).astype(int):
        difference = np.abs(decoded[index].astype(int) - reference_frame(prepared, index))
        # H.264 at crf 30 in yuv420p blurs edges and colours a little; a wrong frame differs far more
        assert difference.mean() < 3.0, index
    moved = np.abs(reference_frame(prepared, 0) - reference_frame(prepared, len(decoded) - 1)).mean()
    assert moved > 3 * 3.0
