"""POST /generate_wrapped: a year or any range of a session on one shareable card, with the numbers it shows."""
from __future__ import annotations

import base64
import time

from flask import jsonify

from backend.routes.answers import Wrapped, with_filters
from backend.routes.api import BODY_TOO_LARGE, CROSS_SITE, GONE, NO_SESSION, answers, api_blueprint, error
from backend.routes.context import service_settings, session_store
from backend.routes.models import WrappedBody
from backend.routes.usage_events import record_usage, report_usage
from backend.services.renders import render_wrapped_card

bp = api_blueprint("wrapped", __name__)
record_usage(bp, "wrapped")


@bp.post("/generate_wrapped", responses=answers(
    {200: Wrapped},
    error(400, "The body is not a JSON object, a field is missing or outside the accepted values (the message names "
               "it), or both year and start_date/end_date are sent."),
    CROSS_SITE, NO_SESSION, GONE, BODY_TOO_LARGE, error(422, "The range is empty or holds no plays that count.")))
def generate_wrapped(body: WrappedBody):
    """Draw a session's year or range as one card: minutes, top artists and songs, clock, streak, discovery."""
    req = body.to_request()
    started = time.perf_counter()
    card = render_wrapped_card(service_settings(), session_store(), req)
    report_usage(format=body.format, theme=req.theme, years=len(card.stats["years"]), pictures=card.pictures,
                 bytes=len(card.jpeg), duration_s=round(time.perf_counter() - started, 3))
    return jsonify(with_filters({"image": base64.b64encode(card.jpeg).decode("ascii"), "filename": card.filename,
                                 "width": req.width, "height": req.height, "stats": card.stats}, card.filters))
