"""The development server (`python -m backend.app`) without version numbers in its `Server:` header.

Werkzeug's handler answers `Server: Werkzeug/<version> Python/<version>`, which tells a scanner
which known bugs to try; the name alone tells it nothing it could use.
"""
from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler

SERVER_NAME = "Werkzeug"


class UnversionedRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, naming the server without its or Python's version."""

    server_version = SERVER_NAME
    sys_version = ""

    def version_string(self) -> str:
        return SERVER_NAME
