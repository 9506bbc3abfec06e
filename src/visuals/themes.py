"""Themes: a page colour, text colours and a qualitative bar palette, chosen by name.

Every palette holds 12 colours that differ pairwise by at least 15 (CIEDE2000) and stand out from
their page by at least 3:1 (WCAG's minimum for graphics); text and muted text read at 4.5:1 or more.
tests/test_themes.py measures all of it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

Colour = tuple[int, int, int]


def _hex(*codes: str) -> tuple[Colour, ...]:
    return tuple(tuple(int(code[i:i + 2], 16) for i in (1, 3, 5)) for code in codes)


@dataclass(frozen=True)
class Theme:
    name: str
    background: Colour
    text: Colour
    muted: Colour       # secondary names, units, the footer, ranks, the date counter
    rule: Colour        # the hairline above the footer: decoration, not text
    palette: tuple[Colour, ...]


THEMES: dict[str, Theme] = {theme.name: theme for theme in (
    Theme("dark", *_hex("#121212", "#FFFFFF", "#A7A7A7", "#2A2A2A"), palette=_hex(
        "#2093DF", "#FF6B6B", "#2ED3A6", "#E8E26A", "#AD70EB", "#FF8000", "#5FD6F5", "#CC3361",
        "#7CD34A", "#FF8FD1", "#C9A27A", "#9AA7FF")),
    Theme("light", *_hex("#FAFAF7", "#16161A", "#5B5E66", "#E4E4DF"), palette=_hex(
        "#0D7FF2", "#CC3333", "#0E8A6A", "#B8840A", "#9600D6", "#E0600F", "#188DAA", "#C2187A",
        "#4C7A12", "#0A3EB8", "#8A5A2B", "#5C6670")),
    # The bold one: a deep indigo page with bright, warm bars, for pictures meant to stand out in a feed.
    Theme("pulse", *_hex("#1B1446", "#FFFFFF", "#BDB5E6", "#2F2766"), palette=_hex(
        "#FF359A", "#F4B625", "#4FE3FF", "#A873F8", "#ACF53F", "#FF8A3D", "#5AA9FF", "#F5A3FF",
        "#7EE0A1", "#FF6B6B", "#FFF1A8", "#EDCCB6")),
)}
DEFAULT_THEME = "dark"


def preferred_index(key: str, size: int) -> int:
    """The palette slot a key asks for: depends only on the key, so an entity keeps it across charts."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big") % size


def assign_colours(keys: list[str], theme: Theme) -> list[Colour]:
    """A palette colour per key, in the given order (rank order: the top bars choose first).

    Each key takes its preferred slot unless an earlier key of the same picture holds it, then the next
    free one; only when every colour is in use do colours repeat (and the taken set starts afresh), so
    the bars of one picture differ and an entity usually keeps its colour from chart to chart.
    """
    palette = theme.palette
    taken: set[int] = set()
    colours: list[Colour] = []
    for key in keys:
        if len(taken) == len(palette):
            taken.clear()
        slot = preferred_index(key, len(palette))
        while slot in taken:
            slot = (slot + 1) % len(palette)
        taken.add(slot)
        colours.append(palette[slot])
    return colours
