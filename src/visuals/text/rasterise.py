"""Text drawn once by FreeType (matplotlib's FT2Font, with its font fallback and shaping) into alpha
masks (sprites.py), which frames then stamp.

Each label is laid out and rasterised straight into a bitmap: no figure, no artist, no Agg canvas,
which is what makes a chart's forty labels cost milliseconds instead of a quarter second.
"""
from __future__ import annotations

import threading

import numpy as np
from cachetools import LRUCache
from matplotlib.backends.backend_agg import get_hinting_flag
from matplotlib.font_manager import get_font
from matplotlib.ft2font import FT2Font
from PIL import Image

from src.visuals.text.fonts import chain_files, covered, drawable, font_families
from src.visuals.text.sprites import Sprite, TextBlock, TextSpec
from src.visuals.text.wrap import ELLIPSIS, wrap

SUBPIXELS = 64.0  # FreeType's 26.6 fixed point
SHRINK = 0.88     # a name that would be cut may be set this much smaller, once, if it then fits
# Texts once drawn are kept, up to this many bytes of sprites per process (a name at chart size is 10-20 KB):
# a session's names come back in every picture of it at a size, as digits, units and dates do in all of them.
DRAWN_TEXT_BYTES = 16 * 2**20


def _sprite(alpha: np.ndarray, baseline: int) -> Sprite:
    """Crop empty rows and columns (less to blend per frame), keeping the baseline's place."""
    rows = np.flatnonzero(alpha.max(axis=1) > 0)
    columns = np.flatnonzero(alpha.max(axis=0) > 8)
    if not rows.size or not columns.size:
        return Sprite(Image.new("L", (1, 1)), 0)
    cropped = alpha[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
    return Sprite(Image.fromarray(np.ascontiguousarray(cropped)), baseline - int(rows[0]))


def _font(bold: bool) -> FT2Font:
    # get_font caches one FT2Font per thread: FreeType faces must not be shared between threads.
    font = get_font(list(chain_files(bold)))
    font.clear()
    return font


_DRAWN: LRUCache = LRUCache(maxsize=DRAWN_TEXT_BYTES, getsizeof=lambda sprite: sprite.mask.width * sprite.mask.height)
_DRAWN_LOCK = threading.Lock()


def _draw(spec: TextSpec, text: str) -> Sprite:
    key = (text, spec.size_px, spec.bold)
    with _DRAWN_LOCK:
        sprite = _DRAWN.get(key)
    if sprite is None:
        sprite = _draw_text(text, spec.size_px, spec.bold)
        if _DRAWN.getsizeof(sprite) <= DRAWN_TEXT_BYTES // 16:   # a text larger than any label is not kept
            with _DRAWN_LOCK:
                _DRAWN[key] = sprite
    return sprite


def _draw_text(text: str, size_px: float, bold: bool) -> Sprite:
    font = _font(bold)
    font.set_size(size_px, 72)  # at 72 dpi a point is a pixel
    font.set_text(text, 0.0, flags=get_hinting_flag())
    font.draw_glyphs_to_bitmap(antialiased=True)
    alpha = np.asarray(font.get_image())
    # The bitmap's last row is padding; above it lies the part of the text below the baseline.
    baseline = alpha.shape[0] - 1 - round(font.get_descent() / SUBPIXELS)
    return _sprite(alpha, baseline)


def render_texts(specs: list[TextSpec]) -> list[Sprite]:
    """Draw every spec on one line; texts wider than their max_width are shortened to fit, with an ellipsis."""
    return [render_block(spec).lines[0] for spec in specs]


def render_block(spec: TextSpec) -> TextBlock:
    """The spec's text in at most max_lines lines of max_width (one line when no width is given)."""
    text = drawable(spec.text, spec.bold)
    if not spec.max_width:
        return TextBlock((_draw(spec, text),), spec.size_px, False)
    block = _drawn_block(text, spec, spec.size_px)
    if block.cut and spec.shrink:
        smaller = _drawn_block(text, spec, spec.size_px * SHRINK)
        if not smaller.cut:
            return smaller
    return block


def measured_to_fit(spec: TextSpec) -> bool:
    text = drawable(spec.text, spec.bold)
    return not wrap(text, spec.size_px, spec.bold, spec.max_width, 1, files=chain_files(spec.bold)).cut


def _drawn_block(text: str, spec: TextSpec, size: float) -> TextBlock:
    wrapped = wrap(text, size, spec.bold, spec.max_width, spec.max_lines, files=chain_files(spec.bold))
    sized = TextSpec(spec.text, size, spec.bold, spec.max_width)
    drawn = [_exact(sized, line) for line in wrapped.lines]
    # A line measured to fit but drawn wider is shortened here: the block is then cut too, so a caller
    # choosing between layouts (a smaller size, the card's figures) never takes one whose drawing lost characters.
    cut = wrapped.cut or any(shortened for _, shortened in drawn)
    return TextBlock(tuple(sprite for sprite, _ in drawn), size, cut)


def _exact(spec: TextSpec, line: str) -> tuple[Sprite, bool]:
    """The line as drawn, and whether drawing had to shorten it: measured advances rarely differ from the
    drawing (hinting widens a few glyphs), and then the line is fitted exactly, with an ellipsis."""
    sprite = _draw(spec, line)
    if sprite.width <= spec.max_width:
        return sprite, False
    return _clip_width(_fitted(spec, line.rstrip(ELLIPSIS)), spec.max_width), True


def _fitted(spec: TextSpec, text: str) -> Sprite:
    """The longest beginning of the text that fits with an ellipsis."""
    if len(text) <= 2:
        return _draw(spec, text)
    best, low, high = None, 1, len(text) - 1
    while low <= high:  # widths grow with the characters kept: search for the most that fit
        middle = (low + high) // 2
        candidate = _draw(spec, text[:middle].rstrip() + ELLIPSIS)
        if candidate.width <= spec.max_width:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best or _draw(spec, text[:1] + ELLIPSIS)


def _clip_width(sprite: Sprite, limit: int | None) -> Sprite:
    if limit and sprite.width > limit:
        return Sprite(sprite.mask.crop((0, 0, limit, sprite.height)), sprite.baseline)
    return sprite


def load_text_engine() -> None:
    """Load matplotlib's font machinery and register the bundled fonts now: for a process that draws charts
    (the web app, the Celery worker), so its first request does not wait ~0.3-0.6 s for them."""
    font_families()
    for bold in (False, True):
        covered(bold)
