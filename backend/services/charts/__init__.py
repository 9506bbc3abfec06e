"""Charts and races of a session: what can be ranked and by what, the queries, and the frames to paint."""
from backend.services.charts.choices import ATTRIBUTE_ALIASES, ATTRIBUTES, METRIC_ALIASES, METRICS, Attribute, Metric
from backend.services.charts.framing import date_range_text, no_plays, play_window
from backend.services.charts.queries import Window, time_zone_names
from backend.services.charts.race import PreparedRace, build_race
from backend.services.charts.requests import ChartRequest, RaceRequest, request_from_dict, request_to_dict
from backend.services.charts.still import ChartImage, chart_image

__all__ = ["ATTRIBUTES", "ATTRIBUTE_ALIASES", "METRICS", "METRIC_ALIASES", "Attribute", "ChartImage", "ChartRequest",
           "Metric", "PreparedRace", "RaceRequest", "Window", "build_race", "chart_image",
           "date_range_text", "no_plays", "play_window", "request_from_dict", "request_to_dict", "time_zone_names"]
