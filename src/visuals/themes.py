"""Themes: a page colour, text colours and a qualitative bar palette, chosen by name.

Every palette holds 12 colours that differ pairwise by at least 15 (CIEDE2000) and stand out from
their page by at least 3:1 (WCAG's minimum for graphics); text and muted text read at 4.5:1 or more.
tests/unit/test_pictures_themes.py measures all of it.
"""
from __future__ import annotations

import hashlib
from dataclasses import KW_ONLY, dataclass

import numpy as np

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
    _: KW_ONLY   # from here on by keyword only
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


def assign_colours(keys: list[str], theme: Theme, together: np.ndarray | None = None) -> list[Colour]:
    """A palette colour per key, in the given order (the first choose first).

    together[i, j] is how long keys i and j are on screen at once, in frames (default: always, as in
    a still chart). Each key takes its preferred slot unless a key before it that shares the screen
    with it holds it, then the next slot none of those holds; only when they hold every colour does it
    take the one shared for the fewest frames. So bars seen together differ, and an entity usually
    keeps its colour from chart to chart and throughout a race.
    """
    size = len(theme.palette)
    slots: list[int] = []
    for index, key in enumerate(keys):
        clash = [0.0] * size
        for earlier, slot in enumerate(slots):
            clash[slot] += 1.0 if together is None else float(together[index, earlier])
        preferred = preferred_index(key, size)
        order = [(preferred + step) % size for step in range(size)]
        slots.append(min(order, key=lambda slot: clash[slot]))   # min keeps the first of equal clashes
    return [theme.palette[slot] for slot in slots]
