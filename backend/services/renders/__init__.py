"""The render use cases: a session's chart and Wrapped card as JPEGs, its race as an MP4, for routes, jobs, workers."""
from backend.services.renders.errors import NoEncoder
from backend.services.renders.race_video import RenderedRace, check_race, render_race, require_encoder
from backend.services.renders.top_chart_jpeg import render_top_chart
from backend.services.renders.wrapped_card_jpeg import WrappedImage, WrappedRequest, render_wrapped_card

__all__ = [
           "NoEncoder",
           "RenderedRace",
           "WrappedImage",
           "WrappedRequest",
           "check_race",
           "render_race",
           "render_top_chart",
           "render_wrapped_card",
           "require_encoder",
]
