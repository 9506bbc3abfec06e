"""What a session's filters set aside, entry by entry: GET /sessions/<id>/filters."""
from __future__ import annotations

import duckdb

from backend.services.curation.relation import Curation, entry_counts


def filters_report(con: duckdb.DuckDBPyConnection, curation: Curation) -> dict:
    """The applied filters (Curation.to_json) with `set_aside`: for each list, the plays each of its entries
    leaves out (in the entries' order; a play two entries name counts for both), and the incognito plays.
    Reads what apply_filters left on the connection."""
    answer = curation.to_json()
    if not curation.filters.leaves_out():
        return answer
    return {**answer, "set_aside": entry_counts(con, curation.filters)}
