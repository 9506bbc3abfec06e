"""Run one render job: the same race as /generate_animation, with progress, heartbeat and cancel."""
from __future__ import annotations

import logging
import shutil
import time
from typing import Any, Iterable, Iterator

from backend.core.errors import ApiError
from backend.routes.params import race_request
from backend.services.artwork import ArtworkSettings
from backend.services.allocator import release_free_memory
from backend.services.db import open_session
from backend.services.encoding import ENCODE_FAILED, EncoderError, find_ffmpeg
from backend.services.jobs import HEARTBEAT_SECONDS, JobRecord, JobStore
from backend.services.segments import Encoding, encode_race
from backend.services.sessions import SessionStore
from backend.services.visuals import build_race

log = logging.getLogger(__name__)
CANCEL_CHECK_SECONDS = 0.25


class JobCancelled(Exception):
    """The job's cancel flag was raised while it rendered."""


def stores_for(settings: dict[str, Any]) -> tuple[SessionStore, JobStore]:
    sessions = SessionStore(settings["UPLOAD_DIR"], settings["MAX_SESSIONS"], settings["SESSION_TTL_SECONDS"])
    return sessions, JobStore(sessions.root, settings["MAX_JOBS"], settings["SESSION_TTL_SECONDS"],
                              settings["JOB_STALE_SECONDS"])


def run_job(settings: dict[str, Any], session_id: str, job_id: str) -> None:
    """Render the job to <job>.mp4; whatever happens, the record ends done, failed or cancelled."""
    sessions, jobs = stores_for(settings)
    try:
        record = jobs.find(job_id)
    except ApiError:
        log.info("Job %s was deleted before it started", job_id)
        return
    if record.session_id != session_id or record.state != "queued":
        return
    record.state, record.started_at, record.heartbeat_at = "running", time.time(), time.time()
    jobs.save(record)
    try:
        _render(settings, sessions, jobs, record)
        record.state, record.frames_done = "done", record.frames_total
    except JobCancelled:
        record.state = "cancelled"
    except ApiError as error:
        log.warning("Job %s failed: %s", job_id, error.message)
        record.state, record.error = "failed", error.message
    except (EncoderError, OSError) as error:
        # ffmpeg's and the system's words may name server paths: logged, not shown
        log.warning("Job %s failed: %s", job_id, error)
        record.state, record.error = "failed", ENCODE_FAILED
    finally:
        release_free_memory()
        jobs.cancel_path(record).unlink(missing_ok=True)
        if jobs.record_path(record).exists():
            jobs.save(record)
        else:
            jobs.remove(record)  # the job or its session was deleted meanwhile: leave nothing behind


def _render(settings: dict[str, Any], sessions: SessionStore, jobs: JobStore, record: JobRecord) -> None:
    ffmpeg = find_ffmpeg(settings["FFMPEG_BIN"])
    if ffmpeg is None:
        raise ApiError(503, "No ffmpeg is available on the render worker.")
    req = race_request(record.body, settings["MAX_SIDE_PX"])
    with sessions.using(record.session_id) as path:
        with open_session(path) as con:
            prepared = build_race(con, req, settings["MAX_FRAMES"], ArtworkSettings.from_config(settings))
        work = jobs.work_dir(record)
        work.mkdir(exist_ok=True)
        try:
            partial = work / "video.mp4"
            encoding = Encoding(ffmpeg, prepared.width, prepared.height, prepared.fps, settings["RENDER_WORKERS"],
                                settings["RENDER_MEMORY_MB"])
            # this process paints the first segment: its progress, scaled, stands for all of them
            encode_race(prepared.race, encoding, work, keep_as=partial,
                        wrap=lambda frames, share: _tracked(frames, record, jobs, share))
            partial.replace(jobs.video_path(record))
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _tracked(frames: Iterable[memoryview], record: JobRecord, jobs: JobStore,
             share: float) -> Iterator[memoryview]:
    """Pass frames through, saving progress (index / share of all frames) and a heartbeat every second,
    and stopping on cancel."""
    last_save = last_check = time.monotonic()
    for index, frame in enumerate(frames):
        now = time.monotonic()
        if now - last_check >= CANCEL_CHECK_SECONDS:
            last_check = now
            if jobs.cancel_requested(record) or not jobs.record_path(record).exists():
                raise JobCancelled
            if now - last_save >= HEARTBEAT_SECONDS:
                last_save = now
                record.frames_done = min(record.frames_total, round(index / share))
                record.heartbeat_at = time.time()
                jobs.save(record)
        yield frame
