"""Drawing primitives of a frame: bars with anti-aliased edges, pictures cropped to the chart area."""
from __future__ import annotations

import math

from PIL import Image

from src.visuals.themes import Colour


def thumbnail(picture: Image.Image | None, side: int) -> Image.Image | None:
    """The picture as an RGBX square of the drawn size, made once: frames paste it without resampling."""
    if picture is None:
        return None
    if picture.size != (side, side):
        picture = picture.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)
    return picture.convert("RGBX")


def paste_clipped(frame: Image.Image, tile: Image.Image, x: int, y: int, *, clip_top: int, clip_bottom: int) -> None:
    """Paste a same-mode tile (a plain copy), cropped to rows clip_top..clip_bottom."""
    y0, y1 = max(y, clip_top), min(y + tile.height, clip_bottom)
    if y0 >= y1:
        return
    if (y0, y1) != (y, y + tile.height):
        tile = tile.crop((0, y0 - y, tile.width, y1 - y))
    frame.paste(tile, (x, y0))


def fill_bar(frame: Image.Image, x0: int, x1: float, y0: float, y1: float,
             *, colour: Colour | int, clip_top: int, clip_bottom: int) -> None:
    """A bar with anti-aliased right, top and bottom edges (corners too), so sub-pixel motion stays smooth.

    A frame paints ten bars, each up to five pastes: they go straight to Pillow's core (Image.paste ends
    in the same call), whose argument checks would cost more than the pastes."""
    if x1 <= x0:
        return
    core = frame.im
    row0, row1 = max(math.ceil(y0), clip_top), min(math.floor(y1), clip_bottom)
    full_right = int(x1)
    right_coverage = x1 - full_right
    if row1 > row0:
        if full_right > x0:
            core.paste(colour, (x0, row0, full_right, row1))
        _blend_box(core, (full_right, row0, full_right + 1, row1), colour, right_coverage)
    for row, coverage in ((math.floor(y0), math.ceil(y0) - y0), (math.floor(y1), y1 - math.floor(y1))):
        if clip_top <= row < clip_bottom:
            _blend_box(core, (x0, row, full_right, row + 1), colour, coverage)
            _blend_box(core, (full_right, row, full_right + 1, row + 1), colour, coverage * right_coverage)


def _blend_box(core, box: tuple[int, int, int, int], colour: Colour | int, coverage: float) -> None:
    """Blend colour over box (on a Pillow core image) with the given coverage: an anti-aliased edge."""
    alpha = int(coverage * 255)
    width, height = box[2] - box[0], box[3] - box[1]
    if alpha > 0 and width > 0 and height > 0:
        core.paste(colour, box, Image.core.fill("L", (width, height), alpha))
