"""Which browser origins may use the API: CORS headers, and refusing cross-site writes outright.

CORS alone only stops a foreign page from *reading* an answer; a form POST or a `fetch` with
`mode: "no-cors"` from any page still reaches the server and does its work (starts a render,
deletes a session). So a state-changing request whose `Origin` is neither listed in CORS_ORIGINS
nor the service's own host is refused with 403 before any route runs. Requests without `Origin`
(curl, the Streamlit front end calling server to server) are not browser cross-site requests and
pass. `null` (sandboxed frames, `file:` pages) is never granted, even under `*`, and credentials
are never allowed, so `*` can never hand a visitor's cookies to another site.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

from backend.core.errors import error_response

STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ALLOWED_METHODS = "GET, POST, DELETE"
ALLOWED_HEADERS = "Content-Type, Accept, Range"
# Headers a browser script may read besides the CORS-safelisted ones.
EXPOSED_HEADERS = "Retry-After, Location, Content-Disposition, Content-Range, Accept-Ranges"
PREFLIGHT_MAX_AGE_SECONDS = "600"
NEVER_GRANTED = "null"


class OriginPolicy:
    """The operator's list of origins (CORS_ORIGINS), `*` meaning any origin except `null`."""

    def __init__(self, listed: list[str]):
        self.any_origin = "*" in listed
        self.listed = {_normalised(origin) for origin in listed if origin != "*"}

    def grants(self, origin: str) -> bool:
        origin = _normalised(origin)
        if origin == NEVER_GRANTED:
            return False
        return self.any_origin or origin in self.listed


def _normalised(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def _is_own_host(origin: str) -> bool:
    """A page served by this very host (its docs page, say) is not cross-site; the scheme may
    differ behind a TLS proxy, so only the host and port are compared."""
    return urlsplit(_normalised(origin)).netloc == request.host.lower()


def _grant(response: Response, origin: str) -> None:
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS


def install_origin_policy(app: Flask) -> None:
    """Answer preflights, refuse cross-site writes from unlisted origins, and label every answer."""
    policy = OriginPolicy(app.config["CORS_ORIGINS"])

    @app.before_request
    def check_origin():
        origin = request.headers.get("Origin")
        if origin is None:
            return None
        is_preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        if is_preflight:
            if not policy.grants(origin):
                return error_response(403, "This origin may not call the API from a browser; "
                                           "the operator can list it in CORS_ORIGINS.")
            response = app.make_response(("", 204))
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE_SECONDS
            return response
        if request.method in STATE_CHANGING_METHODS and not policy.grants(origin) and not _is_own_host(origin):
            return error_response(403, "Requests from a page on another site are refused; "
                                       "the operator can allow a front end's origin in CORS_ORIGINS.")
        return None

    @app.after_request
    def label_answer(response: Response) -> Response:
        # The answer depends on Origin: caches must not hand one origin's answer to another.
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin is not None and policy.grants(origin):
            _grant(response, origin)
        return response
