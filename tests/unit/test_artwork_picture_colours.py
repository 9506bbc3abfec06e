"""The colour a bar takes from its picture: readable on every theme's page, and from the picture's vivid part."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from harness.artwork_checks import near
from src.visuals.style import contrast, picture_colour
from src.visuals.themes import THEMES


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("rgb", [(20, 30, 90), (250, 200, 220), (200, 30, 40), (0, 0, 0), (128, 128, 128)])
def test_picture_colour_is_readable_on_the_page(rgb, theme):
    page = THEMES[theme]
    colour = picture_colour(Image.new("RGB", (40, 40), rgb), page)
    if len(set(rgb)) == 1:
        assert colour is None  # colourless: the caller falls back to the palette colour
        return
    assert contrast(colour, page.background) >= 3.0 and contrast(colour, page.text) >= 1.5
    if rgb == (200, 30, 40) and theme != "pulse":
        assert colour == rgb  # already readable: kept as it is (the indigo page needs it lighter)


def test_picture_colour_prefers_a_vivid_area_to_a_larger_dull_one():
    picture = Image.new("RGB", (40, 40), (120, 120, 125))
    picture.paste((30, 160, 220), (0, 0, 40, 14))
    assert near(np.array(picture_colour(picture, THEMES["dark"])), (30, 160, 220), 8)
