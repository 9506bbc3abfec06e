"""What an upload can be refused for: unreadable, too large, or without usable listening history."""
from __future__ import annotations

from src.domain_error import DomainError


class ExportError(DomainError):
    """An upload that cannot be used, with a message for the person."""


class ExportUnreadable(ExportError):
    """Not a ZIP or a JSON history, a damaged ZIP or member, or an unsafe entry."""


class ExportTooLarge(ExportError):
    """Too many entries, too much once inflated, too high a compression ratio, or too many rows."""


class ExportUnusable(ExportError):
    """Readable, but holding no listening history that can be stored."""
