"""The format and theme fields: named sizes for each place people post, and the page's colours."""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from harness import exportgen as eg
from harness.media import probe_video
from harness.service import offline_app, upload_ok
from src.visuals.chart.layout import Layout
from src.visuals.formats import FORMATS
from src.visuals.painter import CREDIT_KEY, Entry, FramePainter, Page, artwork_credit
from src.visuals.style import count_format
from src.visuals.themes import THEMES


@pytest.fixture(scope="module")
def export():
    return eg.extended_zip(eg.extended_rows(eg.make_catalog(), 3000, start="2022-01-01", end="2022-12-31"))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One service for the module: its tests only read the pictures of their session."""
    return offline_app(tmp_path_factory.mktemp("formats")).test_client()


@pytest.fixture(scope="module")
def session(client, export):
    """The export uploaded once: every picture request leaves the session as it was."""
    return upload_ok(client, export)["session_id"]


def image_of(client, **body) -> tuple[dict, np.ndarray]:
    response = client.post("/generate_image", json=body)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    return answer, np.asarray(Image.open(io.BytesIO(base64.b64decode(answer["image"]))).convert("RGB")).astype(int)


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_gives_its_size(client, session, name):
    answer, pixels = image_of(client, session_id=session, format=name.upper())
    assert (answer["width"], answer["height"]) == FORMATS[name] == (pixels.shape[1], pixels.shape[0])


def test_feed_is_the_default_and_figsize_still_sets_the_size(client, session):
    answer, _ = image_of(client, session_id=session)
    assert (answer["width"], answer["height"]) == FORMATS["feed"]
    answer, _ = image_of(client, session_id=session, format="wide", figsize=[6, 8], dpi=100)
    assert (answer["width"], answer["height"]) == (600, 800)


@pytest.mark.parametrize("name", list(THEMES))
def test_the_theme_colours_the_page(client, session, name):
    _, pixels = image_of(client, session_id=session, theme=name, format="square")
    corner = pixels[:20, :20].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - THEMES[name].background).max() <= 3
    title = pixels[40:110, 40:500].reshape(-1, 3)
    distance = np.abs(title - np.array(THEMES[name].text)).max(axis=1)
    assert (distance <= 40).sum() > 200   # the title is drawn in the theme's text colour


@pytest.mark.slow
def test_a_race_takes_the_format_and_theme(client, session):
    response = client.post("/generate_animation", json={
        "session_id": session, "format": "square", "theme": "light", "top_n": 3, "days": 120, "interp_steps": 1,
        "speed_for_bar_animation": 2})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["width"], response.get_json()["height"]) == FORMATS["square"]
    last = probe_video(base64.b64decode(response.get_json()["video"])).frames[-1].astype(int)
    assert np.abs(last[:20, :20].reshape(-1, 3).mean(axis=0) - THEMES["light"].background).max() <= 6


def picture_from(supplier: str) -> Image.Image:
    picture = Image.new("RGB", (8, 8), (200, 40, 40))
    picture.info[CREDIT_KEY] = supplier
    return picture


def test_the_footer_names_the_metric_and_credits_artwork_only_when_drawn():
    def footer_ink(suppliers: list[str]) -> int:
        pictures = [picture_from(supplier) for supplier in suppliers] or [None]
        layout = Layout(1080, 1350, 3, False, race=False, pictures=bool(suppliers))
        entries = [Entry(f"A{k}", None, (90, 90, 200), picture) for k, picture in enumerate(pictures)]
        painter = FramePainter(layout, THEMES["dark"], entries, Page("t", "s", "Streams · 1 Jan 2022 – 31 Dec 2022"),
                               count_format(), largest_value=1)
        band = painter.canvas.background[layout.rule_y + 2:, :, :3].astype(int)
        return int((np.abs(band - THEMES["dark"].background).max(axis=2) > 60).any(axis=0).sum())

    assert footer_ink(["Spotify", "Deezer"]) > footer_ink(["Spotify"]) > footer_ink([]) > 100


def test_the_credit_names_exactly_who_supplied_the_pictures_drawn():
    assert artwork_credit([picture_from("Spotify"), None, picture_from("Spotify")]) == "Artwork: Spotify"
    assert artwork_credit([picture_from("Spotify"), picture_from("Deezer")]) == "Artwork: Deezer, Spotify"
    assert artwork_credit([None, Image.new("RGB", (4, 4))]) == ""
