"""sRGB colours and pictures in the encoder's own terms: BT.709 Y'CbCr, limited range, chroma 4:2:0.

Races are painted straight into these planes, so ffmpeg converts nothing and the stream's colour tags
(BT.709 matrix, primaries and transfer, limited range) say exactly how a player turns them back into
the sRGB colours that were painted. The same formulas, inverted, let tests read a frame as a player does.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

KR, KB = 0.2126, 0.0722          # BT.709 luma weights
KG = 1 - KR - KB
Y_SCALE, C_SCALE = 219 / 255, 224 / 255  # limited range: Y' in 16..235, Cb and Cr in 16..240


def _ycbcr(rgb: np.ndarray) -> np.ndarray:
    """... x 3 float R'G'B' (0-255) -> ... x 3 float Y'CbCr (limited range, not rounded)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    luma = KR * r + KG * g + KB * b
    return np.stack([16 + Y_SCALE * luma, 128 + C_SCALE * (b - luma) / (2 * (1 - KB)),
                     128 + C_SCALE * (r - luma) / (2 * (1 - KR))], axis=-1)


@lru_cache(maxsize=1024)
def colour_to_yuv(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """One sRGB colour as (Y', Cb, Cr) bytes."""
    return tuple(int(v) for v in np.clip(np.round(_ycbcr(np.array(colour, dtype=np.float64))), 0, 255))


def rgb_to_planes(rgb: np.ndarray, phase: tuple[int, int] = (0, 0)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """H x W x 3 uint8 sRGB -> (Y' H x W, Cb, Cr) uint8 planes; chroma averages 2 x 2 blocks of the picture
    placed `phase` = (x % 2, y % 2) pixels past an even position (the edge repeats into the padding).

    One channel at a time in float32, so a 1080 x 1920 background costs tens of MB, not hundreds."""
    px, py = phase
    luma = np.zeros(rgb.shape[:2], dtype=np.float32)
    blocks = []
    for channel, weight in enumerate((KR, KG, KB)):
        values = rgb[..., channel].astype(np.float32)
        luma += weight * values
        padded = np.pad(values, ((py, (values.shape[0] + py) % 2), (px, (values.shape[1] + px) % 2)), mode="edge")
        blocks.append(padded.reshape(padded.shape[0] // 2, 2, padded.shape[1] // 2, 2).mean(axis=(1, 3)))
    chroma = _ycbcr(np.stack(blocks, axis=-1))
    planes = (16 + Y_SCALE * luma, chroma[..., 1], chroma[..., 2])
    luma_plane, cb, cr = (np.clip(np.round(plane), 0, 255).astype(np.uint8) for plane in planes)
    return luma_plane, cb, cr


def planes_to_rgb(luma: np.ndarray, cb: np.ndarray, cr: np.ndarray) -> np.ndarray:
    """Y'CbCr 4:2:0 planes -> H x W x 3 uint8 sRGB, chroma repeated over its 2 x 2 block (as a player
    decoding BT.709 limited range does, before any scaling)."""
    height, width = luma.shape
    up = [np.repeat(np.repeat(plane.astype(np.float64), 2, axis=0), 2, axis=1)[:height, :width] for plane in (cb, cr)]
    y = (luma.astype(np.float64) - 16) / Y_SCALE
    blue_diff, red_diff = ((c - 128) / C_SCALE for c in up)
    r = y + 2 * (1 - KR) * red_diff
    b = y + 2 * (1 - KB) * blue_diff
    g = (y - KR * r - KB * b) / KG
    return np.clip(np.round(np.stack([r, g, b], axis=-1)), 0, 255).astype(np.uint8)
