"""The error a request is refused with: its HTTP status and the message the caller sees.

backend/routes/error_handlers.py turns it into the one error shape of the API: {"error": "..."}."""
from __future__ import annotations


class ApiError(Exception):
    """A request the API refuses, with the status and the message the caller sees."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def unprocessable(message: str) -> ApiError:
    return ApiError(422, message)
