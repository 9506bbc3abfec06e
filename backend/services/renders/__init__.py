"""The render use cases: a session's chart as a JPEG, its race as an MP4; the routes, jobs and workers call these."""
from backend.services.renders.race import NO_ENCODER, RenderedRace, check_race, render_race, require_encoder
from backend.services.renders.still import draw_chart

__all__ = ["NO_ENCODER", "RenderedRace", "check_race", "draw_chart", "render_race", "require_encoder"]
