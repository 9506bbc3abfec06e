"""Text drawn once by matplotlib into alpha masks, then stamped onto frames by Pillow (C speed).

Many labels are drawn on one tall figure per batch (one Agg draw for all of them), which is what
makes a race with dozens of names cheap to prepare.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from src.visuals.fonts import drawable, font_families

ELLIPSIS = "…"
MAX_BATCH_PX = 2000  # rows per Agg canvas: bounds the memory a batch of labels takes


@dataclass(frozen=True)
class TextSpec:
    text: str
    size_px: float
    bold: bool = False
    max_width: int | None = None


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


def _sprite(alpha: np.ndarray, baseline: int) -> Sprite:
    """Crop empty rows and columns (less to blend per frame), keeping the baseline's place."""
    rows = np.flatnonzero(alpha.max(axis=1) > 0)
    columns = np.flatnonzero(alpha.max(axis=0) > 8)
    if not rows.size or not columns.size:
        return Sprite(Image.new("L", (1, 1)), 0)
    cropped = alpha[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
    return Sprite(Image.fromarray(np.ascontiguousarray(cropped)), baseline - int(rows[0]))


def _band_height(size_px: float) -> int:
    return int(np.ceil(size_px * 1.6)) + 2


def _draw_batch(specs: list[TextSpec], texts: list[str], width: int) -> list[Sprite]:
    heights = [_band_height(spec.size_px) for spec in specs]
    total = sum(heights)
    figure = Figure(figsize=(width / 72, total / 72), dpi=72, facecolor="black")
    top = 0
    baselines = []
    for spec, text, height in zip(specs, texts, heights):
        baseline = top + int(round(spec.size_px * 1.2))
        figure.text(2 / width, 1 - baseline / total, text, color="white", fontsize=spec.size_px,
                    fontweight="bold" if spec.bold else "normal", family=list(font_families()),
                    va="baseline", ha="left", parse_math=False)
        baselines.append(baseline)
        top += height
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[:, :, 0]
    sprites, top = [], 0
    for height, baseline in zip(heights, baselines):
        sprites.append(_sprite(pixels[top:top + height], baseline - top))
        top += height
    return sprites


def render_texts(specs: list[TextSpec], canvas_width: int = 2400) -> list[Sprite]:
    """Draw every spec; names wider than their max_width are shortened with an ellipsis."""
    texts = [drawable(spec.text) for spec in specs]
    sprites: list[Sprite | None] = [None] * len(specs)
    pending = list(range(len(specs)))
    for _attempt in range(4):
        if not pending:
            break
        drawn = _draw_in_batches([specs[i] for i in pending], [texts[i] for i in pending], canvas_width)
        retry = []
        for index, sprite in zip(pending, drawn):
            limit = specs[index].max_width
            if limit and sprite.width > limit and len(texts[index]) > 2:
                keep = max(1, int(len(texts[index].rstrip(ELLIPSIS)) * limit / sprite.width) - 1)
                texts[index] = texts[index].rstrip(ELLIPSIS)[:keep].rstrip() + ELLIPSIS
                retry.append(index)
            sprites[index] = sprite
        pending = retry
    return [_clip_width(sprite, spec.max_width) for sprite, spec in zip(sprites, specs)]


def _clip_width(sprite: Sprite, limit: int | None) -> Sprite:
    if limit and sprite.width > limit:
        return Sprite(sprite.mask.crop((0, 0, limit, sprite.height)), sprite.baseline)
    return sprite


def _draw_in_batches(specs: list[TextSpec], texts: list[str], width: int) -> list[Sprite]:
    out, batch, batch_texts, height = [], [], [], 0
    for spec, text in zip(specs, texts):
        band = _band_height(spec.size_px)
        if batch and height + band > MAX_BATCH_PX:
            out += _draw_batch(batch, batch_texts, width)
            batch, batch_texts, height = [], [], 0
        batch.append(spec)
        batch_texts.append(text)
        height += band
    if batch:
        out += _draw_batch(batch, batch_texts, width)
    return out


def stamp(canvas: Image.Image, sprite: Sprite, x: int, baseline_y: int, colour: tuple[int, int, int],
          clip_top: int = 0, clip_bottom: int | None = None) -> None:
    """Blend a one-colour sprite into an RGB image with its baseline at baseline_y, clipped to rows."""
    clip_bottom = canvas.height if clip_bottom is None else clip_bottom
    top = baseline_y - sprite.baseline
    if top >= clip_top and top + sprite.height <= clip_bottom:
        canvas.paste(colour, (x, top), sprite.mask)
        return
    y0, y1 = max(top, clip_top), min(top + sprite.height, clip_bottom)
    if y0 < y1:
        canvas.paste(colour, (x, y0), sprite.mask.crop((0, y0 - top, sprite.width, y1 - top)))
