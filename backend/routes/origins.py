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

import re
from collections.abc import Iterable

from flask import Flask, request
from flask_cors import CORS

from backend.routes.error_handlers import error_response

STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ALLOWED_METHODS = ["GET", "POST", "PUT", "DELETE"]
ALLOWED_HEADERS = ["Content-Type", "Accept", "Range"]
# Headers a browser script may read besides the CORS-safelisted ones.
EXPOSED_HEADERS = ["Retry-After", "Location", "Content-Disposition", "Content-Range", "Accept-Ranges"]
PREFLIGHT_MAX_AGE_SECONDS = 600
NEVER_GRANTED = "null"
ANY_ORIGIN_BUT_NULL = re.compile(r"^(?!null$).+$", re.IGNORECASE)
# An origin is scheme://host[:port] and nothing else (RFC 6454); matched, not parsed, so that no value a
# client sends can make the check fail (urlsplit raises on "http://[::1", and that was a 500).
SERIALISED_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://([^/?#@\s]+)")


class OriginPolicy:
    """The operator's list of origins (CORS_ORIGINS), `*` meaning any origin except `null`."""

    def __init__(self, listed: Iterable[str]):
        listed = set(listed)
        self.any_origin = "*" in listed
        self.listed = {_normalised(origin) for origin in listed} - {"*", NEVER_GRANTED}

    def grants(self, origin: str) -> bool:
        origin = _normalised(origin)
        if origin == NEVER_GRANTED:
            return False
        return self.any_origin or origin in self.listed


def _normalised(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def _is_own_host(origin: str) -> bool:
    """A page served by this very host (its docs page, say) is not cross-site; the scheme may
    differ behind a TLS proxy, so only the host and port are compared. Never raises."""
    match = SERIALISED_ORIGIN.fullmatch(_normalised(origin))
    return match is not None and match.group(1) == request.host.lower()


def install_origin_policy(app: Flask, origins: Iterable[str]) -> None:
    """Refuse ungranted preflights and cross-site writes; Flask-CORS writes the headers of granted ones."""
    policy = OriginPolicy(origins)
    CORS(app, origins=[ANY_ORIGIN_BUT_NULL] if policy.any_origin else sorted(policy.listed),
         methods=ALLOWED_METHODS, allow_headers=ALLOWED_HEADERS, expose_headers=EXPOSED_HEADERS,
         max_age=PREFLIGHT_MAX_AGE_SECONDS, supports_credentials=False, always_send=False)

    @app.before_request
    def check_origin():
        origin = request.headers.get("Origin")
        if origin is None:
            return None
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            if not policy.grants(origin):
                return error_response(403, "This origin may not call the API from a browser; "
                                           "the operator can list it in CORS_ORIGINS.")
            return app.make_response(("", 204))
        if request.method in STATE_CHANGING_METHODS and not policy.grants(origin) and not _is_own_host(origin):
            return error_response(403, "Requests from a page on another site are refused; "
                                       "the operator can allow a front end's origin in CORS_ORIGINS.")
        return None

    @app.after_request
    def vary_by_origin(response):
        # Whether a write is refused depends on Origin too: caches must not hand one origin's answer to another.
        response.vary.add("Origin")
        return response
