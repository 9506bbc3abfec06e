"""The Wrapped card: a person's listening over a range on one shareable picture, as a JPEG.

Drawing is two steps: `compose` places every text and shape in pixels (pure geometry, which tests check:
no two texts overlap, each stays in its panel, names are not cut), then `paint_wrapped_card` paints it.
The card shows the total minutes large, the top artists (their pictures, or tiles of their colour) and
songs, the listening clock as a 7x24 heatmap, the longest streak and the top discovery.
"""
from __future__ import annotations

import io
from dataclasses import KW_ONLY, dataclass, field

from PIL import Image, ImageDraw

from src.visuals.card.card_layout import Box, CardLayout
from src.visuals.card.card_parts import Placed, Shape, clock_parts, fact_parts, list_parts, text_line, text_lines
from src.visuals.chart.bars import thumbnail
from src.visuals.painter import Page, artwork_credit, paint_page
from src.visuals.text import TextSpec, render_texts, stamp
from src.visuals.themes import Theme

JPEG_QUALITY = 92


@dataclass(frozen=True)
class Ranked:
    """One row of a list: the name, the muted line under it, and (artists) a picture."""
    name: str
    detail: str | None
    picture: Image.Image | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Fact:
    headline: str
    detail: str


@dataclass(frozen=True)
class WrappedCard:
    page: Page                     # title, subtitle (the range) and footer
    total: str                     # the minutes, as the card writes them
    total_unit: str                # "minutes"
    total_detail: str              # streams, artists, songs, days
    artists: list[Ranked]
    _: KW_ONLY   # from here on by keyword only
    songs: list[Ranked]
    clock: list[list[int]]         # streams per hour 0-23, Monday to Sunday
    clock_note: str                # the busiest hour, in words
    streak: Fact
    discovery: Fact
    headings: dict[str, str]       # panel -> its heading


@dataclass(frozen=True)
class Composition:
    texts: list[Placed]
    shapes: list[Shape]
    names: list[tuple[str, bool]]  # every name drawn, and whether it was cut short


def compose(card: WrappedCard, layout: CardLayout, theme: Theme) -> Composition:
    """Every text and shape of the card's body, placed."""
    texts: list[Placed] = []
    shapes: list[Shape] = []
    names: list[tuple[str, bool]] = []
    accent = theme.palette[0]
    for panel, heading in card.headings.items():
        box = layout.panels[panel]
        texts.append(text_line(heading.upper(), layout.heading_px, True, box, box.top + layout.heading_px * 0.8,
                               colour=theme.muted, panel=panel))
    texts += _hero(card, layout, theme)
    for panel, rows, pictures in (("artists", card.artists, True), ("songs", card.songs, False)):
        placed, tiles, drawn = list_parts(rows, layout.content(panel), layout, theme, pictures, panel=panel)
        texts += placed
        shapes += tiles
        names += drawn
    placed, cells = clock_parts(card.clock, card.clock_note, layout.content("clock"), layout, theme, accent=accent)
    texts += placed
    shapes += cells
    for panel, fact in (("streak", card.streak), ("discovery", card.discovery)):
        placed, cut = fact_parts(fact.headline, fact.detail, layout.content(panel), layout, theme, colour=theme.text,
                                 panel=panel)
        texts += placed
        if panel == "discovery":
            names.append((fact.headline, cut))
    return Composition(texts, shapes, names)


def _hero(card: WrappedCard, layout: CardLayout, theme: Theme) -> list[Placed]:
    """The total large in the accent colour; its unit and the counts beside it when they fit, else below."""
    box = layout.content("hero")
    unit_px, detail_px = layout.hero_unit_px, layout.detail_px
    number = _total(card.total, min(layout.hero_px, box.height / 0.95), box, theme)
    side = Box(number.box.right + layout.space * 1.5, box.top, box.right, box.bottom)
    if layout.shape != "wide" and side.width >= box.width * 0.4:
        middle = number.box.top + number.box.height / 2
        unit = text_line(card.total_unit, unit_px, True, side, middle - unit_px * 0.2, colour=theme.text, panel="hero")
        return [number, unit, *text_lines(card.total_detail, detail_px, side, middle + detail_px * 1.5, theme.muted,
                                          panel="hero")]
    below = unit_px * 1.5 + detail_px * 1.6 * 2
    number = _total(card.total, min(layout.hero_px, (box.height - below) / 0.95), box, theme)
    unit_baseline = number.box.bottom + unit_px * 1.2
    unit = text_line(card.total_unit, unit_px, True, box, unit_baseline, colour=theme.text, panel="hero")
    return [number, unit, *text_lines(card.total_detail, detail_px, box, unit_baseline + detail_px * 1.6,
                                      theme.muted, panel="hero")]


def _total(text: str, size: float, box: Box, theme: Theme) -> Placed:
    """The total at `size`, or smaller when the box is too narrow for it: a number is never cut short."""
    sprite, = render_texts([TextSpec(text, size, bold=True)])
    if sprite.width > box.width:
        size *= box.width / sprite.width * 0.97
        sprite, = render_texts([TextSpec(text, size, bold=True)])
    return Placed(sprite, round(box.left), round(box.top + size * 0.74), theme.palette[0], "hero")


def paint(composition: Composition, card: WrappedCard, layout: CardLayout, theme: Theme) -> Image.Image:
    """The page (title, subtitle, hairline, footer) and the composition's shapes, then its texts over them."""
    canvas = Image.new("RGB", (layout.width, layout.height), theme.background)
    paint_page(canvas, layout.page, theme, card.page, artwork_credit([shape.picture for shape in composition.shapes]))
    draw = ImageDraw.Draw(canvas)
    for shape in composition.shapes:
        box = tuple(round(v) for v in (shape.box.left, shape.box.top, shape.box.right, shape.box.bottom))
        if shape.picture is not None:
            canvas.paste(thumbnail(shape.picture, box[2] - box[0]), box[:2])
        else:
            draw.rounded_rectangle((box[0], box[1], box[2] - 1, box[3] - 1), radius=shape.radius, fill=shape.colour)
    for text in composition.texts:
        stamp(canvas, text.sprite, text.x, text.baseline, text.colour)
    return canvas


def paint_wrapped_card(card: WrappedCard, width: int, height: int, theme: Theme) -> bytes:
    """The card as JPEG bytes."""
    layout = CardLayout(width, height)
    canvas = paint(compose(card, layout, theme), card, layout, theme)
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()
