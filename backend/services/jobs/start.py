"""Starting a race as a job: the race checked as /generate_animation would check it, then recorded and queued."""
from __future__ import annotations

from dataclasses import dataclass, replace

from backend.core.settings import Settings
from backend.services.charts import RaceRequest, request_to_dict
from backend.services.curation import filters_in_effect
from backend.services.jobs.queue import JobQueue
from backend.services.jobs.record import JobRecord
from backend.services.jobs.store import JobStore
from backend.services.renders import check_race, require_encoder
from backend.services.sessions import SessionStore
from src.resource_errors import server_resources


@dataclass(frozen=True)
class StartedJob:
    record: JobRecord
    items: list[dict]   # the last date's ranking, as the video's last frame will show it
    filters: dict | None = None     # what the filters applied, None when none were


def start_race_job(settings: Settings, sessions: SessionStore, jobs: JobStore, queue: JobQueue,
                   req: RaceRequest) -> StartedJob:
    """Check the race, record it as a queued job and submit it; whatever render_race would refuse is refused
    now, with the job store's refusals (capacity, record size)."""
    require_encoder(settings)
    jobs.check_capacity(sessions.checked_id(req.chart.session_id))  # before the work; add() checks again
    # the filters as they are now: changing the session's later does not change a queued video
    chart = req.chart
    req = replace(req, chart=replace(chart, filters=filters_in_effect(sessions, chart.session_id, chart.filters)))
    # validation only: the render itself fetches the pictures, so the answer is not held up by Spotify
    plan = check_race(settings, sessions, req)
    # the validated race, not the body: unknown fields and padding are never stored
    record = JobRecord(jobs.new_id(), req.chart.session_id, request_to_dict(req), plan.race.frame_count,
                       plan.filename)
    with server_resources():  # its two small files, on a disk that may be full
        jobs.add(record, plan.items)
    queue.submit(record.session_id, record.job_id)
    return StartedJob(record, plan.items, plan.filters)
