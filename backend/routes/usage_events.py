"""Usage events of requests that failed: the routes' side of backend/services/analytics.py."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request


def record_failures(bp: Blueprint, event: str, endpoint: str | None = None) -> None:
    """Record `event` with ok false and the status code whenever a request of `bp` fails
    (only requests to `endpoint`, when one is named).

    Successful requests record their own event (ok true and their figures). A failure records only
    its status: the error message may quote what the caller sent.
    """
    @bp.after_request
    def record_failure(response: Response) -> Response:
        if response.status_code >= 400 and endpoint in (None, request.endpoint):
            current_app.extensions["analytics"].record(event, ok=False, status=response.status_code)
        return response
