"""What a session's export can be charted by: only exports with album names chart albums."""
from __future__ import annotations

import duckdb

from backend.services.charts.errors import NoAlbums
from backend.services.charts.requests import ChartRequest
from backend.services.sessions import read_summary


def check_attribute(con: duckdb.DuckDBPyConnection, req: ChartRequest) -> None:
    """NoAlbums for an album chart of an export without album names."""
    if req.attribute.needs_albums and not read_summary(con)["albums_available"]:
        raise NoAlbums
