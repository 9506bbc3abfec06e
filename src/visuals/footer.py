"""The footer, on one line when it fits, else on two: broken between its parts (" · "), so the first line keeps
whole what was counted and what the filters left out, and only the end of the second (the sources, the artwork
credit) could ever be shortened. The second line sits below the first, in the page's bottom margin, so the
hairline and everything above it stay where every picture has them. A line is drawn only once its measured
advances fit (drawing only widens it), so a long footer is not drawn whole just to learn that it is cut."""
from __future__ import annotations

from src.visuals.text import Sprite, TextSpec, measured_to_fit, render_block

SEPARATOR = " · "
LINE_GAP = 1.3   # the second line's baseline, in footer sizes below the first's


def footer_lines(footer: str, size_px: float, width: int) -> list[Sprite]:
    """The footer's lines, drawn at size_px and at most width pixels wide each."""
    whole = TextSpec(footer, size_px, max_width=width)
    if measured_to_fit(whole) and not (one_line := render_block(whole)).cut:
        return list(one_line.lines)
    parts = footer.split(SEPARATOR)
    for kept in range(len(parts) - 1, 0, -1):
        spec = TextSpec(SEPARATOR.join(parts[:kept]), size_px, max_width=width)
        if measured_to_fit(spec) and not (first := render_block(spec)).cut:
            rest = render_block(TextSpec(SEPARATOR.join(parts[kept:]), size_px, max_width=width))
            return [first.lines[0], rest.lines[0]]
    # even its first part is too long for a line: its words wrapped onto two
    return list(render_block(TextSpec(footer, size_px, max_width=width, max_lines=2)).lines)


def footer_baselines(first_baseline: int, size_px: float, lines: int) -> list[int]:
    """Where each footer line's baseline sits."""
    return [first_baseline + round(k * size_px * LINE_GAP) for k in range(lines)]
