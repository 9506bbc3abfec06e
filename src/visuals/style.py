"""Colour rules (contrast, a picture's colour) and how values read at the end of a bar."""
from __future__ import annotations

import colorsys
from dataclasses import dataclass

from PIL import Image

from src.visuals.themes import Colour, Theme


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
MIN_CONTRAST_TEXT = 1.5         # a bar must not read as the labels beside it


def picture_colour(picture: Image.Image, theme: Theme) -> Colour | None:
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
    return None if best is None else readable(best, theme)


def readable(colour: Colour, theme: Theme) -> Colour:
    """The same hue, moved away from the page's lightness until it contrasts with the page, and back
    toward it while it would read as the labels' colour."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in colour))
    away = 0.02 if _luminance(theme.background) < _luminance(theme.text) else -0.02
    out = colour
    for _ in range(50):
        out = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, lightness, saturation))
        if contrast(out, theme.background) < MIN_CONTRAST_BACKGROUND:
            lightness = min(1.0, max(0.0, lightness + away))
        elif contrast(out, theme.text) < MIN_CONTRAST_TEXT:
            lightness = min(1.0, max(0.0, lightness - away))
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

    @property
    def least_shown(self) -> float:
        """The smallest raw value that does not read as 0."""
        return self.divisor * 0.5 * 10 ** -self.decimals

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
