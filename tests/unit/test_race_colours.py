"""A race's colours as a browser shows them: every palette colour of every theme, decoded from the MP4
the way a browser decodes it (honouring the stream's tags), within CIEDE2000 2 of the colour painted."""
from __future__ import annotations

import numpy as np
import pytest

from backend.services.encoding.ffmpeg import encode_animation, find_ffmpeg
from harness.colour_difference import delta_e_2000, lab
from harness.media import colour_tags, decode_as_browser
from src.visuals.chart.layout import Layout
from src.visuals.painter import Entry, FramePainter, Page
from src.visuals.race.yuv_canvas import YuvCanvas
from src.visuals.style import count_format
from src.visuals.themes import THEMES

pytestmark = pytest.mark.slow

WIDTH, HEIGHT, FRAMES = 640, 800, 4


@pytest.fixture(scope="module", params=list(THEMES))
def decoded(request, tmp_path_factory):
    theme = THEMES[request.param]
    layout = Layout(WIDTH, HEIGHT, len(theme.palette), False, race=True)
    entries = [Entry(f"Colour {k}", None, colour) for k, colour in enumerate(theme.palette)]
    painter = FramePainter(layout, theme, entries, Page("Palette", request.param), count_format(), largest_value=100,
                           canvas_type=YuvCanvas)
    rows = np.arange(len(entries), dtype=np.float64)
    values = np.linspace(100, 60, len(entries))

    def frames():
        for _ in range(FRAMES):
            yield painter.paint(rows, values, 100).raw

    video = encode_animation(frames(), WIDTH, HEIGHT, 12, find_ffmpeg(""),
                             work_dir=tmp_path_factory.mktemp("colours"))
    return theme, layout, video.data


def test_the_stream_is_tagged_bt709_limited_range(decoded):
    _, _, data = decoded
    tags = colour_tags(data)
    assert (tags.range, tags.matrix) == ("tv", "bt709")


def test_every_palette_colour_reads_as_painted_in_a_browser(decoded):
    theme, layout, data = decoded
    frame = decode_as_browser(data)[-1].astype(np.float64)
    x = layout.bar_left + 20
    for row, painted in enumerate(theme.palette):
        centre = int(layout.area_top + (row + 0.5) * layout.slot_px)
        seen = tuple(round(c) for c in frame[centre - 2:centre + 3, x:x + 10].reshape(-1, 3).mean(axis=0))
        assert delta_e_2000(lab(seen), lab(painted)) <= 2.0, (row, painted, seen)
    corner = tuple(int(c) for c in frame[4, 4])
    assert delta_e_2000(lab(corner), lab(theme.background)) <= 2.0
