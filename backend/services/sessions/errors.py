"""What the session store refuses: an id it never issued, a session gone, or no room for another."""
from __future__ import annotations

from src.domain_error import DomainError


class SessionIdInvalid(DomainError):
    def __init__(self) -> None:
        super().__init__("The session id is not one this service issues.")


class SessionNotFound(DomainError):
    def __init__(self) -> None:
        super().__init__("Unknown or expired session.")


class SessionDeleted(DomainError):
    """The session was deleted under a request that was using it."""

    def __init__(self) -> None:
        super().__init__("The session was deleted while this request was using it.")


class TooManySessions(DomainError):
    def __init__(self, limit: int):
        super().__init__(f"The server is busy with {limit} sessions; try again in a minute.")
        self.limit = limit


class SessionDamaged(DomainError):
    """The stored session file cannot be read as a session."""

    def __init__(self) -> None:
        super().__init__("The session's stored data is damaged.")


class StorageUnavailable(DomainError):
    """The object store did not answer in time, or refused the service."""

    def __init__(self) -> None:
        super().__init__("Session storage is unavailable; try again in a minute.")
