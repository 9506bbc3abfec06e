"""The Wrapped card's layout, from the boxes its composition places: at every theme and format no two texts
overlap, every text and shape stays in its panel, and no name of 32 characters or fewer is cut short."""
from __future__ import annotations

import itertools

import pytest

from harness.hard_card import hard_card
from src.visuals.card.card_layout import CardLayout
from src.visuals.card.card_parts import figure_lines
from src.visuals.card.wrapped_card_painter import Ranked, WrappedCard, compose, paint_wrapped_card
from src.visuals.formats import FORMATS
from src.visuals.text import TextSpec, render_texts
from src.visuals.themes import THEMES

CASES = list(itertools.product(THEMES, FORMATS, [False, True]))


@pytest.mark.parametrize("theme, format_name, with_pictures", CASES)
def test_no_text_overlaps_another_and_each_stays_in_its_panel(theme, format_name, with_pictures):
    layout = CardLayout(*FORMATS[format_name])
    composition = compose(hard_card(with_pictures), layout, THEMES[theme])
    texts = [t for t in composition.texts if not t.on_tile]
    for a, b in itertools.combinations(texts, 2):
        assert not a.box.overlaps(b.box), (a.panel, a.box, b.panel, b.box)
    for text in composition.texts:
        assert layout.panels[text.panel].holds(text.box), (text.panel, text.box, layout.panels[text.panel])
    for shape in composition.shapes:
        assert layout.panels[shape.panel].holds(shape.box), (shape.panel, shape.box)
        assert not any(shape.box.overlaps(text.box) for text in texts), (shape.panel, shape.box)
    for initial in (t for t in composition.texts if t.on_tile):
        assert any(shape.box.holds(initial.box) for shape in composition.shapes)


@pytest.mark.parametrize("format_name", FORMATS)
def test_the_panels_share_the_body_without_overlapping(format_name):
    layout = CardLayout(*FORMATS[format_name])
    width, _height = FORMATS[format_name]
    assert layout.body.left >= 0 and layout.body.right <= width
    assert layout.page.subtitle_baseline < layout.body.top and layout.body.bottom < layout.page.rule_y
    for a, b in itertools.combinations(layout.panels.values(), 2):
        assert not a.overlaps(b)
    assert all(layout.body.holds(panel) for panel in layout.panels.values())


@pytest.mark.parametrize("format_name", FORMATS)
def test_no_name_of_32_characters_or_fewer_is_cut(format_name):
    composition = compose(hard_card(True), CardLayout(*FORMATS[format_name]), THEMES["dark"])
    assert len(composition.names) == 11     # five artists, five songs, the discovery
    assert [name for name, cut in composition.names if cut] == []


@pytest.mark.parametrize("format_name", FORMATS)
def test_the_total_is_never_cut_short(format_name):
    layout = CardLayout(*FORMATS[format_name])
    total = compose(hard_card(False), layout, THEMES["dark"]).texts[len(layout.panels)]
    assert (total.panel, total.colour) == ("hero", THEMES["dark"].palette[0])
    whole, = render_texts([TextSpec("1,234,567", 100, bold=True)])   # drawn without a width limit
    # "1,234,…" would be a fifth narrower for its height
    assert total.sprite.width / total.sprite.height == pytest.approx(whole.width / whole.height, rel=0.08)


def test_a_longer_name_ends_in_an_ellipsis_inside_its_box():
    layout = CardLayout(*FORMATS["square"])
    long_name = "Jeremy Ives - Sea Shanty Medley (Live at the Royal Albert Hall, London, 2019) " * 3
    base = hard_card(False)
    card = WrappedCard(**{**base.__dict__, "songs": [Ranked(long_name, "Jeremy Ives")] + base.songs[1:]})
    composition = compose(card, layout, THEMES["dark"])
    assert (long_name, True) in composition.names
    assert all(layout.panels[t.panel].holds(t.box) for t in composition.texts)


def test_the_painted_card_has_the_frame_size():
    jpeg = paint_wrapped_card(hard_card(True), *FORMATS["story"], THEMES["pulse"])
    assert jpeg[:2] == b"\xff\xd8"


@pytest.mark.parametrize("width", [140, 180, 240, 320, 480, 720])
def test_a_line_of_figures_wraps_or_shrinks_but_never_cuts_a_figure(width):
    figures = "5,785 streams · 380 artists · 899 songs · 365 days"
    size, lines = figure_lines(figures, 24, width, 2)
    assert " · ".join(text for text, _ in lines) == figures
    assert not any(block.cut for _, block in lines)
    # two lines whenever the smallest size allows; a box too narrow for that gets a third line, not a cut
    assert len(lines) <= (2 if width >= 180 else 3)
    assert all(block.lines[0].width <= width for _, block in lines)
    assert size >= 24 * 0.6


@pytest.mark.parametrize("format_name", FORMATS)
def test_the_hero_figures_stay_inside_their_panel_on_at_most_two_lines(format_name):
    layout = CardLayout(*FORMATS[format_name])
    hero = [t for t in compose(hard_card(False), layout, THEMES["dark"]).texts if t.panel == "hero"]
    _heading, _number, _unit, *figures = hero
    assert 1 <= len(figures) <= 2
    assert all(layout.panels["hero"].holds(text.box) for text in hero)
