"""Each domain error's HTTP answer, in one table: its status, its headers, and its words where they name an
endpoint (the services' own words never do); routes/error_handlers.py answers with it."""
from __future__ import annotations

from dataclasses import dataclass, field

from backend.services.charts import CannotDraw
from backend.services.curation import FiltersInvalid, SessionPredatesFilters, TooManyFilterEntries
from backend.services.encoding import EncoderError
from backend.services.jobs import JobIdInvalid, JobNotFound, JobRecordTooLarge, TooManyRenders, TooManySessionRenders
from backend.services.renders import NoEncoder
from backend.services.sessions import (
    SessionDamaged,
    SessionDeleted,
    SessionIdInvalid,
    SessionNotFound,
    StorageUnavailable,
    TooManySessions,
)
from src.domain_error import DomainError
from src.exports import ExportTooLarge, ExportUnreadable, ExportUnusable
from src.resource_errors import ServerOutOfMemory, ServerOutOfSpace

UPLOAD_AGAIN = "upload your export again with POST /process."


@dataclass(frozen=True)
class Answer:
    status: int
    # The answer's words instead of the error's; "{error.limit}" reads the error's attribute.
    words: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def message(self, error: DomainError) -> str:
        return self.words.format(error=error) if self.words else error.message


# A class's answer is its own entry's, or else its nearest listed base class's.
ANSWERS: dict[type[DomainError], Answer] = {
    ExportUnreadable: Answer(400),
    ExportTooLarge: Answer(413),
    ExportUnusable: Answer(422),
    SessionIdInvalid: Answer(400, "session_id must be the UUID that POST /process returned."),
    SessionNotFound: Answer(404, f"Unknown or expired session; {UPLOAD_AGAIN}"),
    SessionDeleted: Answer(410, f"The session was deleted while this request was using it; {UPLOAD_AGAIN}"),
    SessionDamaged: Answer(410, f"The session's stored data is damaged; {UPLOAD_AGAIN}"),
    TooManySessions: Answer(503, headers={"Retry-After": "60"}),
    StorageUnavailable: Answer(503, headers={"Retry-After": "30"}),
    CannotDraw: Answer(422),
    FiltersInvalid: Answer(400),
    SessionPredatesFilters: Answer(422),
    TooManyFilterEntries: Answer(413),
    NoEncoder: Answer(503),
    EncoderError: Answer(500),
    # the server's own disk or memory, never the person's file: a short wait is all it takes
    ServerOutOfSpace: Answer(507, headers={"Retry-After": "60"}),
    ServerOutOfMemory: Answer(503, headers={"Retry-After": "30"}),
    JobIdInvalid: Answer(400, "job_id must be the id that POST /jobs/animation returned."),
    JobNotFound: Answer(404, "Unknown or expired job; start it again with POST /jobs/animation."),
    JobRecordTooLarge: Answer(413),
    TooManyRenders: Answer(503, headers={"Retry-After": "30"}),
    TooManySessionRenders: Answer(503, "This session already has {error.limit} renders queued or running; wait for "
                                       "one to finish or cancel one with DELETE /jobs/<job_id>.",
                                  {"Retry-After": "30"}),
}


def answer_for(error: DomainError) -> Answer:
    """The answer of the error's class, or of its nearest listed base class."""
    return next(ANSWERS[kind] for kind in type(error).__mro__ if kind in ANSWERS)
