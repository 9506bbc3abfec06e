"""The Celery render worker: `celery -A backend.worker worker` (JOB_BACKEND=celery).

It needs the same settings as the web tier: CELERY_BROKER_URL, and an UPLOAD_DIR that every machine shares
or, with SESSION_STORE=s3, the same bucket (its UPLOAD_DIR is then its own cache, swept like the web tier's).
It renders with the same code path as the embedded job executor.
"""
from __future__ import annotations

from backend.core.settings import load_settings
from backend.services.hygiene import set_up_process
from backend.services.jobs import CELERY_TASK, make_celery, run_job
from backend.services.sessions import open_session_store, start_cache_check_thread, start_cleanup_thread

set_up_process()  # before the pool forks its children, which then share the loaded fonts
settings = load_settings()
celery = make_celery(settings)
if settings.session_store == "s3":  # copies of sessions deleted or expired elsewhere leave this machine too
    bucket = open_session_store(settings)
    start_cleanup_thread(bucket, interval_seconds=settings.cleanup_interval_seconds)
    start_cache_check_thread(bucket, settings.session_cache_check_seconds)


@celery.task(name=CELERY_TASK)
def render_job(session_id: str, job_id: str) -> None:
    """Render one queued job; its state and video go to the shared UPLOAD_DIR, or to redis and the bucket."""
    run_job(settings, session_id, job_id)
