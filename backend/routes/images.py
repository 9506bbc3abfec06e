"""POST /generate_image: the top-N chart as a JPEG."""
from __future__ import annotations

import base64
import time

from flask import jsonify

from backend.routes.answers import Image, with_filters
from backend.routes.api import (
    BAD_BODY,
    BODY_TOO_LARGE,
    CANNOT_DRAW,
    CROSS_SITE,
    GONE,
    NO_SESSION,
    answers,
    api_blueprint,
)
from backend.routes.context import service_settings, session_store
from backend.routes.models import ChartBody
from backend.routes.usage_events import record_usage, report_usage
from backend.services.renders import render_top_chart

bp = api_blueprint("images", __name__)
record_usage(bp, "image")


@bp.post("/generate_image", responses=answers({200: Image}, BAD_BODY, CROSS_SITE, NO_SESSION, GONE,
                                                            BODY_TOO_LARGE, CANNOT_DRAW))
def generate_image(body: ChartBody):
    """Draw the top N artists, songs or albums of a session as a JPEG."""
    settings = service_settings()
    req = body.to_request(settings.max_side_px)
    started = time.perf_counter()
    image = render_top_chart(settings, session_store(), req)
    report_usage(attribute=req.attribute.wire_name, metric=req.metric.wire_name, top_n=req.top_n,
                 bytes=len(image.jpeg), duration_s=round(time.perf_counter() - started, 3))
    return jsonify(with_filters({
        "image": base64.b64encode(image.jpeg).decode("ascii"), "filename": image.filename, "items": image.items,
        "start_date": image.start.isoformat(), "end_date": image.end.isoformat(), "width": req.width,
        "height": req.height, **image.coverage}, image.filters))
