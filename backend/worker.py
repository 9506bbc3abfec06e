"""The Celery render worker: `celery -A backend.worker worker` (JOB_BACKEND=celery).

It needs the same settings as the web tier (CELERY_BROKER_URL, and an UPLOAD_DIR that every
machine shares) and renders with the same code path as the embedded job executor.
"""
from __future__ import annotations

from backend.core.settings import load_settings
from backend.services.hygiene import set_up_process
from backend.services.jobs import CELERY_TASK, make_celery, run_job

set_up_process()  # before the pool forks its children, which then share the loaded fonts
settings = load_settings()
celery = make_celery(settings)


@celery.task(name=CELERY_TASK)
def render_job(session_id: str, job_id: str) -> None:
    """Render one queued job; its state and video go to the shared UPLOAD_DIR."""
    run_job(settings, session_id, job_id)
