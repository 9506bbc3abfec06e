"""A race frame painted straight into the encoder's planes: Y' at full size, Cb and Cr at half.

Every primitive is an alpha blend, and a blend of colours is the same blend of their Y'CbCr values (the
conversion is affine), so each is painted once per plane: at full size into Y', and into Cb and Cr with
the coverage averaged over each 2 x 2 block. What the frames repeat is converted once, never per frame:
the background, each colour, each sprite's half-size mask and each picture (for each of the four ways a
2 x 2 block can fall on it). ffmpeg receives yuv420p and converts nothing.

A race frame is about 290 pastes (a stamp is three: Y', Cb, Cr). They go straight to Pillow's core
(`Image.im.paste`, the call Image.paste ends in, which clips to the plane as it does): Image.paste's
argument checks cost about 1.2 us of the 1.7 us a paste takes, a quarter of painting a frame.
tests/unit/test_race_yuv_canvas.py compares the frames with the same frame painted in sRGB and converted.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from PIL import Image

from src.visuals.canvas import BufferCanvas, shared_image
from src.visuals.chart.bars import fill_bar, paste_clipped
from src.visuals.race.yuv import colour_to_yuv, planes_to_rgb, rgb_to_planes
from src.visuals.text.sprites import Sprite
from src.visuals.themes import Colour

BAND_ROWS = 64  # even, so each band's chroma rows are its own
# A sprite placed at some parity: (its core, width, height, its half-size mask's core, width, height).
Placement = tuple[Any, int, int, Any, int, int]
MASKS_KEPT = 8192  # half-size masks kept: every label and composed number of a race, in each placement


class YuvCanvas(BufferCanvas):
    """A yuv420p frame (BT.709, limited range): the Y' plane, then Cb, then Cr, in one buffer."""
    pix_fmt = "yuv420p"

    def __init__(self, background: Image.Image):
        width, height = self.size = background.size
        if width % 2 or height % 2:
            raise ValueError("a 4:2:0 frame needs an even width and height")
        self.background = np.empty(width * height * 3 // 2, dtype=np.uint8)
        luma, cb, cr = self._plane_views(self.background)
        # Converted a band of rows at a time: a frame's worth of floats at once would be tens of MB more.
        for top in range(0, height, BAND_ROWS):
            band = np.asarray(background.crop((0, top, width, min(top + BAND_ROWS, height))).convert("RGB"))
            planes = rgb_to_planes(band)
            luma[top:top + band.shape[0]] = planes[0]
            cb[top // 2:(top + band.shape[0]) // 2] = planes[1]
            cr[top // 2:(top + band.shape[0]) // 2] = planes[2]
        self._make_frame()

    def _plane_views(self, buffer: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        width, height = self.size
        luma, quarter = width * height, width * height // 4
        return (buffer[:luma].reshape(height, width), buffer[luma:luma + quarter].reshape(height // 2, width // 2),
                buffer[luma + quarter:].reshape(height // 2, width // 2))

    def _make_frame(self) -> None:
        width, height = self.size
        luma, quarter = width * height, width * height // 4
        self.pixels = self.background.copy()
        self.planes = (shared_image("L", (width, height), self.pixels[:luma]),
                       shared_image("L", (width // 2, height // 2), self.pixels[luma:luma + quarter]),
                       shared_image("L", (width // 2, height // 2), self.pixels[luma + quarter:]))
        self._cores = tuple(plane.im for plane in self.planes)
        self._masks: dict[tuple[int, int, int], tuple[Image.Image, Placement]] = {}
        self._pictures: dict[tuple[int, int, int], tuple[Image.Image, tuple[Image.Image, ...], Image.Image]] = {}

    def fill(self, colour: Colour, box: tuple[int, int, int, int]) -> None:
        left, top, right, bottom = box
        self._cores[0].paste(colour_to_yuv(colour)[0], box)
        self._chroma_box(colour, left, right, top, bottom)

    def bar(self, colour: Colour, x0: int, x1: float, y0: float, y1: float, *, clip_top: int,
            clip_bottom: int) -> None:
        """A bar with anti-aliased right, top and bottom edges, in every plane."""
        if x1 <= x0:
            return
        fill_bar(self.planes[0], x0, x1, y0, y1, colour=colour_to_yuv(colour)[0], clip_top=clip_top,
                 clip_bottom=clip_bottom)
        self._chroma_box(colour, x0, x1, max(y0, clip_top), min(y1, clip_bottom))

    def stamp(self, sprite: Sprite, x: int, baseline: int, colour: Colour, *, clip_top: int = 0,
              clip_bottom: int | None = None) -> None:
        """Blend a one-colour sprite with its baseline at `baseline`, clipped to rows clip_top..clip_bottom."""
        clip_bottom = self.size[1] if clip_bottom is None else clip_bottom
        top = y0 = baseline - sprite.baseline
        mask = sprite.mask
        if top >= clip_top and top + mask.height <= clip_bottom:
            key = (id(mask), x % 2, top % 2)
            placed = self._masks.get(key)
            if placed is None:
                placed = self._placed(key, mask)
            placement = placed[1]
        else:
            y0, y1 = max(top, clip_top), min(top + mask.height, clip_bottom)
            if y0 >= y1:
                return
            placement = _placement(mask.crop((0, y0 - top, mask.width, y1 - top)), x % 2, y0 % 2)
        luma_mask, width, height, half_mask, half_width, half_height = placement
        luma, cb, cr = colour_to_yuv(colour)
        luma_core, cb_core, cr_core = self._cores
        luma_core.paste(luma, (x, y0, x + width, y0 + height), luma_mask)
        left, half_top = x // 2, y0 // 2
        box = (left, half_top, left + half_width, half_top + half_height)
        cb_core.paste(cb, box, half_mask)
        cr_core.paste(cr, box, half_mask)

    def picture(self, tile: Image.Image, x: int, y: int, clip_top: int, clip_bottom: int) -> None:
        """A picture pasted as it is, cropped to rows clip_top..clip_bottom (chroma rows wholly inside them).
        Where the picture covers half of a chroma sample's block (an odd edge), it is blended in by half."""
        key = (id(tile), x % 2, y % 2)
        if key not in self._pictures:
            phase = (x % 2, y % 2)
            planes = rgb_to_planes(np.asarray(tile.convert("RGB")), phase)
            coverage = _half_mask(Image.new("L", tile.size, 255), *phase)
            self._pictures[key] = (tile, tuple(Image.fromarray(plane) for plane in planes), coverage)
        _, (luma, cb, cr), coverage = self._pictures[key]
        paste_clipped(self.planes[0], luma, x, y, clip_top=clip_top, clip_bottom=clip_bottom)
        top, bottom = max(y // 2, (clip_top + 1) // 2), min(y // 2 + coverage.height, clip_bottom // 2)
        if top >= bottom:
            return
        if bottom - top < coverage.height:
            rows = (0, top - y // 2, coverage.width, bottom - y // 2)
            cb, cr, coverage = (plane.crop(rows) for plane in (cb, cr, coverage))
        box = (x // 2, top, x // 2 + coverage.width, bottom)
        self._cores[1].paste(cb.im, box, coverage.im)
        self._cores[2].paste(cr.im, box, coverage.im)

    def image(self) -> Image.Image:
        """The frame as a player shows it: an RGB picture (BT.709, limited range)."""
        return Image.fromarray(planes_to_rgb(*(np.asarray(plane) for plane in self.planes)))

    def _placed(self, key: tuple[int, int, int], mask: Image.Image) -> tuple[Image.Image, Placement]:
        if len(self._masks) >= MASKS_KEPT:
            self._masks.clear()
        # The mask is kept with its placement, so its id is never reused meanwhile.
        placed = self._masks[key] = (mask, _placement(mask, key[1], key[2]))
        return placed

    def _chroma_box(self, colour: Colour, left: float, right: float, top: float, bottom: float) -> None:
        """Cb and Cr of a box with fractional edges: each chroma sample blended by the share of its 2 x 2
        block the box covers (whole inside, so only the edge rows and columns are computed)."""
        if right <= left or bottom <= top:
            return
        first_column, columns, left_share, right_share = _coverage(left, right)
        first_row, rows, top_share, bottom_share = _coverage(top, bottom)
        alpha = Image.core.fill("L", (columns, rows), 255)
        last_column, last_row = columns - 1, rows - 1
        for box, share in (((0, 0, 1, rows), left_share), ((last_column, 0, columns, rows), right_share),
                           ((0, 0, columns, 1), top_share), ((0, last_row, columns, rows), bottom_share),
                           ((0, 0, 1, 1), top_share * left_share),
                           ((last_column, 0, columns, 1), top_share * right_share),
                           ((0, last_row, 1, rows), bottom_share * left_share),
                           ((last_column, last_row, columns, rows), bottom_share * right_share)):
            if share < 1:
                alpha.paste(round(share * 255), box)
        _, cb, cr = colour_to_yuv(colour)
        box = (first_column, first_row, first_column + columns, first_row + rows)
        self._cores[1].paste(cb, box, alpha)
        self._cores[2].paste(cr, box, alpha)


def _placement(mask: Image.Image, px: int, py: int) -> Placement:
    """What stamping a mask at a position px, py pixels past an even one pastes: its Pillow core, its size,
    and its half-size mask's."""
    half = _half_mask(mask, px, py)
    return mask.im, mask.width, mask.height, half.im, half.width, half.height


def _half_mask(mask: Image.Image, px: int, py: int) -> Image.Image:
    """A mask at half size, each pixel the mean of the 2 x 2 block it stands for, the mask placed px, py
    pixels past an even position."""
    alpha = np.asarray(mask, dtype=np.float32)
    padded = np.pad(alpha, ((py, (alpha.shape[0] + py) % 2), (px, (alpha.shape[1] + px) % 2)))
    blocks = padded.reshape(padded.shape[0] // 2, 2, padded.shape[1] // 2, 2).mean(axis=(1, 3))
    return Image.fromarray(np.round(blocks).astype(np.uint8))


def _coverage(start: float, stop: float) -> tuple[int, int, float, float]:
    """The half-size samples an interval of full-size pixels touches (the first and how many), and the share
    of the first's and of the last's two pixels it covers (those between are covered whole)."""
    first, last = math.floor(start) // 2, (math.ceil(stop) - 1) // 2

    def share(sample: int) -> float:
        return min(max(min(stop, 2 * sample + 2) - max(start, 2 * sample), 0.0), 2.0) / 2

    return first, last - first + 1, share(first), share(last)
