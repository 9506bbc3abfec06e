"""The base of every error the domain raises: what the person is told, and nothing about HTTP.

Each package raises its own subclasses (src/exports/errors.py, backend/services/*/errors.py);
backend/routes/error_statuses.py gives each its status, in one table.
"""
from __future__ import annotations


class DomainError(Exception):
    """Something asked of the domain that it cannot do, with the message the person sees.

    The message is ours alone: it may name a member file of an upload or a setting, never a server path
    or a library's own words (those go to the log).
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
