"""How many names of the corpus are cut short, per format: `python -m harness.name_fit` prints the table."""
from __future__ import annotations

import sys

from harness.name_corpus import ARTISTS, SONGS
from src.visuals.chart.layout import Layout
from src.visuals.formats import FORMATS
from src.visuals.text.labels import label_blocks

ROWS = 10


def cut_names(format_name: str, race: bool) -> list[str]:
    """The corpus's names (songs with their artists, then artists alone) that end in … at this format."""
    width, height = FORMATS[format_name]
    songs = label_blocks(Layout(width, height, ROWS, True, race), [n for n, _ in SONGS], [a for _, a in SONGS])
    artists = label_blocks(Layout(width, height, ROWS, False, race), ARTISTS, [None] * len(ARTISTS))
    names = [n for n, _ in SONGS] + ARTISTS
    return [name for name, block in zip(names, songs + artists) if block.name.cut]


def main() -> None:
    total = len(SONGS) + len(ARTISTS)
    longest = max(len(name) for name, _ in SONGS)
    sys.stdout.write(f"{total} names ({len(SONGS)} songs with artists, {len(ARTISTS)} artists; up to {longest} "
                     f"characters), {ROWS} bars\n| format | still | race |\n|---|---|---|\n")
    for name in FORMATS:
        still, race = len(cut_names(name, False)), len(cut_names(name, True))
        sys.stdout.write(f"| `{name}` | {still} ({still / total:.0%}) | {race} ({race / total:.0%}) |\n")


if __name__ == "__main__":
    main()
