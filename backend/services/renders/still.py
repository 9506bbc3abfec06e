"""Drawing a session's still chart: open the session, draw the chart with artwork as configured."""
from __future__ import annotations

from backend.core.settings import Settings
from backend.services.artwork.settings import ArtworkSettings
from backend.services.charts.requests import ChartRequest
from backend.services.charts.still import ChartImage, chart_image
from backend.services.hygiene.memory import logged_memory
from backend.services.sessions.database import open_session
from backend.services.sessions.store import SessionStore


def draw_chart(settings: Settings, sessions: SessionStore, req: ChartRequest) -> ChartImage:
    """The chart a request asks for, as a JPEG with its items."""
    with logged_memory("chart"), sessions.using(req.session_id) as path, open_session(path) as con:
        return chart_image(con, req, ArtworkSettings.from_settings(settings))
