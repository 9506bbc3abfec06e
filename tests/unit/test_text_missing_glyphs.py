"""No picture shows a missing-glyph box: every class of character found in real catalogues is drawn, in both
weights, by the chain that draws it, or by a fallback that keeps its meaning. Read from the drawn sprites."""
from __future__ import annotations

import warnings

import pytest

from harness.hard_card import hard_card
from harness.missing_glyphs import NO_FONT_HAS, holds_a_box
from src.visuals.card.card_layout import CardLayout
from src.visuals.card.wrapped_card_painter import Ranked, WrappedCard, compose
from src.visuals.formats import FORMATS
from src.visuals.text import TextSpec, render_block
from src.visuals.text.labels import LabelStyle, styled_label_blocks
from src.visuals.text.rasterise import _draw_text
from src.visuals.themes import THEMES

# Each class as real catalogues spell it; the second value is what must be read in the picture (in its plain
# form for the letters a font does not have).
CLASSES = {
    "emoji": "🙃 Upside Down",
    "moon phases": "🌑🌓🌕 Lunar",
    "emoji with ZWJ": "👨‍👩‍👧 Family Trio",
    "skin tones": "👍🏽 Thumbs 🙋🏿‍♀️",
    "flags": "🇯🇵 Tokyo 🇧🇷 Rio 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
    "keycaps and hearts": "1️⃣ ❤️ Love #️⃣",
    "maths italic": "𝘴𝘭𝘰𝘸𝘦𝘥 + 𝘳𝘦𝘷𝘦𝘳𝘣",
    "maths bold": "𝗟𝗼𝗳𝗶 𝐁𝐞𝐚𝐭𝐬",
    "maths script and fraktur": "𝓓𝓻𝓮𝓪𝓶𝔰 𝔉𝔯𝔞𝔨𝔱𝔲𝔯 𝕕𝕠𝕦𝕓𝕝𝕖",
    "fullwidth and circled": "Ｖａｐｏｒ ⓦⓐⓥⓔ ¹²³",
    "CJK": "周杰倫 夜曲 ひらがな カタカナ",
    "Hangul": "방탄소년단 봄날",
    "Indic": "राग संगीत বাংলা গান தமிழ் తెలుగు ಕನ್ನಡ മലയാളം ગુજરાતી ਪੰਜਾਬੀ ଓଡ଼ିଆ සිංහල",
    "Ethiopic": "ቴዲ አፍሮ",
    "Georgian": "ქართული სიმღერა",
    "Armenian": "Հայերեն երգ",
    "Hebrew and Thai": "לילה טוב ความรัก",
    "symbols": "☃ ♪ ★ → ✓ ♥ ☮",
}
PLAIN = {"maths italic": "slowed + reverb"}


@pytest.mark.parametrize("bold", [False, True], ids=["regular", "bold"])
@pytest.mark.parametrize("size", [18, 40])
@pytest.mark.parametrize("name", CLASSES)
def test_every_class_is_drawn_without_a_box(name, size, bold):
    text = CLASSES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib also warns "Glyph ... missing from font(s)"
        block = render_block(TextSpec(text, size, bold))
    sprite = block.lines[0]
    assert not holds_a_box(sprite, text, size, bold)
    # something of the name is drawn, not the placeholder alone
    placeholder = render_block(TextSpec("♪", size, bold)).lines[0]
    assert sprite.width > 3 * placeholder.width


@pytest.mark.parametrize("name", PLAIN)
def test_fancy_letters_are_drawn_as_the_plain_letters_they_stand_for(name):
    drawn = render_block(TextSpec(CLASSES[name], 30)).lines[0]
    plain = render_block(TextSpec(PLAIN[name], 30)).lines[0]
    assert drawn.mask.tobytes() == plain.mask.tobytes()


def test_a_flag_is_drawn_as_its_two_letters():
    assert (render_block(TextSpec("🇯🇵 Tokyo", 30)).lines[0].mask.tobytes()
            == render_block(TextSpec("JP Tokyo", 30)).lines[0].mask.tobytes())


@pytest.mark.parametrize("bold", [False, True], ids=["regular", "bold"])
def test_the_check_finds_a_box_when_one_is_drawn(bold):
    """The engine itself, handed characters no face has, draws boxes: the check sees them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for text in (f"ab{NO_FONT_HAS}cd", "slowed \U0001D608"):
            assert holds_a_box(_draw_text(text, 30, bold), text, 30, bold)


def test_race_and_chart_labels_draw_every_class_without_a_box():
    style = LabelStyle(420, 26, 2, 18)
    names, artists = list(CLASSES.values()), list(reversed(CLASSES.values()))
    for block, name, artist in zip(styled_label_blocks(style, names, artists), names, artists):
        for line in block.lines:
            assert not holds_a_box(line.sprite, name + artist, 26 if not line.muted else 18, not line.muted)


@pytest.mark.parametrize("artist", ["ქართული სიმღერა", "Հայերեն երգ", "ቴዲ አፍሮ", "🙃 Upside Down", "𝗟𝗼𝗳𝗶 Girl"])
def test_a_tile_without_a_picture_shows_the_letter_as_drawn_in_the_name(artist):
    layout, theme = CardLayout(*FORMATS["story"]), THEMES["dark"]
    base = hard_card(False)
    card = WrappedCard(**{**base.__dict__, "artists": [Ranked(artist, "12 streams")] + base.artists[1:]})
    tile = next(text for text in compose(card, layout, theme).texts if text.on_tile)
    size = round(layout.thumb_px) * 0.5
    assert not holds_a_box(tile.sprite, artist, size, True)
    placeholder = render_block(TextSpec("♪", size, True)).lines[0]
    assert tile.sprite.mask.tobytes() != placeholder.mask.tobytes()
