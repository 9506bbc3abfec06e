"""The render use cases: a session's chart and Wrapped card as JPEGs, its race as an MP4, for routes, jobs, workers."""
from backend.services.renders.errors import NoEncoder
from backend.services.renders.race import RenderedRace, check_race, render_race, require_encoder
from backend.services.renders.still import draw_chart
from backend.services.renders.wrapped import WrappedImage, WrappedRequest, draw_wrapped

__all__ = [
           "NoEncoder",
           "RenderedRace",
           "WrappedImage",
           "WrappedRequest",
           "check_race",
           "draw_chart",
           "draw_wrapped",
           "render_race",
           "require_encoder",
]
