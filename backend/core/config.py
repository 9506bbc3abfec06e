"""Settings in one place: defaults, then env/.env, then the process environment, then create_app's mapping."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV_FILE = PROJECT_ROOT / "env" / ".env"


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


# name -> (default, parser). env/.env.example lists every one of these.
SETTINGS: dict[str, tuple[Any, Callable[[str], Any]]] = {
    "ENV": ("production", str),
    "UPLOAD_DIR": ("/tmp/spotify_sessions", str),
    "MAX_SESSIONS": (5, int),
    "SESSION_TTL_SECONDS": (2700, int),
    "MAX_UPLOAD_MB": (512, int),
    "MAX_JSON_KB": (16, int),
    "MAX_EXTRACTED_MB": (1024, int),
    "MAX_ZIP_MEMBERS": (2000, int),
    "MAX_COMPRESSION_RATIO": (200, int),
    "MAX_ROWS": (10_000_000, int),
    "MAX_FRAMES": (6000, int),
    "RENDER_WORKERS": (os.cpu_count() or 1, int),
    "RENDER_MEMORY_MB": (500.0, float),
    "MAX_JOBS": (4, int),
    "MAX_JOBS_PER_SESSION": (2, int),
    "MAX_VIDEOS_PER_SESSION": (5, int),
    "MAX_JOB_RECORD_KB": (16.0, float),
    "JOB_BACKEND": ("local", str),
    "JOB_WORKERS": (1, int),
    "CELERY_BROKER_URL": ("", str),
    "JOB_STALE_SECONDS": (15.0, float),
    "MAX_SIDE_PX": (2160, int),
    "SUPABASE_URL": ("", str),
    "SUPABASE_KEY": ("", str),
    "SPOTIFY_CLIENT_ID": ("", str),
    "SPOTIFY_CLIENT_SECRET": ("", str),
    "SPOTIFY_API_URL": ("https://api.spotify.com/v1/", str),
    "SPOTIFY_TOKEN_URL": ("https://accounts.spotify.com/api/token", str),
    "ARTWORK_TIMEOUT_SECONDS": (5.0, float),
    "ARTWORK_CACHE_DIR": ("", str),       # empty = <UPLOAD_DIR>/artwork-cache
    "ARTWORK_CACHE_MB": (64.0, float),
    "ARTWORK_MAX_RESPONSE_KB": (4096.0, float),
    "ARTWORK_MAX_IMAGE_KB": (2048.0, float),
    "ARTWORK_MAX_PIXELS": (4194304, int),
    "ARTWORK_IMAGE_HOSTS": (["scdn.co", "spotifycdn.com"], _csv),
    "ANALYTICS_TIMEOUT_SECONDS": (5.0, float),
    "ANALYTICS_MAX_RESPONSE_KB": (64.0, float),
    "FFMPEG_BIN": ("", str),
    "LOG_LEVEL": ("INFO", str),
    "PORT": (8080, int),
    "REQUEST_READ_TIMEOUT_SECONDS": (300.0, float),
    "CORS_ORIGINS": ([], _csv),
}


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Resolve every setting; later sources win: default < env/.env < environment < overrides."""
    file_values = dotenv_values(ENV_FILE) if ENV_FILE.exists() else {}
    settings: dict[str, Any] = {}
    for name, (default, parse) in SETTINGS.items():
        raw = os.environ.get(name, file_values.get(name))
        settings[name] = parse(raw) if raw not in (None, "") else default
    settings.update(overrides or {})
    return settings
