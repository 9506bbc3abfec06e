"""What a viewer sees in a race, measured from its plan: inverted frames, still stretches, a thin opening.

The same measures the tests hold every race to (harness/race_truth.py), taken here on the benchmark's
races, so each run prints them next to the speed of the race they describe.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from backend.routes.models import RaceBody
from backend.services.artwork.settings import ArtworkSettings
from backend.services.charts.race_preparation import build_race
from backend.services.curation import NO_FILTERS, apply_filters
from backend.services.sessions.database import open_session
from harness.race_truth import inverted_frames, longest_run, opening_frames_with_at_most_one_bar, static_frames
from src.visuals.race.race_plan import hold_frames_for

MAX_FRAMES = 1_000_000  # the benchmark's races are measured whatever their length


def race_truth(upload_dir: Path, body: dict[str, Any]) -> dict[str, float]:
    """Share of frames with an inversion (%), the longest inverted and still stretches and the opening with
    at most one bar (s), for the race `body` asks of the session in it."""
    with open_session(upload_dir / f"{body['session_id']}.duckdb") as con:
        req = RaceBody.model_validate(body).to_request(2160)
        curation = apply_filters(con, req.chart.filters or NO_FILTERS)   # the race the body's filters ask for
        prepared = build_race(con, req, MAX_FRAMES, ArtworkSettings.disabled(), curation)
    plan, painter, fps = prepared.race.plan, prepared.race.painter, prepared.fps
    inverted = inverted_frames(plan, painter.bar_max)
    hold = hold_frames_for(fps) + 1
    still = static_frames(plan, painter.bar_max, painter.value_format)[:plan.frame_count - hold]
    return {"inverted_pct": 100 * float(np.mean(inverted)), "inverted_run_s": longest_run(inverted) / fps,
            "still_run_s": longest_run(still) / fps, "thin_opening_s": opening_frames_with_at_most_one_bar(plan) / fps}
