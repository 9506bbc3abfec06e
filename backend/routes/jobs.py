"""Race renders as jobs: start, watch progress, download (with Range), cancel or delete."""
from __future__ import annotations

from flask import jsonify, send_file

from backend.routes.answers import Job, JobGone, JobStarted, with_filters
from backend.routes.api import (
    BAD_BODY,
    BAD_JOB_ID,
    CANNOT_DRAW,
    CROSS_SITE,
    GONE,
    NO_JOB,
    NO_SESSION,
    OUT_OF_SPACE,
    answers,
    api_blueprint,
    error,
)
from backend.routes.context import job_queue, job_store, service_settings, session_store
from backend.routes.models import JobPath, RaceBody
from backend.routes.refusals import ApiError
from backend.routes.usage_events import record_usage, report_usage
from backend.services.jobs import ACTIVE, start_race_job

bp = api_blueprint("jobs", __name__)
MP4 = {"content": {"video/mp4": {"schema": {"type": "string", "format": "binary"}}}}
JOB_EVENT = "animation_job"
# Starting a job records its outcome; polls and downloads record nothing.
record_usage(bp, JOB_EVENT, endpoint="jobs.start_animation_job")


@bp.post("/jobs/animation", responses=answers(
    {202: JobStarted}, BAD_BODY, CROSS_SITE, NO_SESSION, GONE, CANNOT_DRAW,
    error(413, "The JSON body is larger than MAX_JSON_KB, or the job's record would be larger than "
               "MAX_JOB_RECORD_KB."),
    error(503, "MAX_JOBS renders, or MAX_JOBS_PER_SESSION of this session's, are queued or running (with "
               "Retry-After), or no ffmpeg is available.", retry_after=True), OUT_OF_SPACE))
def start_animation_job(body: RaceBody):
    """Validate a race like /generate_animation, then queue it: 202 with where to watch it."""
    settings = service_settings()
    req = body.to_request(settings.max_side_px)
    started = start_race_job(settings, session_store(), job_store(), job_queue(), req)
    record = started.record
    report_usage(attribute=req.chart.attribute.wire_name, metric=req.chart.metric.wire_name, top_n=req.chart.top_n,
                 frames=record.frames_total)
    status_url = f"/jobs/{record.job_id}"
    response = jsonify(with_filters({"job_id": record.job_id, "status_url": status_url, "state": record.state,
                                     "frames_total": record.frames_total, "items": started.items}, started.filters))
    response.status_code = 202
    response.headers["Location"] = status_url
    return response


@bp.get("/jobs/<job_id>", responses=answers({200: Job}, BAD_JOB_ID, NO_JOB))
def show_job(path: JobPath):
    """Report a job's state and progress (from frames really encoded); a finished race's ranking too."""
    jobs = job_store()
    record = jobs.find(path.job_id)
    answer = record.public(jobs.clock.now())
    if record.state == "done":
        answer["items"] = jobs.read_items(record) or []
    return jsonify(answer)


@bp.get("/jobs/<job_id>/video", responses=answers(
    {200: MP4, 206: {"description": "The part a Range header asked for", **MP4},
     304: {"description": "Not modified since the ETag or date the request named"}},
    BAD_JOB_ID, NO_JOB, error(409, "The job is not done (yet)."),
    error(416, "The Range asked for lies outside the video.")))
def download_job_video(path: JobPath):
    """Send the finished MP4; Range requests let a browser seek in it."""
    jobs = job_store()
    job_id = path.job_id
    record = jobs.find(job_id)
    if record.state != "done":
        raise ApiError(409, f"The video is not ready: the job is {record.state}. Poll GET /jobs/{job_id}.")
    return send_file(jobs.video_file(record), mimetype="video/mp4", as_attachment=True,
                     download_name=record.filename, conditional=True, max_age=0)


@bp.delete("/jobs/<job_id>", responses=answers({200: JobGone}, BAD_JOB_ID, CROSS_SITE, NO_JOB))
def delete_job(path: JobPath):
    """Cancel a queued or running job, or delete a finished one and its video."""
    jobs = job_store()
    record = jobs.find(path.job_id)
    if record.state in ACTIVE:
        cancelled = jobs.cancel(record)
        return jsonify(job_id=record.job_id, state=cancelled.state)
    jobs.remove(record)
    return jsonify(deleted=record.job_id)
