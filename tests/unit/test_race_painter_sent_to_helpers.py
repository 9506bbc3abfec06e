"""A race's painter sent to a segment helper (pickled) paints the same frames, with its pictures as thumbnails."""
from __future__ import annotations

import pickle

import numpy as np
from PIL import Image

from backend.services.encoding.ffmpeg import frame_bytes
from src.visuals.chart.layout import Layout
from src.visuals.painter import Entry, FramePainter, Page
from src.visuals.race.yuv_canvas import YuvCanvas
from src.visuals.style import count_format
from src.visuals.themes import DEFAULT_THEME, THEMES


def test_a_painter_sent_to_a_helper_paints_the_same_frames_with_pictures():
    pictures = [Image.new("RGB", (300, 300), colour) for colour in ("red", "green", "blue")]
    entries = [Entry(f"Artist {k}", None, (40 * k, 90, 200), picture) for k, picture in enumerate(pictures)]
    painter = FramePainter(Layout(480, 600, 3, False, race=True, pictures=True), THEMES[DEFAULT_THEME], entries,
                           Page("Top artists", "2022", "Streams", ("Jan 2022", "Feb 2022")), count_format(),
                           largest_value=900.0, canvas_type=YuvCanvas)
    sent = pickle.loads(pickle.dumps(painter, protocol=pickle.HIGHEST_PROTOCOL))
    for positions, values, date_index in (([0.0, 1.0, 2.0], [900, 500, 20], 0), ([1.4, 0.6, 3.6], [700, 650, 0], 1)):
        arguments = (np.array(positions), np.array(values, dtype=float), 900.0, date_index, float(sum(values)))
        expected = np.asarray(painter.paint(*arguments).image())
        painted = np.asarray(sent.paint(*arguments).image())
        assert np.array_equal(painted, expected)
        # painted in place into the buffer whose bytes go to ffmpeg
        assert bytes(sent.canvas.raw) == bytes(painter.canvas.raw)
    # the pictures travel as the thumbnails drawn from them, not at full size
    assert [entry.picture for entry in sent.entries] == [None, None, None]
    assert len(pickle.dumps(painter)) < frame_bytes(480, 600) + 300 * 300 * 3
