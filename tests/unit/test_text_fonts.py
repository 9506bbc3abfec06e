"""Names in any covered script draw without missing-glyph boxes; what no font draws has a fallback or is left out."""
from __future__ import annotations

import warnings

import pytest

from harness import exportgen as eg
from src.visuals.text import TextSpec, render_texts
from src.visuals.text.fonts import PLACEHOLDER, drawable, initial

COVERED_SCRIPTS = ["cjk", "comma", "arabic", "cyrillic", "chinese", "korean", "devanagari", "thai", "greek",
                   "hebrew", "quotes", "apostrophe", "slash", "markup", "backslash", "dollar"]


@pytest.mark.parametrize("key", COVERED_SCRIPTS)
def test_covered_scripts_keep_every_character(key):
    name = eg.SPECIAL_ARTISTS[key]
    assert drawable(name) == name


def test_emoji_are_drawn_in_one_colour_their_joiners_and_skin_tones_left_out():
    assert drawable(eg.SPECIAL_ARTISTS["emoji"]) == "🔥 Fuego Collective 🎸"
    assert drawable(eg.SPECIAL_ARTISTS["zwj_emoji"]) == "👨👩👧 Family Trio"
    assert drawable("🔥🔥🔥") == "🔥🔥🔥"
    assert drawable("👍🏽 Thumbs") == "👍 Thumbs"


def test_what_no_font_draws_and_nothing_stands_for_is_left_out():
    assert drawable("\U000F0000 Private") == "Private"
    assert drawable("\U000F0000") == PLACEHOLDER


def test_rendering_every_special_name_warns_of_no_missing_glyph():
    names = list(eg.SPECIAL_ARTISTS.values()) + [t for titles in eg._SPECIAL_TITLES.values() for t in titles]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)" for a box
        sprites = render_texts([TextSpec(name, 24, bold=True) for name in names])
    assert all(sprite.width > 8 and sprite.height > 8 for sprite in sprites)


@pytest.mark.parametrize("name, bold", [(eg.SPECIAL_ARTISTS["long"], False),
                                        ("Bohemian Rhapsody - Remastered 2011 with a long extra title", True)])
def test_long_names_are_shortened_to_fit_as_much_as_fits(name, bold):
    def width(text: str, limit: int | None = None) -> int:
        return render_texts([TextSpec(text, 24, bold=bold, max_width=limit)])[0].width

    for limit in (150, 220, 300, 380):
        shortened = width(name, limit)
        kept = max(n for n in range(1, len(name)) if width(name[:n].rstrip() + "…") <= limit)
        # Widths are measured from advances, which leave out kerning: at most one character less than fits.
        assert width(name[:kept - 1].rstrip() + "…") <= shortened <= limit, limit


def test_dollar_signs_are_text_not_math():
    plain, dollars = render_texts([TextSpec("Cash Money ound", 24), TextSpec("Cash $ Money $ound", 24)])
    assert dollars.width > plain.width + 20


@pytest.mark.parametrize("name, letter", [("ana", "A"), ("ქართული", "ქ"), ("ßig", "ß"), ("राग", "रा"),
                                          ("🔥 Fuego", "🔥"), ("𝗟𝗼𝗳𝗶", "𝗟"), ("e\u0301clair", "É")])
def test_a_tile_takes_the_first_letter_as_written_in_title_case_only_where_that_is_one_drawn_letter(name, letter):
    assert initial(name) == letter
