"""Themes: palettes whose colours are told apart, text that reads, and colours that stay with an entity."""
from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pytest

from harness.colour_difference import delta_e_2000, rgb_difference
from harness.name_corpus import ARTISTS, SONGS
from src.keyframes import build_keyframes, keyframe_dates
from src.visuals.chart.top_chart_painter import bar_colours, colour_key
from src.visuals.painter import Page
from src.visuals.race.race_painter import prepare_race
from src.visuals.style import contrast, count_format
from src.visuals.themes import THEMES, assign_colours

# Sharma, Wu and Dalal's published test pairs (L*a*b* 1, L*a*b* 2, CIEDE2000), covering the hue wrap
# and the blue-region rotation term.
SHARMA_PAIRS = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0011), 7.2195),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("first, second, expected", SHARMA_PAIRS)
def test_colour_difference_matches_the_published_values(first, second, expected):
    assert delta_e_2000(first, second) == pytest.approx(expected, abs=1e-4)
    assert delta_e_2000(second, first) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("name", list(THEMES))
def test_every_two_palette_colours_are_clearly_different(name):
    palette = THEMES[name].palette
    assert len(palette) >= 12 and len(set(palette)) == len(palette)
    closest = min(rgb_difference(a, b) for a, b in itertools.combinations(palette, 2))
    assert closest >= 15, closest


@pytest.mark.parametrize("name", list(THEMES))
def test_text_reads_on_its_page_and_bars_stand_out(name):
    theme = THEMES[name]
    assert contrast(theme.text, theme.background) >= 4.5
    assert contrast(theme.muted, theme.background) >= 4.5
    assert all(contrast(colour, theme.background) >= 3.0 for colour in theme.palette)


def test_themes_differ_in_what_a_viewer_sees_first():
    backgrounds = [theme.background for theme in THEMES.values()]
    assert all(rgb_difference(a, b) >= 15 for a, b in itertools.combinations(backgrounds, 2))
    assert {"dark", "light"} <= set(THEMES) and len(THEMES) >= 3


@pytest.mark.parametrize("name", list(THEMES))
def test_bars_of_one_picture_never_share_a_colour(name):
    keys = [colour_key(title, artist) for title, artist in SONGS[:12]]
    colours = assign_colours(keys, THEMES[name])
    assert len(set(colours)) == 12


def test_an_entity_keeps_its_colour_from_chart_to_chart():
    theme = THEMES["dark"]
    kept = 0
    for start in range(0, len(ARTISTS) - 10, 3):
        chart = ARTISTS[start:start + 10]
        other = ARTISTS[start + 2:start + 12]   # a later range: two left, two came in, order shifted
        mine = dict(zip(chart, assign_colours(chart, theme)))
        theirs = dict(zip(other, assign_colours(other, theme)))
        shared = [artist for artist in chart if artist in theirs]
        kept += sum(mine[artist] == theirs[artist] for artist in shared) / len(shared)
    # Only a clash with a higher bar moves a colour: most entities keep theirs.
    assert kept / len(range(0, len(ARTISTS) - 10, 3)) >= 0.7


def test_the_same_list_gets_the_same_colours_every_time():
    names = [(artist, None) for artist in ARTISTS[:10]]
    assert bar_colours(names, [None] * 10, THEMES["light"]) == bar_colours(names, [None] * 10, THEMES["light"])


@pytest.mark.parametrize("name", list(THEMES))
@pytest.mark.parametrize("entities, seed", [(25, 3), (60, 2), (80, 5)])
def test_bars_on_screen_together_in_a_race_never_share_a_colour(name, entities, seed):
    rng = np.random.default_rng(seed)
    entity, day = rng.integers(0, entities, 20000), rng.integers(0, 365, 20000)
    keep = rng.random(20000) < (rng.random(entities) ** 2)[entity]
    dates = keyframe_dates(date(2023, 1, 1), date(2023, 12, 31), 30, "d")
    keyframes = build_keyframes(entity[keep], day[keep], np.ones(int(keep.sum())), entities, np.arange(entities),
                                start=date(2023, 1, 1), dates=dates, top_n=10)
    assert keyframes.member_ids.size > len(THEMES[name].palette)   # more entities than colours
    names = [SONGS[i % len(SONGS)] for i in keyframes.member_ids]
    race = prepare_race(keyframes, names, Page("t", "s"), count_format(), 10, interp_steps=6, hold_frames=12, fps=12,
                        width=540, height=676, theme=THEMES[name])
    colours = [entry.colour for entry in race.painter.entries]
    for positions in race.plan.positions:
        shown = [colours[i] for i in np.flatnonzero(positions < race.painter.layout.last_visible_position)]
        # bars passing in and out can put more bars on screen than there are colours, for a moment
        assert len(set(shown)) == min(len(shown), len(THEMES[name].palette))
