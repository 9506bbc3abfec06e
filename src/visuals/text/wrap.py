"""Breaking a name into at most N lines of a given width, with an ellipsis only when it still does not fit.

Lines break at spaces (and after a hyphen or slash); scripts written without spaces (CJK, kana, Thai
and its neighbours) break between any two characters, and so does a single word longer than a line.
Widths come from each character's advance in the font chain, cached: one layout per name would cost
milliseconds (shaping through the fallback chain), a cached advance costs a dictionary look-up.
Advances ignore kerning, which only narrows text, so a line measured to fit does fit.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import accumulate

from matplotlib.font_manager import get_font
from matplotlib.ft2font import LoadFlags

ELLIPSIS = "…"
NO_BREAK_BEFORE = set("、。，．・：；！？」』）】〕〉》ー…,.:;!?)]}")   # closing marks stay with what they close
NO_BREAK_AFTER = set("「『（【〔〈《([{")                       # opening marks stay with what they open
_advances: dict[tuple[str, int, bool], float] = {}


@dataclass(frozen=True)
class Wrapped:
    lines: tuple[str, ...]
    cut: bool                 # whether the name was shortened (ends in an ellipsis)


def breaks_anywhere(ch: str) -> bool:
    """Scripts written without spaces between words: a line may end after any character."""
    return unicodedata.east_asian_width(ch) in ("W", "F") or 0x0E00 <= ord(ch) <= 0x109F


def _advance(ch: str, size_px: float, bold: bool, files: tuple) -> float:
    key = (ch, round(size_px * 64), bold)
    width = _advances.get(key)
    if width is None:
        width = 0.0
        for path in files:
            font = get_font(path)
            if font.get_char_index(ord(ch)):
                font.set_size(size_px, 72)  # get_font keeps one face per thread: no other thread sizes it
                width = font.load_char(ord(ch), flags=LoadFlags.NO_HINTING).linearHoriAdvance / 65536
                break
        _advances[key] = width
    return width


def _break_points(text: str) -> list[int]:
    """Indices i where a line may end before text[i] (a space there is dropped)."""
    points = []
    for i in range(1, len(text)):
        before, after = text[i - 1], text[i]
        if after == " " or before in "-/" or ((breaks_anywhere(before) or breaks_anywhere(after))
              and after not in NO_BREAK_BEFORE and before not in NO_BREAK_AFTER and before != " "):
            points.append(i)
    return points


def wrap(text: str, size_px: float, bold: bool, max_width: float, max_lines: int, *, files: tuple) -> Wrapped:
    """`text` in at most `max_lines` lines no wider than `max_width`; the last one ends in … if it must."""
    edges = [0.0, *accumulate(_advance(ch, size_px, bold, files) for ch in text)]

    def width(start: int, stop: int) -> float:
        while stop > start and text[stop - 1] == " ":
            stop -= 1
        return edges[stop] - edges[start]

    lines: list[str] = []
    start, points = 0, _break_points(text)
    while len(lines) < max_lines - 1 and width(start, len(text)) > max_width:
        fitting = [p for p in points if start < p and width(start, p) <= max_width]
        stop = fitting[-1] if fitting else _longest_run(start, len(text), width, max_width)
        lines.append(text[start:stop].rstrip())
        start = stop
        while start < len(text) and text[start] == " ":
            start += 1
    if width(start, len(text)) <= max_width:
        return Wrapped((*lines, text[start:].rstrip()), cut=False)
    room = max_width - _advance(ELLIPSIS, size_px, bold, files)
    stop = _longest_run(start, len(text), width, room)
    return Wrapped((*lines, text[start:stop].rstrip() + ELLIPSIS), cut=True)


def _longest_run(start: int, stop: int, width, limit: float) -> int:
    """The end of the longest run from `start` no wider than `limit` (at least one character)."""
    end = start + 1
    while end < stop and width(start, end + 1) <= limit:
        end += 1
    return end
