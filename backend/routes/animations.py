"""POST /generate_animation: the bar-chart race as an H.264 MP4."""
from __future__ import annotations

import base64
import logging
import time

from flask import Response, current_app, jsonify, request

from backend.core.errors import ApiError
from backend.routes.answers import Video
from backend.routes.api import (BAD_BODY, BODY_TOO_LARGE, CANNOT_DRAW, CROSS_SITE, NO_SESSION, answers, api_blueprint,
                                error)
from backend.routes.models import RaceBody
from backend.routes.params import race_request
from backend.routes.usage_events import record_failures
from backend.services.clients import ClientGone, disconnect_probe, raise_when_gone, until_stopped
from backend.services.db import open_session
from backend.services.encoding import ENCODE_FAILED, EncoderError, find_ffmpeg
from backend.services.segments import Encoding, encode_race
from backend.services.system import logged_memory
from backend.services.visuals import build_race

log = logging.getLogger(__name__)
bp = api_blueprint("animations", __name__)
record_failures(bp, "animation")
CLIENT_CLOSED_REQUEST = 499  # the status nginx logs for this; nobody is left to read it


NO_ENCODER = "No ffmpeg is available on the server; set FFMPEG_BIN or install ffmpeg."


@bp.post("/generate_animation", responses=answers(
    {200: Video}, BAD_BODY, CROSS_SITE, NO_SESSION, BODY_TOO_LARGE, CANNOT_DRAW,
    error(410, "The session was deleted (DELETE /sessions/<id>) while the video rendered."),
    error(500, "The encoder failed mid-video."), error(503, "No ffmpeg is available on the server.")))
def generate_animation(body: RaceBody):
    """Render the bar-chart race of a session's top list over time as an MP4."""
    config = current_app.config
    req = race_request(body, config["MAX_SIDE_PX"])
    ffmpeg = find_ffmpeg(config["FFMPEG_BIN"])
    if ffmpeg is None:
        raise ApiError(503, NO_ENCODER)
    store = current_app.extensions["sessions"]
    started = time.perf_counter()
    with logged_memory("generate_animation"), store.using(req.chart.session_id) as path:
        with open_session(path) as con:
            prepared = build_race(con, req, config["MAX_FRAMES"])
        store.ensure_present(req.chart.session_id)
        client_gone = raise_when_gone(disconnect_probe(request.environ))

        def check() -> None:
            """Stop when the client has left (499) or the session was deleted meanwhile (410)."""
            client_gone()
            store.ensure_present(req.chart.session_id)

        encoding = Encoding(ffmpeg, prepared.width, prepared.height, prepared.fps, config["RENDER_WORKERS"],
                            config["RENDER_MEMORY_MB"])
        try:
            with store.scratch() as work:
                video = encode_race(prepared.race, encoding, work, check=check,
                                    wrap=lambda frames, _: until_stopped(frames, check))
        except EncoderError as error:
            # ffmpeg's own words may name server paths: they go to the log, not to the client
            log.warning("generate_animation: encoding failed: %s", error)
            raise ApiError(500, ENCODE_FAILED) from error
        except ClientGone as error:
            log.info("generate_animation: the client left; render stopped after %.2f s",
                     time.perf_counter() - started)
            raise ApiError(CLIENT_CLOSED_REQUEST, "The connection was closed before the video was ready.") from error
    current_app.extensions["analytics"].record(
        "animation", ok=True, attribute=req.chart.attribute.wire_name, metric=req.chart.metric.wire_name,
        top_n=req.chart.top_n, frames=video.frames, bytes=len(video.data),
        duration_s=round(time.perf_counter() - started, 3))
    if request.accept_mimetypes.best_match(["application/json", "video/mp4"]) == "video/mp4":
        response = Response(video.data, mimetype="video/mp4")
        response.headers["Content-Disposition"] = f'attachment; filename="{prepared.filename}"'
        return response
    return jsonify(video=base64.b64encode(video.data).decode("ascii"), filename=prepared.filename,
                   frames=video.frames, fps=prepared.fps, width=prepared.width, height=prepared.height)
