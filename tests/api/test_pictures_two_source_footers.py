"""The drawn footer of a Wrapped card and of a race frame from a Spotify+Last.fm session with filters, at every
format: it names both sources and what was left out, and no word of it is cut. Read from the drawn pixels and
compared with the expected words drawn whole (never shortened) where the footer's lines sit."""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from harness import exportgen as eg
from harness import servicegen as sg
from harness.media import probe_video
from harness.service import offline_app, post_upload, upload_ok
from harness.two_sources import BODY, ROWS, SCROBBLES
from src.visuals.chart.layout import Layout
from src.visuals.footer import LINE_GAP
from src.visuals.formats import FORMATS
from src.visuals.text import TextSpec, render_texts, stamp
from src.visuals.themes import THEMES

LEFT_OUT = "2 artists and 1 period left out · versions merged"
CARD_WORDS = f"Music streams of 30 s or more (UTC days) · {LEFT_OUT} · Spotify, Last.fm"
RACE_WORDS = f"Streams of plays of 30 s or more (UTC days) · {LEFT_OUT} · Spotify, Last.fm"
RACE = {"top_n": 3, "days": 120, "interp_steps": 1, "speed_for_bar_animation": 2}


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    client = offline_app(tmp_path_factory.mktemp("footers")).test_client()
    session_id = upload_ok(client, eg.extended_zip(ROWS))["session_id"]
    assert client.put(f"/sessions/{session_id}/filters", json=BODY).status_code == 200
    added = post_upload(client, sg.lastfm_csv(SCROBBLES), "scrobbles.csv", url=f"/sessions/{session_id}/uploads")
    assert added.status_code == 200, added.get_json()
    return client, session_id


def below_the_hairline(pixels: np.ndarray) -> np.ndarray:
    """The rows under the hairline above the footer: the footer and nothing else."""
    height, width = pixels.shape
    layout = Layout(width, height, 1, False, race=False)
    return pixels[layout.rule_y + max(1, round(layout.space / 12)) + 2:]


def whole_words(width: int, height: int, lines: list[str]) -> np.ndarray | None:
    """The footer's place on a blank dark page with `lines` drawn at full size, none shortened; None when one
    of them is wider than the page's text."""
    layout, theme = Layout(width, height, 1, False, race=False), THEMES["dark"]
    canvas = Image.new("RGB", (width, height), theme.background)
    sprites = render_texts([TextSpec(line, layout.footer_px) for line in lines])
    if any(sprite.width > layout.text_width for sprite in sprites):
        return None
    for k, sprite in enumerate(sprites):
        stamp(canvas, sprite, layout.label_left, layout.footer_baseline + round(k * layout.footer_px * LINE_GAP),
              theme.muted)
    return below_the_hairline(np.asarray(canvas.convert("L")).astype(int))


def distance_to_whole_words(drawn: np.ndarray, words: str) -> float:
    """How far the drawn footer is from the words drawn whole, on one line or broken before the sources (what
    was left out stays on the first line), whichever it is nearer: the largest mean difference of a column,
    so that a few characters cut off at the end (an ellipsis for "fm") count as much as a wrong word."""
    height, width = drawn.shape
    first, sources = words.rsplit(" · ", 1)
    layouts = (whole_words(width, height, [words]), whole_words(width, height, [first, sources]))
    return min(float(np.abs(below_the_hairline(drawn) - reference).mean(axis=0).max())
               for reference in layouts if reference is not None)


def grey(image: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(image).convert("L")).astype(int)


@pytest.mark.parametrize("name", list(FORMATS))
def test_the_card_s_footer_names_both_sources_and_what_was_left_out_uncut(session, name):
    client, session_id = session
    answer = client.post("/generate_wrapped", json={"session_id": session_id, "format": name}).get_json()
    image = Image.open(io.BytesIO(base64.b64decode(answer["image"])))
    assert distance_to_whole_words(grey(np.asarray(image.convert("RGB"))), CARD_WORDS) < 6   # JPEG noise: < 2


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FORMATS))
def test_a_race_frame_s_footer_names_both_sources_and_what_was_left_out_uncut(session, name):
    client, session_id = session
    answer = client.post("/generate_animation", json={"session_id": session_id, "format": name, **RACE})
    assert answer.status_code == 200, answer.get_json()
    frame = probe_video(base64.b64decode(answer.get_json()["video"])).frames[-1]
    assert distance_to_whole_words(grey(frame), RACE_WORDS) < 6   # video noise: < 2; a word cut off: > 15
