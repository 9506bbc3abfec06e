"""Run one render job: the same race as /generate_animation, with progress, heartbeat and cancel."""
from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterable, Iterator

from backend.core.settings import Settings
from backend.services.charts import request_from_dict
from backend.services.hygiene import release_free_memory
from backend.services.jobs.errors import JobIdInvalid, JobNotFound
from backend.services.jobs.record import JobRecord
from backend.services.jobs.store import HEARTBEAT_SECONDS, JobLimits, JobStore
from backend.services.renders import render_race
from backend.services.sessions import SessionStore, open_session_store
from src.domain_error import DomainError
from src.resource_errors import server_resources

log = logging.getLogger(__name__)
# What a job says when its render raised something unforeseen: the log has the details, which may
# name server paths or a library's internals. Foreseen failures (a full disk, memory, the encoder) are
# domain errors, and a job says what /generate_animation answers for them.
RENDER_FAILED = "The render failed unexpectedly (the server logged why); try again, or ask for a shorter race."


class JobCancelled(Exception):
    """The job was cancelled or deleted, or its session was, while it rendered."""


def stores_for(settings: Settings) -> tuple[SessionStore, JobStore]:
    sessions = open_session_store(settings)
    return sessions, job_store_for(settings, sessions)


def job_store_for(settings: Settings, sessions: SessionStore) -> JobStore:
    """Jobs every machine sees (redis and the bucket) when sessions are in a bucket and Celery renders them;
    otherwise files under UPLOAD_DIR/jobs."""
    if settings.session_store == "s3" and settings.job_backend == "celery":
        from backend.services.jobs.shared import SharedJobStore  # redis and boto3 only where they are used
        return SharedJobStore(settings, sessions)
    return JobStore(sessions.root, JobLimits.from_settings(settings))


def run_job(settings: Settings, session_id: str, job_id: str) -> None:
    """Render the job to <job>.mp4; whatever happens, the record ends done, failed or cancelled."""
    sessions, jobs = stores_for(settings)
    try:
        record = jobs.find(job_id)
    except (JobIdInvalid, JobNotFound):
        log.info("Job %s was deleted before it started", job_id)
        return
    if record.session_id != session_id or not jobs.claim(record):
        return
    heartbeat = Heartbeat(jobs, record)
    try:
        with server_resources():
            _render(settings, sessions, jobs, record)
        record.state, record.frames_done = "done", record.frames_total
    except JobCancelled:
        record.state = "cancelled"
    except Exception as error:
        record.state, record.error = "failed", failure_reason(error)
        log.log(logging.WARNING if isinstance(error, DomainError) else logging.ERROR,
                "Job %s failed", job_id, exc_info=error)
    finally:
        heartbeat.stop()
        release_free_memory()
        jobs.finish(record)


def failure_reason(error: Exception) -> str:
    """What the job says went wrong: the service's own message, or a fixed sentence."""
    return error.message if isinstance(error, DomainError) else RENDER_FAILED


class Heartbeat:
    """Beats for the job every HEARTBEAT_SECONDS from a thread of its own, so every phase is covered:
    the queries and artwork before the first frame, the frames, the wait for segments and their join."""

    def __init__(self, jobs: JobStore, record: JobRecord):
        self.jobs, self.record = jobs, record
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"heartbeat-{record.job_id}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.jobs.clock.pause(self.stopped, HEARTBEAT_SECONDS):
            try:
                self.jobs.beat(self.record)
            except OSError:
                log.warning("Job %s: heartbeat not written", self.record.job_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


def _render(settings: Settings, sessions: SessionStore, jobs: JobStore, record: JobRecord) -> None:
    def check() -> None:
        if jobs.cancel_requested(record) or not sessions.is_present(record.session_id):
            raise JobCancelled

    def tracked(frames: Iterable[memoryview], share: float) -> Iterator[memoryview]:
        """Count frames into the record (index / share of all frames: the heartbeat reports it)."""
        for index, frame in enumerate(frames):
            record.frames_done = min(record.frames_total, round(index / share))
            yield frame

    work = jobs.work_dir(record)
    work.mkdir(exist_ok=True)
    try:
        partial = work / "video.mp4"
        # this process paints the first segment: its progress, scaled, stands for all of them
        render_race(settings, sessions, request_from_dict(record.request), check=check, progress=tracked,
                    work_dir=work, keep_as=partial)
        check()
        jobs.keep_video(record, partial)
    finally:
        shutil.rmtree(work, ignore_errors=True)
