"""What curation refuses: filters that are not what the filters body allows, or too many of them."""
from __future__ import annotations

from src.domain_error import DomainError


class FiltersInvalid(DomainError):
    """A filters body with an unknown field, a value of the wrong kind, or a period that ends before it starts."""


class SessionPredatesFilters(DomainError):
    """A session stored before ingest recorded what the filters read (its releases)."""

    def __init__(self) -> None:
        super().__init__("This session was stored before filters could be applied to it; upload the export again "
                         "with POST /process to use them.")


class TooManyFilterEntries(DomainError):
    def __init__(self, entries: int, limit: int):
        super().__init__(f"The filters hold {entries:,} entries; at most {limit:,} are kept (artists, songs, albums "
                         "and periods together). Leave out a whole artist or a longer period instead.")
        self.limit = limit
