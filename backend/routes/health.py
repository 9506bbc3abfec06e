"""GET /health: for container health checks."""
from __future__ import annotations

from flask import jsonify

from backend.routes.answers import Health
from backend.routes.api import api_blueprint
from backend.routes.context import service_settings, session_store
from backend.services.artwork import ArtworkSettings, sources_status
from backend.services.encoding import find_ffmpeg

bp = api_blueprint("health", __name__)


@bp.get("/health", responses={200: Health, 503: {"description": "No ffmpeg (images work, videos answer 503), or "
                                                                "the session storage is not ok",
                                                 "content": {"application/json": {"schema": {
                                                     "$ref": "#/components/schemas/Health"}}}}})
def health():
    """Say whether the service can do its work; 503 when no ffmpeg is there to encode videos, or when the S3
    bucket sessions live in is unreachable, refuses the credentials or is missing (asked once, within seconds).

    Whether, not where: the binary's path (a server path) is for the log, not for anyone who asks. Artwork
    is optional: a paused or unreachable source is shown, and never makes the service degraded.
    """
    settings = service_settings()
    ffmpeg = find_ffmpeg(settings.ffmpeg_bin) is not None
    storage = session_store().storage_state() or "local"
    working = ffmpeg and storage in ("local", "ok")
    response = jsonify(status="ok" if working else "degraded", ffmpeg=ffmpeg, env=settings.env,
                       artwork=sources_status(ArtworkSettings.from_settings(settings)), storage=storage)
    response.status_code = 200 if working else 503
    return response
