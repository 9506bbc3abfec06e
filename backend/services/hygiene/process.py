"""What a serving or rendering process sets for itself once, at its entry point: `python -m backend.app`,
gunicorn's `backend.app:app` and the Celery worker (backend/worker.py). create_app() sets none of it, so
building an app (as every test does) leaves the process as it was."""
from __future__ import annotations

from backend.core.file_modes import keep_new_files_private
from backend.services.hygiene.allocator import tune_allocator
from src.visuals.text.rasterise import load_text_engine


def set_up_process() -> None:
    """Cap malloc's arenas, make new files private (umask 077) and load the fonts before the first request."""
    tune_allocator()
    keep_new_files_private()
    load_text_engine()
