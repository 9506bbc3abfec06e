"""The Wrapped card's geometry: the header and footer every picture has, and the body cut into panels.

The panels are the total, the top artists and songs, the listening clock, the longest streak and the top
discovery. How they are arranged follows the frame's shape: a story stacks them down its height, a feed
post or a square puts the clock beside the two facts, a wide frame gives the two lists its right side.
Type sizes come from the page's type unit, and shrink only where a panel is too short for them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from src.visuals.chart.layout import ARTIST_SCALE, Layout, name_setting

TOP = 5             # rows of each list
HEADING_GAP = 1.0   # space between a panel's heading and its content, in heading ems


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def rows(self, weights: list[float], gap: float) -> list[Box]:
        """The box cut into rows of the given relative heights, `gap` apart."""
        room, total, top, out = self.height - gap * (len(weights) - 1), sum(weights), self.top, []
        for weight in weights:
            out.append(Box(self.left, top, self.right, top + room * weight / total))
            top = out[-1].bottom + gap
        return out

    def columns(self, weights: list[float], gap: float) -> list[Box]:
        """The box cut into columns of the given relative widths, `gap` apart."""
        room, total, left, out = self.width - gap * (len(weights) - 1), sum(weights), self.left, []
        for weight in weights:
            out.append(Box(left, self.top, left + room * weight / total, self.bottom))
            left = out[-1].right + gap
        return out

    def below(self, offset: float) -> Box:
        return Box(self.left, self.top + offset, self.right, self.bottom)

    def overlaps(self, other: Box) -> bool:
        return self.left < other.right and other.left < self.right and self.top < other.bottom \
            and other.top < self.bottom

    def holds(self, other: Box) -> bool:
        return self.left <= other.left and other.right <= self.right and self.top <= other.top \
            and other.bottom <= self.bottom


@dataclass(frozen=True)
class CardLayout:
    width: int
    height: int

    @cached_property
    def page(self) -> Layout:
        """The chart page's geometry: title, subtitle, hairline and footer sit where every picture has them."""
        return Layout(self.width, self.height, 1, with_artist=False, race=False)

    @property
    def unit(self) -> float:
        return self.page.page

    @property
    def space(self) -> float:
        return self.page.space

    @property
    def shape(self) -> str:
        if self.page.wide:
            return "wide"
        return "tall" if self.height >= self.width * 1.6 else "portrait"

    @cached_property
    def body(self) -> Box:
        lay = self.page
        return Box(lay.margin, lay.area_top, lay.right_edge, round(lay.rule_y - self.space * 1.4))

    @cached_property
    def panels(self) -> dict[str, Box]:
        gap = self.space * 1.8
        if self.shape == "wide":
            left, right = self.body.columns([0.34, 0.66], gap * 1.6)
            hero, streak, discovery = left.rows([0.42, 0.24, 0.34], gap)
            lists, clock = right.rows([0.64, 0.36], gap)
            artists, songs = lists.columns([1, 1], gap)
        elif self.shape == "tall":
            hero, lists, clock, facts = self.body.rows([0.16, 0.46, 0.2, 0.18], gap * 1.3)
            artists, songs = lists.columns([1, 1], gap)
            streak, discovery = facts.columns([0.42, 0.58], gap)
        else:
            hero, lists, bottom = self.body.rows([0.19, 0.47, 0.34], gap)
            artists, songs = lists.columns([1, 1], gap)
            clock, facts = bottom.columns([0.56, 0.44], gap)
            streak, discovery = facts.rows([1, 1], gap * 0.6)
        panels = {"hero": hero, "artists": artists, "songs": songs, "clock": clock, "streak": streak,
                  "discovery": discovery}
        return {name: Box(*(round(edge) for edge in (box.left, box.top, box.right, box.bottom)))
                for name, box in panels.items()}

    # --- type scale -------------------------------------------------------------------------
    @property
    def heading_px(self) -> float:
        return self.unit * 0.0145

    def content(self, panel: str) -> Box:
        """A panel below its heading."""
        return self.panels[panel].below(self.heading_px * (1 + HEADING_GAP))

    @cached_property
    def hero_px(self) -> float:
        return self.unit * (0.14 if self.shape == "wide" else 0.11)

    @property
    def hero_unit_px(self) -> float:
        return self.unit * 0.024

    @property
    def detail_px(self) -> float:
        return self.unit * 0.0165

    @cached_property
    def row_px(self) -> float:
        return min(self.content("artists").height / TOP, self.unit * 0.1)

    @cached_property
    def name_lines(self) -> int:
        return name_setting(self.row_px, self.unit * 0.0195, True)[0]

    @cached_property
    def name_px(self) -> float:
        return name_setting(self.row_px, self.unit * 0.0195, True)[1]

    @property
    def secondary_px(self) -> float:
        return self.name_px * ARTIST_SCALE

    @property
    def rank_px(self) -> float:
        return self.name_px * 1.1

    @property
    def rank_width(self) -> int:
        return round(self.rank_px * 1.3)

    @cached_property
    def thumb_px(self) -> int:
        """Side of an artist's square picture (or its coloured tile)."""
        return round(min(self.row_px * 0.8, self.unit * 0.06))

    @property
    def fact_px(self) -> float:
        """The size of a fact's headline (the streak's days, the discovery's name)."""
        room = self.content("streak").height - self.detail_px * 2.6
        return min(self.unit * 0.034, room / 1.3)

    @property
    def clock_label_px(self) -> float:
        return self.unit * 0.0125
