"""Where render jobs run: in this process (JOB_BACKEND=local) or on Celery workers (JOB_BACKEND=celery).

Both run backend.services.jobs.runner.run_job; only the hand-over differs.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from backend.core.settings import Settings
from backend.services.jobs.runner import run_job, stores_for

log = logging.getLogger(__name__)
CELERY_TASK = "backend.worker.render_job"


class JobQueue(Protocol):
    def submit(self, session_id: str, job_id: str) -> None: ...


class LocalQueue:
    """An in-process executor: nothing else to install or start.

    Its queue lives in memory, so a process that starts takes up the jobs the shared folder says are
    queued: those of a process that crashed would otherwise wait, and hold a render slot, for ever.
    Several processes may submit the same job; only the first to claim it renders it.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.pool = ThreadPoolExecutor(settings.job_workers, thread_name_prefix="render-job")
        for record in stores_for(settings)[1].queued():
            log.info("Job %s was queued before this process started; queued again", record.job_id)
            self.submit(record.session_id, record.job_id)

    def submit(self, session_id: str, job_id: str) -> None:
        future = self.pool.submit(run_job, self.settings, session_id, job_id)
        future.add_done_callback(_log_crash)


def _log_crash(future) -> None:
    if future.exception() is not None:
        log.error("Render job crashed", exc_info=future.exception())


def make_celery(settings: Settings):
    """A Celery app on CELERY_BROKER_URL; progress and results travel through the shared UPLOAD_DIR (or redis and
    the bucket with SESSION_STORE=s3: backend/services/jobs/shared.py)."""
    from celery import Celery  # only the Celery backend needs it

    app = Celery("spotify_charts", broker=settings.celery_broker_url)
    # One render at a time per worker process, acknowledged when finished: a render uses every core.
    app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, task_ignore_result=True,
                    broker_connection_retry_on_startup=True)
    return app


class CeleryQueue:
    """The web tier only enqueues; `celery -A backend.worker worker` processes render."""

    def __init__(self, settings: Settings):
        self.celery = make_celery(settings)

    def submit(self, session_id: str, job_id: str) -> None:
        self.celery.send_task(CELERY_TASK, args=[session_id, job_id])


def make_queue(settings: Settings) -> JobQueue:
    if settings.job_backend == "celery":
        return CeleryQueue(settings)
    return LocalQueue(settings)
