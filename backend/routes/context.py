"""What the views use of the app: its settings and the stores and queues create_app built from them."""
from __future__ import annotations

from flask import current_app

from backend.core.settings import Settings
from backend.services.analytics import Analytics
from backend.services.jobs import JobQueue, JobStore
from backend.services.sessions import SessionStore


def service_settings() -> Settings:
    return current_app.extensions["settings"]


def session_store() -> SessionStore:
    return current_app.extensions["sessions"]


def job_store() -> JobStore:
    return current_app.extensions["jobs"]


def job_queue() -> JobQueue:
    return current_app.extensions["job_queue"]


def usage_analytics() -> Analytics:
    return current_app.extensions["analytics"]
