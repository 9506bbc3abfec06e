"""A Wrapped card with the longest names and numbers it could be asked to show: what the layout and glyph tests
draw."""
from __future__ import annotations

import random

from PIL import Image

from harness.name_corpus import ARTISTS, SONGS
from src.visuals.card.wrapped_card_painter import Fact, Ranked, WrappedCard
from src.visuals.painter import Page

SHORT_ENOUGH = 32


def longest(names: list, count: int) -> list:
    """The `count` longest names of at most 32 characters (the hardest to fit)."""
    return sorted((n for n in names if len(n[0] if isinstance(n, tuple) else n) <= SHORT_ENOUGH),
                  key=lambda n: -len(n[0] if isinstance(n, tuple) else n))[:count]


def hard_card(with_pictures: bool) -> WrappedCard:
    """A card with the longest names and numbers it could be asked to show."""
    rng = random.Random(7)
    clock = [[rng.randint(0, 900) for _ in range(24)] for _ in range(7)]
    artists = [Ranked(name, "123,456 streams", Image.new("RGB", (64, 64), (200, 40, 90)) if with_pictures else None)
               for name in longest(ARTISTS, 5)]
    songs = [Ranked(name, artist) for name, artist in longest(SONGS, 5)]
    return WrappedCard(
        Page("Your 2023 in music", "1 Jan 2023 – 31 Dec 2023", "Music streams of 30 s or more · 1 Jan 2023 – 31 Dec "
             "2023 (America/Argentina/ComodRivadavia days)"),
        "1,234,567", "minutes", "1,234,567 streams · 12,345 artists · 123,456 songs · 3,653 days", artists,
        songs=songs, clock=clock, clock_note="Busiest: Wednesdays, 23:00–00:00",
        streak=Fact("3,653 days", "29 Dec 2014 – 29 Dec 2024"),
        discovery=Fact(longest(ARTISTS, 1)[0], "First streamed Sep 2023 · 123,456 streams"),
        headings={"hero": "You listened for", "artists": "Top artists", "songs": "Top songs",
                  "clock": "Listening clock", "streak": "Longest streak", "discovery": "Top discovery"})
