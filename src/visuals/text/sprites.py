"""What text drawing makes and frames stamp: a sprite (an alpha mask and its baseline), a block of them,
the spec they are drawn from, and the stamping itself (Pillow, C speed). No drawing library is loaded here:
a race's segment helper unpickles sprites drawn already and only stamps them.
"""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

from PIL import Image


@dataclass(frozen=True)
class TextSpec:
    text: str
    size_px: float
    bold: bool = False
    max_width: int | None = None
    max_lines: int = 1
    _: KW_ONLY   # from here on by keyword only
    shrink: bool = False    # try text.SHRINK x size_px before cutting the text short


@dataclass(frozen=True)
class Sprite:
    """An alpha mask; `baseline` is the row of the text baseline, so same-size sprites line up."""
    mask: Image.Image
    baseline: int

    @property
    def width(self) -> int:
        return self.mask.width

    @property
    def height(self) -> int:
        return self.mask.height


@dataclass(frozen=True)
class TextBlock:
    """A text broken into lines, each its own sprite; set at size_px, shortened with … when cut."""
    lines: tuple[Sprite, ...]
    size_px: float
    cut: bool


def stamp(canvas: Image.Image, sprite: Sprite, x: int, baseline_y: int, colour: tuple[int, int, int],
          *, clip_top: int = 0, clip_bottom: int | None = None) -> None:
    """Blend a one-colour sprite into an RGB image with its baseline at baseline_y, clipped to rows."""
    clip_bottom = canvas.height if clip_bottom is None else clip_bottom
    top = baseline_y - sprite.baseline
    if top >= clip_top and top + sprite.height <= clip_bottom:
        canvas.paste(colour, (x, top), sprite.mask)
        return
    y0, y1 = max(top, clip_top), min(top + sprite.height, clip_bottom)
    if y0 < y1:
        canvas.paste(colour, (x, y0), sprite.mask.crop((0, y0 - top, sprite.width, y1 - top)))
