"""The order a viewer reads off the video itself: races encoded, decoded, and their bars measured in pixels.

A cumulative race over a year with a quiet quarter and a 30-day rolling race (bars leaving as their
windows run dry), at a small size so the test stays quick: settled bars are inverted in at most 2 % of
the frames and never for more than 0.4 s, and the bars found in the pixels are the ones the plan placed.
"""
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
from harness.pixel_bars import inverted, settled_bars
from harness.race_truth import longest_run
from harness.service import upload_ok

pytestmark = pytest.mark.slow

ROWS = [row for row in eg.extended_rows(eg.make_catalog(), 2500, start="2022-01-01", end="2022-12-31")
        if not "2022-06-01" <= row["ts"][:10] <= "2022-08-31"]
RACES = {
    "cumulative with a quiet summer": {"days": 7, "interp_steps": 8},
    "last 30 days": {"days": 7, "interp_steps": 8, "window_days": 30},
}


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    from harness.service import offline_app
    upload_dir = tmp_path_factory.mktemp("pixels")
    client = offline_app(upload_dir).test_client()
    return upload_dir, upload_ok(client, eg.extended_zip(ROWS))["session_id"]


@pytest.fixture(scope="module", params=list(RACES), ids=list(RACES))
def decoded(session, request):
    upload_dir, session_id = session
    body = {"session_id": session_id, "figsize": [4.8, 6.0], "dpi": 100, "speed_for_bar_animation": 24,
            "top_n": 8, **RACES[request.param]}
    with open_session(upload_dir / f"{session_id}.duckdb") as con:
        prepared = build_race(con, RaceBody.model_validate(body).to_request(2160), 6000, ArtworkSettings.disabled())
    video = encode_animation(prepared.race.frames(), prepared.width, prepared.height, prepared.fps,
                             find_ffmpeg(""), work_dir=upload_dir)
    return prepared, probe_video(video.data).frames


def test_settled_bars_read_from_the_pixels_are_in_order(decoded):
    prepared, frames = decoded
    painter = prepared.race.painter
    colours = [entry.colour for entry in painter.entries]
    found = [settled_bars(frame, painter.layout, colours) for frame in frames]
    wrong = np.array([inverted(bars) for bars in found])
    assert wrong.mean() <= 0.02
    assert longest_run(wrong) <= 0.4 * prepared.fps
    # The measuring tool sees what the plan placed: the settled bars with a value, frame by frame.
    plan = prepared.race.plan
    settled = (plan.positions == np.round(plan.positions)) & (plan.positions < plan.top_n) & (plan.values > 0)
    agree = np.array([len(bars) for bars in found]) == settled.sum(axis=1)
    assert agree.mean() >= 0.9
    assert max(len(bars) for bars in found) >= 6


def test_the_measuring_tool_sees_an_inversion_painted_on_purpose(decoded):
    prepared, _ = decoded
    race = prepared.race
    last = race.plan.frame_count - 1
    positions, values = race.plan.positions[last].copy(), race.plan.values[last]
    colours = [entry.colour for entry in race.painter.entries]
    layout = race.painter.layout
    honest = np.asarray(race.painter.paint(positions, values, float(race.plan.scale[last])).image())
    bars = settled_bars(honest, layout, colours)
    assert [bar.row for bar in bars] == list(range(len(bars))) and not inverted(bars)
    first, fourth = np.flatnonzero(positions == 0)[0], np.flatnonzero(positions == 3)[0]
    positions[first], positions[fourth] = 3, 0
    swapped = np.asarray(race.painter.paint(positions, values, float(race.plan.scale[last])).image())
    assert inverted(settled_bars(swapped, layout, colours))
