"""Where a frame is painted: one reused buffer, reset from a background drawn once, painted by a few
primitives (solid boxes, anti-aliased bars, one-colour sprites, pictures) at C speed through Pillow.

RgbCanvas paints sRGB (the still chart, which becomes a JPEG); yuv_canvas.YuvCanvas paints the same
primitives straight into the encoder's planes (races). Both hand their buffer to ffmpeg without a copy.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np
from PIL import Image

from src.visuals.chart.bars import fill_bar, paste_clipped
from src.visuals.text.sprites import Sprite, stamp
from src.visuals.themes import Colour


class Canvas(Protocol):
    """What painters paint on; `raw` is the frame in ffmpeg's `pix_fmt`, valid until the next reset."""
    pix_fmt: str
    size: tuple[int, int]

    @property
    def raw(self) -> memoryview: ...

    def reset(self) -> None: ...

    def fill(self, colour: Colour, box: tuple[int, int, int, int]) -> None: ...

    def bar(self, colour: Colour, x0: int, x1: float, y0: float, y1: float, *, clip_top: int,
            clip_bottom: int) -> None: ...

    def stamp(self, sprite: Sprite, x: int, baseline: int, colour: Colour, *, clip_top: int = 0,
              clip_bottom: int | None = None) -> None: ...

    def picture(self, tile: Image.Image, x: int, y: int, clip_top: int, clip_bottom: int) -> None: ...

    def image(self) -> Image.Image: ...


def shared_image(mode: str, size: tuple[int, int], buffer: np.ndarray) -> Image.Image:
    """A Pillow image painting straight into `buffer` (contiguous), so the frame never needs copying out."""
    image = Image.frombuffer(mode, size, buffer, "raw", mode, 0, 1)
    image.readonly = 0  # frombuffer marks shared buffers read-only; painting into it is the point
    return image


class BufferCanvas:
    """What both canvases share: `background` (the frame's bytes drawn once), `pixels` (the frame painted,
    reset from it) and `_make_frame`, which a pickled canvas runs again to share `pixels` with its images."""
    size: tuple[int, int]
    background: np.ndarray
    pixels: np.ndarray

    def _make_frame(self) -> None:
        raise NotImplementedError

    def __getstate__(self) -> dict:
        return {"size": self.size, "background": self.background}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._make_frame()

    @property
    def raw(self) -> memoryview:
        return memoryview(self.pixels).cast("B")

    def reset(self) -> None:
        np.copyto(self.pixels, self.background)


class RgbCanvas(BufferCanvas):
    """An RGBX frame (ffmpeg's rgb0): 4 bytes a pixel, the last unused."""
    pix_fmt = "rgb0"

    def __init__(self, background: Image.Image):
        self.size = background.size
        self.background = np.asarray(background.convert("RGBX")).copy()
        self._make_frame()

    def _make_frame(self) -> None:
        self.pixels = self.background.copy()
        self.frame = shared_image("RGBX", self.size, self.pixels)

    def fill(self, colour: Colour, box: tuple[int, int, int, int]) -> None:
        self.frame.paste(colour, box)

    def bar(self, colour: Colour, x0: int, x1: float, y0: float, y1: float, *, clip_top: int,
            clip_bottom: int) -> None:
        fill_bar(self.frame, x0, x1, y0, y1, colour=colour, clip_top=clip_top, clip_bottom=clip_bottom)

    def stamp(self, sprite: Sprite, x: int, baseline: int, colour: Colour, *, clip_top: int = 0,
              clip_bottom: int | None = None) -> None:
        stamp(self.frame, sprite, x, baseline, colour, clip_top=clip_top, clip_bottom=clip_bottom)

    def picture(self, tile: Image.Image, x: int, y: int, clip_top: int, clip_bottom: int) -> None:
        """An RGBX tile pasted as it is, cropped to rows clip_top..clip_bottom."""
        paste_clipped(self.frame, tile, x, y, clip_top=clip_top, clip_bottom=clip_bottom)

    def image(self) -> Image.Image:
        """The frame as an RGB picture."""
        return self.frame.convert("RGB")
