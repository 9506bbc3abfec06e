"""The page geometry and type scale shared by the still chart and the race, for any frame size.

Everything derives from two numbers: the type unit `page` (the height of a page 1.4 times as tall
as this one is wide, at most the real height: a story sets larger type than a feed post, a wide frame
sets type like a square) and the spacing unit `space` (a 64th of it). Rows share what the header and
footer leave; a name gets two lines when its row has room for them, and a wide frame gives the names
a wider column and puts a race's date counter beside the title.
"""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from functools import cached_property

LINE = 1.18            # line pitch of names, in ems
ARTIST_SCALE = 0.8     # secondary names against names
LABEL_FILL = 0.92      # share of a row's height a row's text may take


def name_setting(row_px: float, scale_px: float, with_secondary: bool) -> tuple[int, float]:
    """(lines, size) of a name in a row row_px high: two lines when the row holds them at 70 % of the type
    scale's size or more, else one; never larger than the scale's size."""
    def fitting(lines: int) -> float:
        ems = lines * LINE + (ARTIST_SCALE * LINE if with_secondary else 0)
        return row_px * LABEL_FILL / ems
    lines = 2 if fitting(2) >= 0.7 * scale_px else 1
    return lines, min(scale_px, fitting(lines))


@dataclass(frozen=True)
class Layout:
    """Pixel geometry of a chart page of width x height with `slots` bar rows."""
    width: int
    height: int
    slots: int
    with_artist: bool
    race: bool
    _: KW_ONLY   # from here on by keyword only
    pictures: bool = False   # a square picture sits just left of each bar

    @cached_property
    def page(self) -> float:
        return min(self.height, self.width * 1.4)

    @cached_property
    def space(self) -> float:
        return self.page / 64

    @property
    def wide(self) -> bool:
        return self.width > self.height * 1.2

    # --- type scale -------------------------------------------------------------------------
    @cached_property
    def title_px(self) -> float:
        return self.page * 0.034

    @cached_property
    def subtitle_px(self) -> float:
        return self.page * 0.019

    @cached_property
    def footer_px(self) -> float:
        return max(self.page * 0.0135, 10.0)   # small frames keep a legible footer

    @cached_property
    def date_px(self) -> float:
        return self.page * 0.058

    @cached_property
    def total_px(self) -> float:
        return self.page * 0.019

    @cached_property
    def name_lines(self) -> int:
        """Lines a name may take: two when the row holds them at a readable size, else one."""
        return name_setting(self.slot_px, self._scale_name_px, self.with_artist)[0]

    @cached_property
    def name_px(self) -> float:
        return name_setting(self.slot_px, self._scale_name_px, self.with_artist)[1]

    @cached_property
    def artist_px(self) -> float:
        return self.name_px * ARTIST_SCALE

    @cached_property
    def value_px(self) -> float:
        return self.name_px * 0.9

    @cached_property
    def rank_px(self) -> float:
        return self.name_px * 0.9

    @property
    def _scale_name_px(self) -> float:
        return self.page * (0.0205 if self.with_artist else 0.023)

    # --- vertical ---------------------------------------------------------------------------
    @cached_property
    def title_baseline(self) -> int:
        return round(self.space * 3 + self.title_px * 0.75)

    @cached_property
    def subtitle_baseline(self) -> int:
        return round(self.title_baseline + self.space * 0.7 + self.subtitle_px * 1.05)

    @cached_property
    def footer_baseline(self) -> int:
        return round(self.height - self.space * 2.2)

    @cached_property
    def rule_y(self) -> int:
        """The hairline between the chart and the footer."""
        return round(self.footer_baseline - self.footer_px - self.space * 0.9)

    @property
    def counter_in_header(self) -> bool:
        """A wide frame has room beside the title for the race's date and total, and little height to spare."""
        return self.race and self.wide

    @cached_property
    def date_baseline(self) -> int:
        if self.counter_in_header:
            return self.subtitle_baseline
        return round(self.total_baseline - self.total_px * 1.25 - self.space * 0.4)

    @cached_property
    def total_baseline(self) -> int:
        if self.counter_in_header:
            return round(self.date_baseline + self.total_px * 1.25 + self.space * 0.4)
        return round(self.rule_y - self.space * 1.2)

    @cached_property
    def area_top(self) -> int:
        below_header = self.subtitle_baseline + self.subtitle_px * 0.3 + self.space * 1.8
        if self.counter_in_header:
            below_header = max(below_header, self.total_baseline + self.total_px * 0.3 + self.space * 1.2)
        return round(below_header)

    @cached_property
    def area_bottom(self) -> int:
        if self.race and not self.counter_in_header:
            return round(self.date_baseline - self.date_px * 0.74 - self.space * 1.2)
        return round(self.rule_y - self.space * 1.2)

    @cached_property
    def slot_px(self) -> float:
        return (self.area_bottom - self.area_top) / self.slots

    @property
    def last_visible_position(self) -> float:
        """Bars at this row position or further down are wholly below the chart area (which clips them)."""
        return self.slots - 0.5 + self.bar_px / (2 * self.slot_px)

    @cached_property
    def bar_px(self) -> float:
        return min(self.slot_px * 0.64, self.page * 0.07)

    # --- horizontal -------------------------------------------------------------------------
    @cached_property
    def margin(self) -> int:
        return round(max(self.space * 2.5, self.width * 0.035))

    @cached_property
    def label_left(self) -> int:
        """Left edge of the page's text (title, subtitle, footer) and of the rank numbers."""
        return self.margin

    @cached_property
    def rank_width(self) -> int:
        return round(self.rank_px * 1.25)

    @cached_property
    def name_left(self) -> int:
        return round(self.label_left + self.rank_width + self.space * 0.7)

    @cached_property
    def column_left(self) -> int:
        """Where the names' column ends and the picture (or the bar) begins."""
        share = 0.36 if self.wide else 0.5 if self.height > self.width * 1.5 else 0.45
        return round(self.width * share)

    @cached_property
    def label_width(self) -> int:
        return self.column_left - self.name_left - round(self.space * 0.9)

    @cached_property
    def bar_left(self) -> int:
        # With pictures the bars start after them: names keep their full width, bars stay to scale.
        return self.column_left + (self.thumb_px + round(self.space * 0.4) if self.pictures else 0)

    @cached_property
    def right_edge(self) -> int:
        return self.width - self.margin

    @cached_property
    def thumb_px(self) -> int:
        """Side of a bar's square picture: the bar's thickness."""
        return max(1, round(self.bar_px))

    @property
    def thumb_left(self) -> int:
        return self.column_left

    @property
    def text_width(self) -> int:
        return self.right_edge - self.label_left

    @property
    def title_width(self) -> int:
        """The title's room: the whole text width, less the date counter's corner when it sits beside it."""
        return round(self.width * 0.62) - self.label_left if self.counter_in_header else self.text_width
