"""The error a route refuses a request with: its HTTP status and the message the caller sees.

Only the web edge raises it; the services and src raise domain errors (src/domain_error.py), which
backend/routes/error_statuses.py maps to statuses. backend/routes/error_handlers.py turns both into the
one error shape of the API: {"error": "..."}."""
from __future__ import annotations


class ApiError(Exception):
    """A request the API refuses, with the status and the message the caller sees."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)
