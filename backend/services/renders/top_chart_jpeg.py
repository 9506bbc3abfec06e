"""Drawing a session's still chart: open the session, draw the chart with artwork as configured."""
from __future__ import annotations

from backend.core.settings import Settings
from backend.services.artwork import ArtworkSettings
from backend.services.charts import ChartRequest, TopChartImage, top_chart_image
from backend.services.curation import curate
from backend.services.hygiene import logged_memory
from backend.services.sessions import SessionStore, open_session


def render_top_chart(settings: Settings, sessions: SessionStore, req: ChartRequest) -> TopChartImage:
    """The chart a request asks for, as a JPEG with its items."""
    with logged_memory("chart"), sessions.using(req.session_id) as path, open_session(path) as con:
        curation = curate(con, sessions, req.session_id, req.filters)
        return top_chart_image(con, req, ArtworkSettings.from_settings(settings), curation)
