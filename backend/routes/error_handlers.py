"""One error shape for the whole API, {"error": "<what went wrong and what to do>"}: the routes' ApiError, the
domain's errors by the table in error_statuses.py, werkzeug's HTTP errors, and anything else as a 500."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify
from werkzeug.exceptions import HTTPException

from backend.routes.error_statuses import answer_for
from backend.routes.refusals import ApiError
from src.domain_error import DomainError

log = logging.getLogger(__name__)


def error_response(status: int, message: str, headers: dict[str, str] | None = None):
    response = jsonify(error=message)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_error_handlers(app: Flask, upload_limit_mb: int) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        return error_response(error.status, error.message)

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        answer = answer_for(error)
        if answer.status >= 500:  # the server's failure, not the request's: what caused it goes to the log
            log.warning("%s: %s", type(error).__name__, error, exc_info=error.__cause__)
        return error_response(answer.status, answer.message(error), answer.headers)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        if error.code == 413:
            # a JSON route words its own limit (routes/json_budget.py)
            upload_message = (f"The upload is larger than the {upload_limit_mb} MB limit; "
                              "upload the ZIP Spotify sent you, unmodified.")
            return error_response(413, g.get("too_large") or upload_message)
        return error_response(error.code or 500, error.description or error.name)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.error("Unhandled error", exc_info=error)
        return error_response(500, "Internal error; the request was not completed. Please try again.")
