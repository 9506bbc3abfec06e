"""POST /generate_image: the top-N chart as a JPEG."""
from __future__ import annotations

import base64
import time

from flask import Blueprint, current_app, jsonify, request

from backend.routes.params import chart_request, json_body
from backend.services.analytics import record_failures
from backend.services.db import open_session
from backend.services.system import logged_memory
from backend.services.visuals import chart_image

bp = Blueprint("images", __name__)
record_failures(bp, "image")


@bp.post("/generate_image")
def generate_image():
    """Draw the top N artists, songs or albums of a session as a JPEG."""
    req = chart_request(json_body(request), current_app.config["MAX_SIDE_PX"])
    store = current_app.extensions["sessions"]
    started = time.perf_counter()
    with logged_memory("generate_image"), store.using(req.session_id) as path, open_session(path) as con:
        image = chart_image(con, req)
    current_app.extensions["analytics"].record(
        "image", ok=True, attribute=req.attribute.wire_name, metric=req.metric.wire_name, top_n=req.top_n,
        bytes=len(image.jpeg), duration_s=round(time.perf_counter() - started, 3))
    return jsonify(image=base64.b64encode(image.jpeg).decode("ascii"), filename=image.filename,
                   items=image.items, start_date=image.start.isoformat(), end_date=image.end.isoformat(),
                   width=req.width, height=req.height)
