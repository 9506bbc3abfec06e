"""Pure functions of data -> pixels: the still top-N chart and the frames of a bar-chart race."""
from src.visuals.chart import ChartItem, paint_top_chart
from src.visuals.race import Race, prepare_race

__all__ = ["ChartItem", "Race", "paint_top_chart", "prepare_race"]
