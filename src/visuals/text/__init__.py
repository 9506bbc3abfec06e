"""Text drawn once into sprites, stamped onto frames: what the painter and the labels use. The sprites and
their stamping (sprites.py), the font chain (fonts.py), line breaking (wrap.py), the labels of bars (labels.py).

The drawing itself (rasterise.py: matplotlib's FreeType, about 0.3 s and 20-30 MB to import) loads on the
first text drawn, not with this module: a race's segment helper unpickles a painter whose sprites are
drawn already, and starts in a fraction of the time without it. The web app and the Celery worker load
it when they start (rasterise.load_text_engine).
"""
from __future__ import annotations

from src.visuals.text.sprites import Sprite, TextBlock, TextSpec, stamp

__all__ = ["Sprite", "TextBlock", "TextSpec", "measured_to_fit", "render_block", "render_texts", "stamp"]


def render_texts(specs: list[TextSpec]) -> list[Sprite]:
    """Draw every spec on one line; texts wider than their max_width are shortened to fit, with an ellipsis."""
    from src.visuals.text import rasterise
    return rasterise.render_texts(specs)


def render_block(spec: TextSpec) -> TextBlock:
    """The spec's text in at most max_lines lines of max_width (one line when no width is given)."""
    from src.visuals.text import rasterise
    return rasterise.render_block(spec)


def measured_to_fit(spec: TextSpec) -> bool:
    """Whether the text's advances, as measured without drawing, fit max_width on one line. A text that does
    not fit by this measure is not drawn to find out (drawing only ever widens it); one that does must still be
    drawn and its drawn width checked (render_block)."""
    from src.visuals.text import rasterise
    return rasterise.measured_to_fit(spec)
