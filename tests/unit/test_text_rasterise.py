"""What is measured must be what is drawn (src/visuals/text/rasterise.py): a line the drawing shortened says so,
read from the sprites."""
from __future__ import annotations

import numpy as np
import pytest

from src.visuals.card.card_parts import figure_lines
from src.visuals.text import TextSpec, render_block

FIGURES = "5,785 streams · 380 artists · 899 songs · 365 days"


def drawn_whole(text: str, size: float) -> np.ndarray:
    """The text drawn on one line with no width limit: what an uncut line must look like, pixel for pixel."""
    return np.asarray(render_block(TextSpec(text, size)).lines[0].mask)


def same_pixels(sprite, expected: np.ndarray) -> bool:
    drawn = np.asarray(sprite.mask)
    return drawn.shape == expected.shape and np.array_equal(drawn, expected)


@pytest.mark.parametrize("size", [20, 22, 24])
def test_a_line_drawn_shorter_than_its_text_reports_the_cut(size):
    # Widths from a few pixels under the drawn width up to it: some measure as fitting, yet draw wider.
    text = "5,785 streams · 380 artists · 899 songs"
    whole = drawn_whole(text, size)
    for width in range(whole.shape[1] - 8, whole.shape[1] + 1):
        block = render_block(TextSpec(text, size, max_width=width))
        assert block.lines[0].width <= width
        assert block.cut == (not same_pixels(block.lines[0], whole)), width


@pytest.mark.parametrize("size", [22, 24, 30])
def test_every_figure_line_on_the_card_is_drawn_whole(size):
    # The story card's "5,785 streams · 380 artists · 899 son…" came at 22 px in 375 px: scan around it.
    for width in range(300, 420, 3):
        set_at, lines = figure_lines(FIGURES, size, width, 2)
        assert " · ".join(text for text, _ in lines) == FIGURES
        for text, block in lines:
            assert same_pixels(block.lines[0], drawn_whole(text, set_at)), (width, text)
