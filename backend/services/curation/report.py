"""What a session's filters set aside, entry by entry: GET /sessions/<id>/filters."""
from __future__ import annotations

import duckdb

from backend.services.curation.relation import ENTRY_TABLES, INCOGNITO, Curation, own_plays


def filters_report(con: duckdb.DuckDBPyConnection, curation: Curation) -> dict:
    """The applied filters (Curation.to_json) with `set_aside`: for each list, the plays each of its entries
    leaves out (in the entries' order; a play two entries name counts for both), and the incognito plays."""
    answer = curation.to_json()
    filters = curation.filters
    if not filters.leaves_out():
        return answer
    own, set_aside = own_plays(con), {}
    for field, (table, match) in ENTRY_TABLES.items():
        counts = dict(con.execute(f"SELECT c.entry, count(*) FROM {own} p JOIN {table} c ON {match} "
                                  "GROUP BY c.entry").fetchall())
        set_aside[field] = [counts.get(entry, 0) for entry in range(len(getattr(filters, field)))]
    set_aside["incognito"] = 0 if filters.include_incognito else \
        con.execute(f"SELECT count(*) FROM {own} WHERE {INCOGNITO}").fetchone()[0]
    return {**answer, "set_aside": set_aside}
