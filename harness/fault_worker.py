"""The Celery render worker with the faults of job_faults.py installed (`celery -A harness.fault_worker`)."""
from __future__ import annotations

from backend.core.settings import load_settings
from backend.worker import celery
from harness import job_faults

__all__ = ["celery"]
job_faults.install(load_settings().upload_dir)
