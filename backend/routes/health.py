"""GET /health: for container health checks."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from backend.services.encoding import find_ffmpeg

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    """Say whether the service is up and which ffmpeg it encodes with."""
    ffmpeg = find_ffmpeg(current_app.config["FFMPEG_BIN"])
    return jsonify(status="ok" if ffmpeg else "degraded", ffmpeg=ffmpeg)
