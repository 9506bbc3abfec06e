"""Race renders as jobs: start, watch progress, download (with Range), cancel or delete."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, send_file

from backend.core.errors import ApiError
from backend.routes.params import json_body, race_request
from backend.services.analytics import record_failures
from backend.services.artwork import ArtworkSettings
from backend.services.db import open_session
from backend.services.encoding import find_ffmpeg
from backend.services.jobs import ACTIVE, JobRecord
from backend.services.visuals import build_race

bp = Blueprint("jobs", __name__)
JOB_EVENT = "animation_job"
# A refused POST records its status only; polls and downloads record nothing.
record_failures(bp, JOB_EVENT, endpoint="jobs.start_animation_job")


@bp.post("/jobs/animation")
def start_animation_job():
    """Validate a race like /generate_animation, then queue it: 202 with where to watch it."""
    config = current_app.config
    body = json_body(request)
    req = race_request(body, config["MAX_SIDE_PX"])
    if find_ffmpeg(config["FFMPEG_BIN"]) is None:
        raise ApiError(503, "No ffmpeg is available on the server; set FFMPEG_BIN or install ffmpeg.")
    sessions, jobs = current_app.extensions["sessions"], current_app.extensions["jobs"]
    with sessions.using(req.chart.session_id) as path, open_session(path) as con:
        # validation only: the render itself fetches the pictures, so the 202 is not held up by Spotify
        prepared = build_race(con, req, config["MAX_FRAMES"], ArtworkSettings.disabled())
    record = JobRecord(jobs.new_id(), req.chart.session_id, body, prepared.race.frame_count, prepared.filename)
    with jobs.lock():
        if jobs.active_count() >= jobs.max_jobs:
            raise ApiError(503, f"{jobs.max_jobs} renders are already queued or running; try again shortly.",
                           {"Retry-After": "30"})
        jobs.save(record)
    current_app.extensions["job_queue"].submit(record.session_id, record.job_id)
    current_app.extensions["analytics"].record(
        JOB_EVENT, ok=True, attribute=req.chart.attribute.wire_name, metric=req.chart.metric.wire_name,
        top_n=req.chart.top_n, frames=record.frames_total)
    status_url = f"/jobs/{record.job_id}"
    response = jsonify(job_id=record.job_id, status_url=status_url, state=record.state,
                       frames_total=record.frames_total)
    response.status_code = 202
    response.headers["Location"] = status_url
    return response


@bp.get("/jobs/<job_id>")
def show_job(job_id: str):
    """Report a job's state and progress (from frames really encoded)."""
    return jsonify(current_app.extensions["jobs"].find(job_id).public())


@bp.get("/jobs/<job_id>/video")
def download_job_video(job_id: str):
    """Send the finished MP4; Range requests let a browser seek in it."""
    jobs = current_app.extensions["jobs"]
    record = jobs.find(job_id)
    if record.state != "done":
        raise ApiError(409, f"The video is not ready: the job is {record.state}. Poll GET /jobs/{job_id}.")
    return send_file(jobs.video_path(record), mimetype="video/mp4", as_attachment=True,
                     download_name=record.filename, conditional=True, max_age=0)


@bp.delete("/jobs/<job_id>")
def delete_job(job_id: str):
    """Cancel a queued or running job, or delete a finished one and its video."""
    jobs = current_app.extensions["jobs"]
    record = jobs.find(job_id)
    if record.state in ACTIVE:
        cancelled = jobs.cancel(record)
        return jsonify(job_id=job_id, state=cancelled.state)
    jobs.remove(record)
    return jsonify(deleted=job_id)
