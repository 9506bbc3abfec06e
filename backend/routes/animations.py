"""POST /generate_animation: the bar-chart race as an H.264 MP4."""
from __future__ import annotations

import base64
import logging
import time

from flask import Response, jsonify, request

from backend.routes.answers import Video, with_filters
from backend.routes.api import (
    BAD_BODY,
    BODY_TOO_LARGE,
    CANNOT_DRAW,
    CROSS_SITE,
    NO_SESSION,
    OUT_OF_SPACE,
    answers,
    api_blueprint,
    error,
)
from backend.routes.client_gone import ClientGone, disconnect_probe, raise_when_gone
from backend.routes.context import service_settings, session_store
from backend.routes.models import RaceBody
from backend.routes.refusals import ApiError
from backend.routes.usage_events import record_usage, report_usage
from backend.services.renders import render_race

log = logging.getLogger(__name__)
bp = api_blueprint("animations", __name__)
record_usage(bp, "animation")
CLIENT_CLOSED_REQUEST = 499  # the status nginx logs for this; nobody is left to read it


@bp.post("/generate_animation", responses=answers(
    {200: Video}, BAD_BODY, CROSS_SITE, NO_SESSION, BODY_TOO_LARGE, CANNOT_DRAW,
    error(410, "The session was deleted (DELETE /sessions/<id>) while the video rendered."),
    error(500, "The encoder failed mid-video."),
    error(503, "No ffmpeg is available on the server, or the render ran out of memory (with Retry-After).",
          retry_after=True), OUT_OF_SPACE))
def generate_animation(body: RaceBody):
    """Render the bar-chart race of a session's top list over time as an MP4."""
    settings, store = service_settings(), session_store()
    req = body.to_request(settings.max_side_px)
    started = time.perf_counter()
    try:
        rendered = render_race(settings, store, req, check=raise_when_gone(disconnect_probe(request.environ)))
    except ClientGone as error:
        log.info("generate_animation: the client left; render stopped after %.2f s", time.perf_counter() - started)
        raise ApiError(CLIENT_CLOSED_REQUEST, "The connection was closed before the video was ready.") from error
    plan, video = rendered.plan, rendered.video
    report_usage(attribute=req.chart.attribute.wire_name, metric=req.chart.metric.wire_name, top_n=req.chart.top_n,
                 frames=video.frames, bytes=len(video.data), duration_s=round(time.perf_counter() - started, 3))
    if request.accept_mimetypes.best_match(["application/json", "video/mp4"]) == "video/mp4":
        response = Response(video.data, mimetype="video/mp4")
        response.headers["Content-Disposition"] = f'attachment; filename="{plan.filename}"'
        return response
    return jsonify(with_filters({
        "video": base64.b64encode(video.data).decode("ascii"), "filename": plan.filename, "frames": video.frames,
        "fps": plan.fps, "width": plan.width, "height": plan.height, "items": plan.items, **plan.coverage},
        plan.filters))
