"""Names that fit: two lines before an ellipsis, broken where a reader expects, the artist on its own line."""
from __future__ import annotations

import pytest

from harness.name_corpus import ARTISTS, SONGS
from harness.name_fit import cut_names
from src.visuals.chart.layout import Layout
from src.visuals.text.fonts import chain_files, font_families
from src.visuals.text.labels import label_blocks
from src.visuals.text.wrap import ELLIPSIS, wrap

FEED = (1080, 1350)


def lines_of(text: str, width: float, lines: int = 2, size: float = 27) -> tuple[str, ...]:
    font_families()
    return wrap(text, size, True, width, lines, files=chain_files(True)).lines


@pytest.mark.parametrize("race", [False, True])
def test_at_feed_size_no_name_of_32_characters_or_fewer_is_cut(race):
    short = {name for name, _ in SONGS if len(name) <= 32} | {name for name in ARTISTS if len(name) <= 32}
    assert not short & set(cut_names("feed", race))


@pytest.mark.parametrize("format_name", ["feed", "story", "square", "wide"])
def test_few_names_are_cut_at_any_format(format_name):
    assert len(cut_names(format_name, race=True)) <= 0.05 * (len(SONGS) + len(ARTISTS))


def test_lines_break_at_spaces_and_keep_every_word_whole():
    text = "Dreamy Brown Noise for Deep Sleep (Loopable)"
    lines = lines_of(text, 340)
    assert len(lines) == 2 and " ".join(lines) == text
    words = set(text.split())
    assert all(set(line.split()) <= words for line in lines)


def test_scripts_without_spaces_break_between_characters():
    text = "残酷な天使のテーゼ残酷な天使のテーゼ"
    lines = lines_of(text, 300)
    assert len(lines) == 2 and "".join(lines) == text


def test_a_closing_bracket_never_starts_a_line():
    text = "晴天を穿つ「葬送のフリーレン」オープニング主題歌"
    for width in range(120, 420, 20):
        lines = lines_of(text, width)
        assert not any(line[0] in "」）、。" for line in lines[1:]), lines


def test_a_word_longer_than_a_line_is_broken_inside_it():
    lines = lines_of("Supercalifragilisticexpialidocious", 150, lines=3)
    assert len(lines) >= 2 and "".join(lines) == "Supercalifragilisticexpialidocious"


def test_what_does_not_fit_in_two_lines_ends_in_an_ellipsis():
    result = wrap(SONGS[3][0], 27, True, 300, 2, files=chain_files(True))
    assert result.cut and len(result.lines) == 2 and result.lines[-1].endswith(ELLIPSIS)


def test_the_artist_has_a_line_of_its_own_below_the_name():
    layout = Layout(*FEED, 10, True, race=False)
    block, = label_blocks(layout, ["Symphony No. 5 in C Minor, Op. 67: I. Allegro con brio"], ["Beethoven"])
    *name, artist = block.lines
    assert len(name) == 2 and artist.muted and not any(line.muted for line in name)
    assert name[0].dy < name[1].dy < artist.dy
    # the block is centred on its bar
    top = name[0].dy - name[0].sprite.baseline
    bottom = artist.dy - artist.sprite.baseline + artist.sprite.height
    assert abs(top + bottom) <= layout.name_px * 0.6


@pytest.mark.parametrize("size", [(1080, 1350), (1080, 1920), (1080, 1080), (1920, 1080)])
def test_a_label_block_stays_inside_its_row(size):
    layout = Layout(*size, 10, True, race=True)
    names = [name for name, _ in SONGS]
    for block in label_blocks(layout, names, [artist for _, artist in SONGS]):
        top = min(line.dy - line.sprite.baseline for line in block.lines)
        bottom = max(line.dy - line.sprite.baseline + line.sprite.height for line in block.lines)
        assert bottom - top <= layout.slot_px, (block, layout.slot_px)
        assert all(line.sprite.width <= layout.label_width for line in block.lines)
