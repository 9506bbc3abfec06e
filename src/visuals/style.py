"""Colours, number formats and the page geometry shared by the still chart and the race."""
from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass

Colour = tuple[int, int, int]

BACKGROUND: Colour = (18, 18, 18)
TEXT: Colour = (255, 255, 255)
MUTED: Colour = (179, 179, 179)
DATE_TEXT: Colour = (110, 110, 110)


def stable_colour(name: str) -> Colour:
    """A vivid colour that depends only on the name, so a name keeps its colour across charts."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=4).digest()
    hue = int.from_bytes(digest[:2], "big") / 65536
    lightness = 0.52 + (digest[2] / 255) * 0.1
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, 0.68)
    return (round(red * 255), round(green * 255), round(blue * 255))


@dataclass(frozen=True)
class ValueFormat:
    """How a metric's raw value (streams, or milliseconds) reads at the end of a bar."""
    divisor: float
    decimals: int
    unit: str

    def number(self, raw: float) -> str:
        return f"{raw / self.divisor:,.{self.decimals}f}"


def value_format(metric_name: str, largest_raw: float) -> ValueFormat:
    if metric_name == "Streams":
        return ValueFormat(1, 0, "streams")
    if largest_raw >= 120 * 60_000:
        return ValueFormat(3_600_000, 1, "hours")
    return ValueFormat(60_000, 1, "minutes")


@dataclass(frozen=True)
class Layout:
    """Pixel geometry of a chart page of width x height with `slots` bar rows."""
    width: int
    height: int
    slots: int
    with_artist: bool
    race: bool

    @property
    def unit(self) -> float:
        """Text scales with this: the height of a 4:5 page as wide as this one, at most the real height."""
        return min(self.height, self.width * 1.25)

    @property
    def title_px(self) -> float:
        return self.unit * 0.034

    @property
    def subtitle_px(self) -> float:
        return self.unit * 0.019

    @property
    def area_top(self) -> int:
        return int(self.height * 0.14)

    @property
    def area_bottom(self) -> int:
        return int(self.height * (0.86 if self.race else 0.94))

    @property
    def slot_px(self) -> float:
        return (self.area_bottom - self.area_top) / self.slots

    @property
    def bar_px(self) -> float:
        return min(self.slot_px * 0.74, self.unit * 0.075)

    @property
    def label_left(self) -> int:
        return int(self.width * 0.04)

    @property
    def bar_left(self) -> int:
        return int(self.width * 0.4)

    @property
    def right_edge(self) -> int:
        return int(self.width * 0.965)

    @property
    def label_width(self) -> int:
        return self.bar_left - self.label_left - int(self.width * 0.02)

    @property
    def name_px(self) -> float:
        share = 0.36 if self.with_artist else 0.42
        return min(self.slot_px * share, self.unit * 0.024)

    @property
    def artist_px(self) -> float:
        return self.name_px * 0.8

    @property
    def value_px(self) -> float:
        return self.name_px * 0.92

    @property
    def date_px(self) -> float:
        return self.unit * 0.07
