"""Turning a downloaded answer into a picture to draw, trusting neither its label nor its header.

Only answers labelled as JPEG, PNG or WebP are opened, and only with that format's decoder (an
HTML page served as a picture is not drawn). Pillow opens a picture lazily: its size is read from
the header, and a picture with more than ARTWORK_MAX_PIXELS pixels is refused before a single
pixel is decoded (an 8000x8000 picture would take 192 MB at once).
"""
from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

PICTURE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


class NotAPicture(ValueError):
    """An answer that is not a picture the service draws: another type, too many pixels, or damaged."""


def picture_format(content_type: str | None) -> str:
    """Pillow's format for an answer's Content-Type; NotAPicture for anything else."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in PICTURE_FORMATS:
        raise NotAPicture(f"served as {media_type[:60] or 'nothing'!r}")
    return PICTURE_FORMATS[media_type]


def square_picture(data: bytes, content_type: str | None, max_pixels: int, side: int) -> Image.Image:
    """The picture centre-cropped to a square of `side` px; NotAPicture when it must not be drawn."""
    image_format = picture_format(content_type)
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise NotAPicture(f"{width}x{height} pixels, at most {max_pixels} allowed")
            image.draft("RGB", (side, side))  # a JPEG decodes at a fraction of its size when that is enough
            return ImageOps.fit(image.convert("RGB"), (side, side), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError) as error:
        if isinstance(error, NotAPicture):
            raise
        raise NotAPicture(f"not a readable {image_format} picture") from error
