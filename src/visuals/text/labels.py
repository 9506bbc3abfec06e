"""The texts a frame repeats, drawn once: numbers from per-character sprites, and each bar's label block.

A label block is a name on up to two lines with the secondary name (the artist) on a line of its own,
centred as a whole on its bar; every line keeps its offset from the bar's centre, so painting a
frame is a few pastes per bar.
"""
from __future__ import annotations

from dataclasses import dataclass

from src.visuals.canvas import Canvas
from src.visuals.chart.layout import LINE, Layout
from src.visuals.text import Sprite, TextBlock, TextSpec, render_block, render_texts
from src.visuals.themes import Colour

DIGITS = "0123456789,."
ASCENT = 0.78   # where a line's baseline sits in its line box, in ems from its top (Lato's caps and ascenders)


class Numbers:
    """Numbers set from one sprite per character, with tabular digits so counting up does not jitter."""

    def __init__(self, size_px: float, bold: bool, units: tuple[str, ...]):
        sprites = render_texts([TextSpec(ch, size_px, bold) for ch in DIGITS]
                               + [TextSpec(unit, size_px) for unit in units])
        self.glyphs = dict(zip(DIGITS, sprites))
        self.units = dict(zip(units, sprites[len(DIGITS):]))
        digit_width = max(self.glyphs[ch].width for ch in "0123456789")
        gap = max(1, round(size_px * 0.02))
        self.advance = {ch: (digit_width if ch.isdigit() else g.width) + gap for ch, g in self.glyphs.items()}
        self.unit_gap = round(size_px * 0.25)

    def width(self, number: str, unit: str | None = None) -> int:
        text = sum(self.advance[ch] for ch in number)
        return text + (self.unit_gap + self.units[unit].width if unit else 0)

    def stamp(self, canvas: Canvas, number: str, unit: str | None, x: int, baseline: int,
              *, colours: tuple[Colour, Colour], clip: tuple[int, int | None] = (0, None)) -> None:
        """The number in colours[0] and its unit after it in colours[1]."""
        for ch in number:
            canvas.stamp(self.glyphs[ch], x, baseline, colours[0], clip_top=clip[0], clip_bottom=clip[1])
            x += self.advance[ch]
        if unit:
            canvas.stamp(self.units[unit], x + self.unit_gap, baseline, colours[1], clip_top=clip[0],
                         clip_bottom=clip[1])


@dataclass(frozen=True)
class PlacedLine:
    sprite: Sprite
    dy: int           # baseline offset from the bar's centre
    muted: bool


@dataclass(frozen=True)
class LabelBlock:
    lines: tuple[PlacedLine, ...]
    name: TextBlock
    top: int          # the block's ink, from the bar's centre: top and bottom rows
    bottom: int


@dataclass(frozen=True)
class LabelStyle:
    """How a column of labels is set: its width, the name's size and lines, the secondary line's size."""
    width: int
    name_px: float
    name_lines: int
    secondary_px: float


def label_blocks(layout: Layout, names: list[str], artists: list[str | None]) -> list[LabelBlock]:
    """Each bar's label: name lines then the artist line, as a block centred on the bar."""
    style = LabelStyle(layout.label_width, layout.name_px, layout.name_lines, layout.artist_px)
    return styled_label_blocks(style, names, artists)


def styled_label_blocks(style: LabelStyle, names: list[str], secondary: list[str | None]) -> list[LabelBlock]:
    """Each name on up to style.name_lines lines with its secondary line (when there is one) below it, as a
    block centred on 0."""
    return [_placed(render_block(TextSpec(name, style.name_px, bold=True, max_width=style.width,
                                          max_lines=style.name_lines, shrink=True)),
                    render_block(TextSpec(text, style.secondary_px, max_width=style.width)) if text else None)
            for name, text in zip(names, secondary, strict=True)]


def _placed(name: TextBlock, artist: TextBlock | None) -> LabelBlock:
    rows = [(sprite, name.size_px, False) for sprite in name.lines]
    if artist is not None:
        rows.append((artist.lines[0], artist.size_px, True))
    height = sum(size * LINE for _, size, _ in rows)
    top = -height / 2
    placed = []
    for sprite, size, muted in rows:
        placed.append(PlacedLine(sprite, round(top + size * (LINE - 1) / 2 + size * ASCENT), muted))
        top += size * LINE
    ink_top = min(line.dy - line.sprite.baseline for line in placed)
    ink_bottom = max(line.dy - line.sprite.baseline + line.sprite.height for line in placed)
    return LabelBlock(tuple(placed), name, ink_top, ink_bottom)
