"""Colours, number formats and the page geometry shared by the still chart and the race."""
from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass

from PIL import Image

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


def _luminance(colour: Colour) -> float:
    """WCAG relative luminance."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(c) for c in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: Colour, b: Colour) -> float:
    """WCAG contrast ratio, 1 (none) to 21 (black on white)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


MIN_CONTRAST_BACKGROUND = 3.0   # WCAG's minimum for graphics: a bar must stand out from the page
MIN_CONTRAST_TEXT = 1.5         # a bar must not read as the white labels beside it


def picture_colour(picture: Image.Image) -> Colour | None:
    """The picture's dominant vivid colour, made readable on the page; None for a colourless picture."""
    small = picture.convert("RGB").resize((32, 32), Image.Resampling.BILINEAR)
    quantized = small.quantize(colors=6, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    best, best_score = None, 0.0
    for count, index in quantized.getcolors() or []:
        colour = tuple(palette[3 * index:3 * index + 3])
        _, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in colour))
        # Vividness: saturated and neither near-black nor near-white; a large dull area loses to a vivid one.
        vividness = saturation * (1 - abs(2 * lightness - 1))
        if vividness >= 0.15 and count * vividness > best_score:
            best, best_score = colour, count * vividness
    return None if best is None else readable(best)


def readable(colour: Colour) -> Colour:
    """The same hue, lighter or darker until it contrasts with the background and the white labels."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in colour))
    out = colour
    for _ in range(40):
        out = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, lightness, saturation))
        if contrast(out, BACKGROUND) < MIN_CONTRAST_BACKGROUND:
            lightness = min(1.0, lightness + 0.02)
        elif contrast(out, TEXT) < MIN_CONTRAST_TEXT:
            lightness = max(0.0, lightness - 0.02)
        else:
            break
    return out


@dataclass(frozen=True)
class ValueFormat:
    """How a metric's raw value (streams, or milliseconds) reads at the end of a bar."""
    divisor: float
    decimals: int
    unit: str
    unit_of_one: str

    def number(self, raw: float) -> str:
        return f"{raw / self.divisor:,.{self.decimals}f}"

    def unit_after(self, number: str) -> str:
        """'1 stream', '2 streams' ('1.0 hours' stays plural, as one writes it)."""
        return self.unit_of_one if number == "1" else self.unit


def count_format() -> ValueFormat:
    return ValueFormat(1, 0, "streams", "stream")


def duration_format(largest_ms: float) -> ValueFormat:
    """Milliseconds read as hours once the largest value reaches two hours, else as minutes."""
    if largest_ms >= 120 * 60_000:
        return ValueFormat(3_600_000, 1, "hours", "hour")
    return ValueFormat(60_000, 1, "minutes", "minute")


@dataclass(frozen=True)
class Layout:
    """Pixel geometry of a chart page of width x height with `slots` bar rows."""
    width: int
    height: int
    slots: int
    with_artist: bool
    race: bool
    pictures: bool = False   # a square picture sits just left of each bar

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
    def column_left(self) -> int:
        """Where the names' column ends and the picture (or the bar) begins."""
        return int(self.width * 0.4)

    @property
    def bar_left(self) -> int:
        # With pictures the bars start after them: names keep their full width, bars stay to scale.
        return self.column_left + (self.thumb_px + int(self.width * 0.01) if self.pictures else 0)

    @property
    def right_edge(self) -> int:
        return int(self.width * 0.965)

    @property
    def thumb_px(self) -> int:
        """Side of a bar's square picture: the bar's thickness."""
        return max(1, int(round(self.bar_px)))

    @property
    def thumb_left(self) -> int:
        return self.column_left

    @property
    def label_right(self) -> int:
        """Where the right-aligned names end."""
        return self.column_left - int(self.width * 0.015)

    @property
    def label_width(self) -> int:
        return self.column_left - self.label_left - int(self.width * 0.02)

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
