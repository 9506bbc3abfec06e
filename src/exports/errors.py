"""The one error an upload can raise: what the person is told, and with which HTTP status."""
from __future__ import annotations


class ExportError(Exception):
    """An upload that cannot be used, with the HTTP status and a message for the person.

    The message is ours alone: it may name a member file of the upload, never a server path or a
    library's own words (those go to the log).
    """

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message
