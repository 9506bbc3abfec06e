"""Finding missing-glyph boxes in drawn text. A character no face of the chain has is drawn by matplotlib's
Last Resort face (a frame holding the character's block sign) or, without it, as a face's glyph 0 (.notdef).
Both bitmaps are drawn here through the same FreeType path as the text engine, for every character of a
text, and a sprite holds a box where a window of it matches one of them."""
from __future__ import annotations

import functools
import warnings
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import get_hinting_flag
from matplotlib.font_manager import get_font

from src.visuals.text.fonts import chain_files
from src.visuals.text.sprites import Sprite

LAST_RESORT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "LastResortHE-Regular.ttf"
NO_FONT_HAS = "\U000F0000"   # a private-use character no bundled face draws
# Mean difference per pixel (of 255) still taken for the same bitmap, both softened over 3x3 pixels first:
# a box drawn at another fraction of a pixel differs in its anti-aliasing, not in its shape.
TOLERANCE = 20


def _drawn_alone(path, text: str, size_px: float) -> np.ndarray | None:
    """The text drawn by this one face (no fallback), cropped; None when it draws nothing."""
    font = get_font(path)
    font.clear()
    font.set_size(size_px, 72)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the missing glyph is what is asked for
        font.set_text(text, 0.0, flags=get_hinting_flag())
    font.draw_glyphs_to_bitmap(antialiased=True)
    alpha = np.asarray(font.get_image())
    rows, columns = np.flatnonzero(alpha.max(axis=1)), np.flatnonzero(alpha.max(axis=0))
    if not rows.size:
        return None
    return _softened(alpha[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1])


def _softened(alpha: np.ndarray) -> np.ndarray:
    padded = np.pad(alpha.astype(np.float32), 1)
    rows, columns = alpha.shape
    return sum(padded[dy:dy + rows, dx:dx + columns] for dy in range(3) for dx in range(3)) / 9


@functools.cache
def _box(path, ch: str, size_px: float) -> np.ndarray | None:
    return _drawn_alone(path, ch, size_px)


def boxes(text: str, size_px: float, bold: bool) -> list[np.ndarray]:
    """Every box a missing character of `text` could be drawn as: its Last Resort sign, or a face's glyph 0."""
    found = [_box(LAST_RESORT, ch, size_px) for ch in dict.fromkeys(text + NO_FONT_HAS) if not ch.isspace()]
    found += [_box(path, NO_FONT_HAS, size_px) for path in chain_files(bold)]
    unique = {box.tobytes() + bytes(box.shape): box for box in found if box is not None}
    return list(unique.values())


def holds_a_box(sprite: Sprite, text: str, size_px: float, bold: bool) -> bool:
    """Whether some window of the sprite drawn for `text` is one of the boxes its characters could be drawn as."""
    drawn = _softened(np.asarray(sprite.mask))
    totals = np.pad(drawn, ((1, 0), (1, 0))).cumsum(axis=0).cumsum(axis=1)  # ink above and left of each point
    for box in boxes(text, size_px, bold):
        height, width = box.shape
        if drawn.shape[0] < height or drawn.shape[1] < width:
            continue
        # Only windows whose ink is within the tolerance of the box's can match (the mean difference is at
        # least the difference of the means): the full comparison runs on those alone.
        ink = totals[height:, width:] - totals[:-height, width:] - totals[height:, :-width] + totals[:-height, :-width]
        for top, left in zip(*np.nonzero(np.abs(ink - box.sum()) <= TOLERANCE * box.size)):
            if np.abs(drawn[top:top + height, left:left + width] - box).mean() <= TOLERANCE:
                return True
    return False
