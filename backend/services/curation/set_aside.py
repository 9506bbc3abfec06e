"""What a session's filters set aside, entry by entry: GET /sessions/<id>/filters."""
from __future__ import annotations

import duckdb

from backend.services.curation.relation import ENTRY_TABLES, Curation


def filters_report(con: duckdb.DuckDBPyConnection, curation: Curation) -> dict:
    """The applied filters (Curation.to_json) with `set_aside`: for each list, the plays each of its entries
    leaves out (in the entries' order; a play two entries name counts for both), and the incognito plays.
    Reads what apply_filters left on the connection."""
    answer = curation.to_json()
    filters = curation.filters
    if not filters.leaves_out():
        return answer
    counts = {(name, entry): plays for name, entry, plays in con.execute(
        "SELECT list, entry, count(*) FROM curation_left_out GROUP BY list, entry").fetchall()}
    set_aside = {name: [counts.get((name, entry), 0) for entry in range(len(getattr(filters, name)))]
                 for name in ENTRY_TABLES}
    return {**answer, "set_aside": {**set_aside, "incognito": counts.get(("incognito", 0), 0)}}
