"""The pictures still look as they did: every theme and format against its reference picture.

After a change meant to alter the look, redraw them with `python -m harness.reference_images --write`
and look at what changed before committing them.
"""
from __future__ import annotations

import pytest
from PIL import Image

from harness import reference_images
from harness.reference_images import CASES, Case, difference, matches, render


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.file.stem)
def test_the_picture_matches_its_reference(case):
    mean, worst = difference(render(case), Image.open(case.file))
    assert matches(render(case), Image.open(case.file)), (case.file.name, mean, worst)


def test_every_theme_and_format_has_a_small_reference():
    assert {case.theme for case in CASES} == {"dark", "light", "pulse"}
    assert {case.format for case in CASES} == {"feed", "story", "square", "wide"}
    assert any(case.race for case in CASES)
    assert all(case.file.stat().st_size < 80_000 for case in CASES)


def shifted(picture: Image.Image, box: tuple[int, int, int, int], dx: int, dy: int) -> Image.Image:
    moved = picture.copy()
    region = picture.crop(box)
    moved.paste(picture.getpixel((2, 2)), box)
    moved.paste(region, (box[0] + dx, box[1] + dy))
    return moved


def test_a_label_moved_by_two_pixels_fails_the_comparison():
    case = Case("dark", "feed")
    stored = Image.open(case.file)
    drawn = render(case)
    width, height = drawn.size
    # the first bar's name column, moved one stored pixel (two real ones) right and down
    title = (int(width * 0.07), int(height * 0.13), int(width * 0.42), int(height * 0.2))
    assert not matches(shifted(drawn, title, 1, 1), stored)
    assert not matches(shifted(drawn, title, 0, 1), stored)


def test_a_different_name_fails_the_comparison(monkeypatch):
    case = Case("dark", "feed")
    monkeypatch.setattr(reference_images, "PICKED", [*reference_images.PICKED[:-1], 61])  # "Ok" for "Bohemian Rhapsody"
    assert not matches(render(case), Image.open(case.file))
