"""Usage events, one per request outcome: the routes' side of backend/services/analytics."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request

from backend.routes.context import usage_analytics


def report_usage(**figures: Any) -> None:
    """The figures a successful request's event carries (sizes, counts, durations: never what was sent)."""
    g.usage_figures = figures


def record_usage(bp: Blueprint, event: str, endpoint: str | None = None) -> None:
    """Record `event` for every request of `bp` (only those to `endpoint`, when one is named): ok true with
    the figures the view reported, or ok false with only the status code (the error message may quote
    what the caller sent)."""
    @bp.after_request
    def record_outcome(response: Response) -> Response:
        if endpoint not in (None, request.endpoint):
            return response
        if response.status_code >= 400:
            usage_analytics().record(event, ok=False, status=response.status_code)
        elif "usage_figures" in g:
            usage_analytics().record(event, ok=True, **g.usage_figures)
        return response
