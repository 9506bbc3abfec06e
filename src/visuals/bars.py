"""Drawing primitives of a frame: bars with anti-aliased edges, pictures cropped to the chart area."""
from __future__ import annotations

import numpy as np
from PIL import Image

from src.visuals.themes import Colour


def thumbnail(picture: Image.Image | None, side: int) -> Image.Image | None:
    """The picture as an RGBX square of the drawn size, made once: frames paste it without resampling."""
    if picture is None:
        return None
    if picture.size != (side, side):
        picture = picture.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)
    return picture.convert("RGBX")


def paste_clipped(frame: Image.Image, tile: Image.Image, x: int, y: int, clip_top: int, clip_bottom: int) -> None:
    """Paste a same-mode tile (a plain copy), cropped to rows clip_top..clip_bottom."""
    y0, y1 = max(y, clip_top), min(y + tile.height, clip_bottom)
    if y0 >= y1:
        return
    if (y0, y1) != (y, y + tile.height):
        tile = tile.crop((0, y0 - y, tile.width, y1 - y))
    frame.paste(tile, (x, y0))


def fill_bar(frame: Image.Image, x0: int, x1: float, y0: float, y1: float,
             colour: Colour, clip_top: int, clip_bottom: int) -> None:
    """A bar with anti-aliased right, top and bottom edges, so sub-pixel motion stays smooth."""
    if x1 <= x0:
        return
    row0, row1 = max(int(np.ceil(y0)), clip_top), min(int(np.floor(y1)), clip_bottom)
    full_right = int(x1)
    if row1 > row0:
        if full_right > x0:
            frame.paste(colour, (x0, row0, full_right, row1))
        _blend_box(frame, (full_right, row0, full_right + 1, row1), colour, x1 - full_right)
    for row, coverage in ((int(np.floor(y0)), np.ceil(y0) - y0), (int(np.floor(y1)), y1 - np.floor(y1))):
        if clip_top <= row < clip_bottom and full_right > x0:
            _blend_box(frame, (x0, row, full_right, row + 1), colour, coverage)


def _blend_box(frame: Image.Image, box: tuple[int, int, int, int], colour: Colour, coverage: float) -> None:
    """Blend colour over box with the given coverage: the anti-aliased edge of a bar."""
    alpha = int(coverage * 255)
    if alpha > 0 and box[2] > box[0] and box[3] > box[1]:
        frame.paste(colour, box, Image.new("L", (box[2] - box[0], box[3] - box[1]), alpha))
