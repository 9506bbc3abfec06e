"""What the job store refuses: an id it never issued, a job gone, too many renders, too large a record."""
from __future__ import annotations

from src.domain_error import DomainError


class JobIdInvalid(DomainError):
    def __init__(self) -> None:
        super().__init__("The job id is not one this service issues.")


class JobNotFound(DomainError):
    def __init__(self) -> None:
        super().__init__("Unknown or expired job.")


class TooManyRenders(DomainError):
    """MAX_JOBS renders, of all sessions, are queued or running."""

    def __init__(self, limit: int):
        super().__init__(f"{limit} renders are already queued or running; try again shortly.")
        self.limit = limit


class TooManySessionRenders(DomainError):
    """MAX_JOBS_PER_SESSION of this session's renders are queued or running."""

    def __init__(self, limit: int):
        super().__init__(f"This session already has {limit} renders queued or running; wait for one to finish "
                         "or cancel one.")
        self.limit = limit


class JobRecordTooLarge(DomainError):
    def __init__(self, size: int, limit: int):
        super().__init__(f"This render's job record would take {size:,} bytes; the limit is {limit:,} "
                         "(MAX_JOB_RECORD_KB).")
