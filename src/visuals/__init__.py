"""Pure functions of data -> pixels: the still top-N chart and the frames of a bar-chart race.

Grouped by what is drawn: text/ (fonts, sprites, line breaks, labels), chart/ (the top chart, bars, the page
geometry), race/ (plan, motion, timeline, painter, the encoder's planes), card/ (the Wrapped card). Shared by
all: canvas.py, painter.py, footer.py, style.py, themes.py, formats.py. The race's keyframes are data, in
src/keyframes.py.
"""
from src.visuals.chart.top_chart_painter import ChartItem, paint_top_chart
from src.visuals.race.race_painter import Race, prepare_race

__all__ = ["ChartItem", "Race", "paint_top_chart", "prepare_race"]
