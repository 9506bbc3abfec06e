"""The development server (`python -m backend.app`): no version numbers in `Server:`, and its own refusals
(a malformed request line, too many headers) in the API's JSON error shape instead of an HTML page.

Werkzeug's handler answers `Server: Werkzeug/<version> Python/<version>`, which tells a scanner
which known bugs to try; the name alone tells it nothing it could use.
"""
from __future__ import annotations

import json
from http import HTTPStatus

from werkzeug.serving import WSGIRequestHandler

SERVER_NAME = "Werkzeug"
ADVICE = {
    400: "send a well-formed HTTP/1.1 request line and headers",
    414: "send a shorter URL",
    431: "send fewer or shorter headers",
    505: "send the request as HTTP/1.1",
}


class UnversionedRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, naming the server without its or Python's version."""

    server_version = SERVER_NAME
    sys_version = ""

    def version_string(self) -> str:
        return SERVER_NAME

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's refusal of a request it could not read, as {"error": ...}; the connection closes."""
        status = HTTPStatus(code)
        what = (message or status.phrase).rstrip(".")
        body = json.dumps({"error": f"{what}; {ADVICE.get(code, 'send the request again')}."}).encode()
        self.log_error("code %d, message %s", code, what)
        # A line http.server could not read leaves it assuming HTTP/0.9, which has no status line at all.
        self.request_version = "HTTP/1.1"
        self.send_response(code, status.phrase)
        self.send_header("Connection", "close")
        self.close_connection = True
        if code >= 200 and code not in (HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED):
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED):
            self.wfile.write(body)
