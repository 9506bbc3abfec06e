"""Render jobs: races queued, run in this process or on Celery workers, watched, cancelled and downloaded."""
from backend.services.jobs.errors import (
    JobIdInvalid,
    JobNotFound,
    JobRecordTooLarge,
    TooManyRenders,
    TooManySessionRenders,
)
from backend.services.jobs.queue import CELERY_TASK, JobQueue, make_celery, make_queue
from backend.services.jobs.record import ACTIVE, JobRecord
from backend.services.jobs.runner import job_store_for, run_job
from backend.services.jobs.start import StartedJob, start_race_job
from backend.services.jobs.store import JobLimits, JobStore

__all__ = ["ACTIVE", "CELERY_TASK", "JobIdInvalid", "JobLimits", "JobNotFound", "JobQueue", "JobRecord",
           "JobRecordTooLarge", "JobStore", "StartedJob", "TooManyRenders", "TooManySessionRenders", "job_store_for",
           "make_celery", "make_queue", "run_job", "start_race_job"]
