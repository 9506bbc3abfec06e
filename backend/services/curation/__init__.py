"""Curation: the filters kept with a session (what to leave out, versions merged), the filtered plays answers read."""
from backend.services.curation.errors import FiltersInvalid, SessionPredatesFilters, TooManyFilterEntries
from backend.services.curation.filters import MAX_ENTRIES, MOMENT_PATTERN, NO_FILTERS, Filters, filters_from_json
from backend.services.curation.kept import curate, filters_in_effect, keep_filters, session_filters
from backend.services.curation.relation import (
    Curation,
    MergedGroup,
    apply_filters,
    own_plays,
    set_aside_within,
)
from backend.services.curation.releases import record_releases
from backend.services.curation.set_aside import filters_report

__all__ = ["MAX_ENTRIES", "MOMENT_PATTERN", "NO_FILTERS", "Curation", "Filters", "FiltersInvalid", "MergedGroup",
           "SessionPredatesFilters", "TooManyFilterEntries", "apply_filters", "curate", "filters_from_json",
           "filters_in_effect", "filters_report", "keep_filters", "own_plays", "record_releases", "session_filters",
           "set_aside_within"]
