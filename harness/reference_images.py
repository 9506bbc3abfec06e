"""Reference pictures of every theme and format, and the perceptual comparison that guards them.

`python -m harness.reference_images --write` redraws them into src/visuals/reference/ on purpose (after a
change meant to alter the look); tests/unit/test_pictures_reference_images.py fails when a picture drifts from them.
They are stored at half size in 256 colours: small files, and still a pixel for every two of the real
picture, so a label that moves shows up while anti-aliasing and JPEG noise do not.
"""
from __future__ import annotations

import argparse
import io
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

from harness.name_corpus import SONGS
from src.keyframes import build_keyframes, keyframe_dates
from src.visuals.chart.top_chart_painter import ChartItem, paint_top_chart
from src.visuals.formats import FORMATS
from src.visuals.painter import Page
from src.visuals.race.race_painter import prepare_race
from src.visuals.race.race_plan import hold_frames_for
from src.visuals.style import count_format
from src.visuals.themes import THEMES

FOLDER = Path(__file__).resolve().parents[1] / "src" / "visuals" / "reference"
SCALE = 2          # stored at 1/SCALE of the real size
BLOCK = 8          # the comparison's block side, in stored pixels
BLOCK_LIMIT = 12.0  # largest mean absolute difference (0-255) any block may have
MEAN_LIMIT = 3.0    # largest mean absolute difference over the whole picture
PAGE = Page("Top 10 Songs by Streams", "1 Jan 2023 – 31 Dec 2023",
            "Streams of plays of 30 s or more · 1 Jan 2023 – 31 Dec 2023 (UTC days)")
# Long classical titles, a "feat." credit, CJK, Arabic, Cyrillic and short names: what wraps and what does not.
PICKED = [0, 14, 29, 44, 8, 47, 33, 60, 12, 21]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Case:
    theme: str
    format: str
    race: str = ""   # a race's moment: "last" (the final hold), "passing" (bars overtaking), "jump" (a quiet cut)

    @property
    def file(self) -> Path:
        kind = {"": "chart", "last": "race", "passing": "race_passing", "jump": "race_jump"}[self.race]
        return FOLDER / f"{kind}_{self.theme}_{self.format}.png"


CASES = [Case(theme, "feed") for theme in THEMES] + [Case("dark", name) for name in FORMATS if name != "feed"] \
    + [Case(theme, name) for theme in THEMES if theme != "dark" for name in ("story", "wide")] \
    + [Case("dark", "feed", race="last"), Case("pulse", "story", race="last"),
       Case("dark", "feed", race="passing"), Case("light", "wide", race="jump")]


def _still(case: Case) -> Image.Image:
    items = [ChartItem(*SONGS[index], 980 - 83 * rank) for rank, index in enumerate(PICKED)]
    jpeg = paint_top_chart(items, PAGE, count_format(), *FORMATS[case.format], slots=10, theme=THEMES[case.theme])
    return Image.open(io.BytesIO(jpeg)).convert("RGB")


def _race_frame(case: Case) -> Image.Image:
    """A moment of a race of 2023 with a quiet summer (no plays from June to August): its final hold, the
    frame with the most bars on the move, or the middle of the cut summer with its marker."""
    rng = np.random.default_rng(13)
    entity, day = rng.integers(0, 14, 6000), rng.integers(0, 365, 6000)
    keep = rng.random(6000) < (np.arange(14) / 14 + 0.2)[entity]   # some entities are played more
    keep &= (day < 151) | (day > 242)
    dates = keyframe_dates(date(2023, 1, 1), date(2023, 12, 31), 30, "d")
    keyframes = build_keyframes(entity[keep], day[keep], np.ones(int(keep.sum())), 14, np.arange(14),
                                start=date(2023, 1, 1), dates=dates, top_n=10)
    names = [SONGS[(7 * i) % len(SONGS)] for i in keyframes.member_ids]
    width, height = FORMATS[case.format]
    race = prepare_race(keyframes, names, PAGE, count_format(), 10, interp_steps=4, hold_frames=hold_frames_for(12),
                        fps=12, width=width, height=height, theme=THEMES[case.theme])
    positions = race.plan.positions
    moving = np.sum((positions != np.round(positions)) & (positions < 10), axis=1)
    jump = np.flatnonzero(race.plan.marker_index >= 0)
    frame = {"last": race.frame_count - 1, "passing": int(np.argmax(moving)),
             "jump": int(jump[jump.size // 2]) if jump.size else 0}[case.race]
    return race.paint(frame).image()


def render(case: Case) -> Image.Image:
    """The case drawn now, at the stored size."""
    picture = _race_frame(case) if case.race else _still(case)
    return picture.resize((picture.width // SCALE, picture.height // SCALE), Image.Resampling.BOX)


def difference(drawn: Image.Image, stored: Image.Image) -> tuple[float, float]:
    """(mean, worst block) absolute difference, 0-255: blocks average out anti-aliasing, not a moved label."""
    if drawn.size != stored.size:
        return 255.0, 255.0
    if stored.mode == "P":  # seen through the stored picture's own 256 colours, as it was when written
        drawn = drawn.quantize(palette=stored, dither=Image.Dither.NONE)
    delta = np.abs(np.asarray(drawn.convert("RGB"), dtype=np.float64)
                   - np.asarray(stored.convert("RGB"), dtype=np.float64))
    delta = delta.mean(axis=2)
    rows, columns = (side // BLOCK * BLOCK for side in delta.shape)
    blocks = delta[:rows, :columns].reshape(rows // BLOCK, BLOCK, columns // BLOCK, BLOCK).mean(axis=(1, 3))
    return float(delta.mean()), float(blocks.max())


def matches(drawn: Image.Image, stored: Image.Image) -> bool:
    mean, worst = difference(drawn, stored)
    return mean <= MEAN_LIMIT and worst <= BLOCK_LIMIT


def write_all() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        # 256 colours are plenty for flat bars and text, and keep each file a few tens of KB
        stored = render(case).quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        stored.save(case.file, optimize=True)
        log.info("wrote %s (%d KB)", case.file.name, case.file.stat().st_size // 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="redraw the reference pictures")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.write:
        write_all()
        return
    for case in CASES:
        mean, worst = difference(render(case), Image.open(case.file))
        log.info("%-28s mean %.2f, worst block %.1f", case.file.name, mean, worst)


if __name__ == "__main__":
    main()
