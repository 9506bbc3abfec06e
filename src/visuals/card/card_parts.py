"""The parts of the Wrapped card's panels, placed in pixels: texts (sprites at a baseline) and shapes
(pictures, tiles, heatmap cells). Nothing here paints; src/visuals/card/wrapped_card_painter.py does."""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field

from PIL import Image

from src.visuals.card.card_layout import Box, CardLayout
from src.visuals.chart.layout import LINE
from src.visuals.chart.top_chart_painter import colour_key
from src.visuals.text import Sprite, TextBlock, TextSpec, measured_to_fit, render_block, render_texts
from src.visuals.text.fonts import initial
from src.visuals.text.labels import LabelStyle, styled_label_blocks
from src.visuals.themes import Colour, Theme, assign_colours

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOUR_TICKS = (0, 6, 12, 18)
SEPARATOR = " · "
FACT_SCALES = (1.0, 0.85, 0.72)   # a headline that would be cut is tried smaller first
FIGURE_SCALES = (1.0, 0.9, 0.8, 0.7, 0.6)  # likewise a line of figures, down to a size still read at a glance


@dataclass(frozen=True)
class Placed:
    """A text's sprite with its left edge at x and its baseline at `baseline`."""
    sprite: Sprite
    x: int
    baseline: int
    colour: Colour
    panel: str
    _: KW_ONLY   # from here on by keyword only
    on_tile: bool = False       # an artist's initial, drawn inside its tile

    @property
    def box(self) -> Box:
        top = self.baseline - self.sprite.baseline
        return Box(self.x, top, self.x + self.sprite.width, top + self.sprite.height)


@dataclass(frozen=True)
class Shape:
    box: Box
    colour: Colour
    panel: str
    picture: Image.Image | None = field(default=None, compare=False)
    radius: int = 0


def text_line(text: str, size: float, bold: bool, box: Box, baseline: float, *, colour: Colour, panel: str,
              right: bool = False) -> Placed:
    """One line in the box's width (shortened with … if it must), at its left edge or, with `right`, its right."""
    sprite, = render_texts([TextSpec(text, size, bold, max_width=int(box.width))])
    x = box.right - sprite.width if right else box.left
    return Placed(sprite, round(x), round(baseline), colour, panel)


def text_lines(text: str, size: float, box: Box, baseline: float, colour: Colour, *, panel: str,
               max_lines: int = 2) -> list[Placed]:
    """Figures joined by " · ", broken only at a " · " into at most max_lines lines of the box's width, and
    set smaller when they would not fit whole: a figure is never cut short."""
    size, lines = figure_lines(text, size, int(box.width), max_lines)
    return [Placed(block.lines[0], round(box.left), round(baseline + i * size * LINE), colour, panel)
            for i, (_, block) in enumerate(lines)]


def figure_lines(text: str, size: float, width: int, max_lines: int) -> tuple[float, list[tuple[str, TextBlock]]]:
    """The size the figures are set at and their lines (text, drawn line): the largest of FIGURE_SCALES at
    which every figure fits whole in max_lines lines; at the smallest, as many lines as whole figures need."""
    parts = text.split(SEPARATOR)
    for scale in FIGURE_SCALES:
        lines = _greedy_lines(parts, size * scale, width)
        if len(lines) <= max_lines and not any(block.cut for _, block in lines):
            break
    return size * scale, lines


def _greedy_lines(parts: list[str], size: float, width: int) -> list[tuple[str, TextBlock]]:
    """Each line takes as many whole figures as fit; a figure wider than a line alone is cut (and says so)."""
    lines: list[tuple[str, TextBlock]] = []
    taken = 0
    while taken < len(parts):
        for count in range(len(parts) - taken, 0, -1):
            line = SEPARATOR.join(parts[taken:taken + count])
            spec = TextSpec(line, size, max_width=width)
            if count > 1 and not measured_to_fit(spec):
                continue  # too wide by its measure already: not drawn to learn it
            block = render_block(spec)
            if not block.cut or count == 1:
                break
        lines.append((line, block))
        taken += count
    return lines


def list_parts(rows: list, box: Box, layout: CardLayout, theme: Theme, tiles: bool,
               *, panel: str) -> tuple[list[Placed], list[Shape], list[tuple[str, bool]]]:
    """A ranked list of up to five rows: rank, (a picture or a tile), the name and its muted line."""
    row_px = layout.row_px
    tile_left = box.left + layout.rank_width + layout.space * 0.6
    name_left = tile_left + (layout.thumb_px + layout.space * 0.7 if tiles else 0)
    style = LabelStyle(int(box.right - name_left), layout.name_px, layout.name_lines, layout.secondary_px)
    blocks = styled_label_blocks(style, [row.name for row in rows], [row.detail for row in rows])
    ranks = render_texts([TextSpec(str(rank), layout.rank_px, bold=True) for rank in range(1, len(rows) + 1)])
    colours = assign_colours([colour_key(row.name, None) for row in rows], theme)
    texts, shapes = [], []
    for i, (row, block, rank, colour) in enumerate(zip(rows, blocks, ranks, colours)):
        centre = box.top + (i + 0.5) * row_px
        rank_box = Box(box.left, box.top, box.left + layout.rank_width, box.bottom)
        texts.append(Placed(rank, round(rank_box.right - rank.width), round(centre + layout.rank_px * 0.36),
                            theme.muted, panel))
        for line in block.lines:
            texts.append(Placed(line.sprite, round(name_left), round(centre) + line.dy,
                                theme.muted if line.muted else theme.text, panel))
        if tiles:
            tile = Box(round(tile_left), round(centre - layout.thumb_px / 2), round(tile_left) + layout.thumb_px,
                       round(centre - layout.thumb_px / 2) + layout.thumb_px)
            shapes.append(Shape(tile, colour, panel, row.picture, 0 if row.picture else round(layout.thumb_px / 6)))
            if row.picture is None:
                texts.append(_initial(row.name, tile, theme, panel))
    return texts, shapes, [(row.name, block.name.cut) for row, block in zip(rows, blocks)]


def _initial(name: str, tile: Box, theme: Theme, panel: str) -> Placed:
    """The name's first letter, centred in its tile: a tile without a picture still says whose it is."""
    sprite, = render_texts([TextSpec(initial(name), tile.height * 0.5, bold=True)])
    centre_x, centre_y = (tile.left + tile.right) / 2, (tile.top + tile.bottom) / 2
    return Placed(sprite, round(centre_x - sprite.width / 2), round(centre_y - sprite.height / 2 + sprite.baseline),
                  theme.background, panel, on_tile=True)


def heat(count: int, peak: int, theme: Theme, accent: Colour) -> Colour:
    """A clock cell's colour: the hairline's colour when empty, toward the accent as the hour fills."""
    if not count:
        return theme.rule
    share = 0.18 + 0.82 * (count / peak) ** 0.6
    return tuple(round(a + (b - a) * share) for a, b in zip(theme.rule, accent))


def clock_parts(clock: list[list[int]], note: str, box: Box, layout: CardLayout, theme: Theme,
                *, accent: Colour) -> tuple[list[Placed], list[Shape]]:
    """The 7x24 heatmap with weekday labels at its left, hour ticks under it and the busiest hour below."""
    label_px = layout.clock_label_px
    days = render_texts([TextSpec(day, label_px) for day in WEEKDAYS])
    label_width = max(d.width for d in days) + layout.space * 0.6
    grid_height = box.height - label_px * 1.9 - layout.detail_px * 1.8
    cell = (box.width - label_width) / 24
    pitch = min(grid_height / 7, cell)     # cells a little wider than tall fill a wide panel
    gap, radius = max(1.0, round(min(cell, pitch) * 0.14)), round(min(cell, pitch) * 0.18)
    left = box.left + label_width
    peak = max((max(hours) for hours in clock), default=0)
    texts, shapes = [], []
    for day, (label, hours) in enumerate(zip(days, clock)):
        top = box.top + day * pitch
        texts.append(Placed(label, round(box.left), round(top + pitch / 2 + label_px * 0.36), theme.muted, "clock"))
        for hour, count in enumerate(hours):
            cell_box = Box(round(left + hour * cell), round(top), round(left + (hour + 1) * cell - gap),
                           round(top + pitch - gap))
            shapes.append(Shape(cell_box, heat(count, peak, theme, accent), "clock", radius=radius))
    ticks_baseline = box.top + 7 * pitch + label_px * 1.3
    for hour in HOUR_TICKS:
        tick = Box(left + hour * cell, box.top, left + (hour + 6) * cell, box.bottom)
        texts.append(text_line(f"{hour:02d}:00", label_px, False, tick, ticks_baseline, colour=theme.muted,
                               panel="clock"))
    texts.append(text_line(note, layout.detail_px, False, Box(box.left, box.top, box.right, box.bottom),
                           ticks_baseline + layout.detail_px * 1.7, colour=theme.muted, panel="clock"))
    return texts, shapes


def fact_parts(headline: str, detail: str, box: Box, layout: CardLayout, theme: Theme, *, colour: Colour,
               panel: str) -> tuple[list[Placed], bool]:
    """A fact's headline (on two lines when the panel holds them, smaller when it would be cut) with its muted
    detail under it; and whether the headline was cut all the same."""
    for size in (layout.fact_px * scale for scale in FACT_SCALES):
        lines = 2 if box.height >= (2 * size + layout.detail_px) * LINE else 1
        block, = styled_label_blocks(LabelStyle(int(box.width), size, lines, layout.detail_px), [headline], [detail])
        if not block.name.cut:
            break
    top = min(line.dy - line.sprite.baseline for line in block.lines)
    centre = box.top - top
    texts = [Placed(line.sprite, round(box.left), round(centre) + line.dy, theme.muted if line.muted else colour,
                    panel) for line in block.lines]
    return texts, block.name.cut
