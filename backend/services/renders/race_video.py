"""Rendering a session's race: plan it, paint its frames and encode them; one path for requests and jobs.

The caller adds only what is its own: a request its client-gone check, a job its progress and cancel.
Whoever calls, a render stops once its session is deleted (SessionDeleted).
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from backend.core.settings import Settings
from backend.services.artwork import ArtworkSettings
from backend.services.charts import PreparedRace, RaceRequest, build_race
from backend.services.curation import curate
from backend.services.encoding import EncodedVideo, Encoding, encode_race, find_ffmpeg, until_stopped
from backend.services.hygiene import logged_memory
from backend.services.renders.errors import NoEncoder
from backend.services.sessions import SessionStore, open_session
from src.resource_errors import server_resources

Frames = Iterator[memoryview]
# Frames this process paints, and the share of all frames they are: a job counts them as its progress.
ProgressTracker = Callable[[Frames, float], Frames]


@dataclass(frozen=True)
class RenderedRace:
    plan: PreparedRace
    video: EncodedVideo


def require_encoder(settings: Settings) -> str:
    """The ffmpeg to encode with; NoEncoder when the server has none."""
    ffmpeg = find_ffmpeg(settings.ffmpeg_bin)
    if ffmpeg is None:
        raise NoEncoder
    return ffmpeg


def check_race(settings: Settings, sessions: SessionStore, req: RaceRequest) -> PreparedRace:
    """Everything render_race would refuse, refused now (no artwork is fetched): for queueing a job."""
    require_encoder(settings)
    with sessions.using(req.chart.session_id) as path, open_session(path) as con:
        curation = curate(con, sessions, req.chart.session_id, req.chart.filters)
        return build_race(con, req, settings.max_frames, ArtworkSettings.disabled(), curation)


def plan_with_artwork(settings: Settings, sessions: SessionStore, con: duckdb.DuckDBPyConnection,
                      req: RaceRequest) -> PreparedRace:
    """A render's first phase: the race planned from the plays its filters keep, with its pictures fetched
    as configured."""
    curation = curate(con, sessions, req.chart.session_id, req.chart.filters)
    return build_race(con, req, settings.max_frames, ArtworkSettings.from_settings(settings), curation)


def render_race(settings: Settings, sessions: SessionStore, req: RaceRequest, *,
                check: Callable[[], None] = lambda: None, progress: ProgressTracker | None = None,
                work_dir: Path | None = None, keep_as: Path | None = None) -> RenderedRace:
    """The race's MP4; `check` raises to stop it (run every quarter second while frames pass), and
    `progress` sees the frames this process paints. Encodes in `work_dir`, or in a scratch folder of the
    session store made once the race is planned. EncoderError when ffmpeg fails; ServerOutOfSpace or
    ServerOutOfMemory when the server's disk or memory does."""
    ffmpeg = require_encoder(settings)
    session_id = req.chart.session_id

    def still_wanted() -> None:
        check()
        sessions.ensure_present(session_id)

    def watched(frames: Frames, share: float) -> Frames:
        return until_stopped(progress(frames, share) if progress else frames, still_wanted)

    with server_resources(), logged_memory("race"), sessions.using(session_id) as path:
        with open_session(path) as con:
            plan = plan_with_artwork(settings, sessions, con, req)
        still_wanted()
        encoding = Encoding(ffmpeg, plan.width, plan.height, plan.fps, settings.render_workers,
                            memory_mb=settings.render_memory_mb)
        with contextlib.nullcontext(work_dir) if work_dir else sessions.scratch() as work:
            video = encode_race(plan.race, encoding, work, keep_as=keep_as, check=still_wanted, wrap=watched)
    return RenderedRace(plan, video)
