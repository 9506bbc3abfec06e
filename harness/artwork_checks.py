"""What the artwork tests share: the catalogue, an app pointed at a Spotify stand-in, and the checks
that read a chart's pixels to tell which bar got which picture."""
from __future__ import annotations

import base64
import io
import time
import uuid
from pathlib import Path

import numpy as np
from PIL import Image

from harness import exportgen as eg
from harness.service import offline_app
from harness.spotify_standin import SpotifyStandin
from src.visuals.chart.layout import Layout
from src.visuals.chart.top_chart_painter import chart_slots, colour_key
from src.visuals.themes import THEMES, assign_colours

CATALOG = eg.make_catalog()
TRACKS = {t.uri.split(":")[2]: (t.artist, t.album) for t in CATALOG.tracks if t.uri}
TOP = 5
SIZE = (1080, 1350)
BACKGROUND = THEMES["dark"].background


def palette_colour(items: list[dict], slot: int) -> tuple[int, int, int]:
    """The palette colour a bar without a picture gets: its name's, unless a higher bar holds it."""
    return assign_colours([colour_key(item["name"], item.get("artist")) for item in items], THEMES["dark"])[slot]


def client_for(upload_dir: Path, server: SpotifyStandin | None, **settings):
    """A client of an app pointed at the stand-in (when there is one) with credentials of its own."""
    # a fresh client id per app: nothing learnt by another test (a token, a 403) carries over
    config = {"SPOTIFY_CLIENT_ID": f"id-{uuid.uuid4().hex}", "SPOTIFY_CLIENT_SECRET": "secret",
              "ARTWORK_SOURCES": "spotify", "ARTWORK_IMAGE_HOSTS": "127.0.0.1"}  # the stand-in serves its pictures
    if server is not None:
        config.update(SPOTIFY_API_URL=server.api_url, SPOTIFY_TOKEN_URL=server.token_url)
    return offline_app(upload_dir, **{**config, **settings}).test_client()


def chart(client, session: str, attribute: str = "artist_name") -> tuple[dict, np.ndarray, float]:
    started = time.perf_counter()
    response = client.post("/generate_image", json={"session_id": session, "selected_attribute": attribute,
                                                     "top_n": TOP})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(body["image"]))).convert("RGB")).astype(int)
    return body, pixels, elapsed


def layout_of(body: dict, pictures: bool) -> Layout:
    return Layout(*SIZE, chart_slots(TOP, len(body["items"])), False, race=False, pictures=pictures)


def thumb_colour(pixels: np.ndarray, layout: Layout, slot: int) -> np.ndarray:
    """Mean colour of the middle of the square picture of bar `slot`."""
    centre = layout.area_top + (slot + 0.5) * layout.slot_px
    side = layout.thumb_px
    top, left = round(centre - side / 2), layout.thumb_left
    return pixels[top + side // 4:top + 3 * side // 4, left + side // 4:left + 3 * side // 4].mean(axis=(0, 1))


def bar_colour_at(pixels: np.ndarray, layout: Layout, slot: int) -> np.ndarray:
    centre = int(layout.area_top + (slot + 0.5) * layout.slot_px)
    return pixels[centre - 2:centre + 3, layout.bar_left + 4:layout.bar_left + 12].mean(axis=(0, 1))


def near(observed: np.ndarray, expected: tuple[int, int, int], tolerance: float) -> bool:
    return bool(np.abs(observed - np.array(expected)).max() <= tolerance)


def expected_colours(server: SpotifyStandin, attribute: str, item: dict) -> list[tuple[int, int, int]]:
    if attribute == "artist_name":
        return [server.artist_colour(item["name"])]
    if attribute == "album_name":
        return [server.album_colour(item["name"], item["artist"])]
    # a song's album cover; a title and artist may exist on two albums (a single), either may be drawn
    return [server.album_colour(t.album, t.artist) for t in CATALOG.tracks
            if (t.name, t.artist) == (item["name"], item["artist"]) and t.uri]


def assert_pictures_and_colours(server: SpotifyStandin, attribute: str, body: dict, pixels: np.ndarray) -> None:
    layout = layout_of(body, pictures=True)
    for slot, item in enumerate(body["items"]):
        colours = expected_colours(server, attribute, item)
        assert any(near(thumb_colour(pixels, layout, slot), c, 12) for c in colours), (item, colours)
        assert any(near(bar_colour_at(pixels, layout, slot), c, 16) for c in colours), (item, colours)


def has_own_picture(server: SpotifyStandin, body: dict, pixels: np.ndarray, slot: int) -> bool:
    """Whether artist bar `slot` shows its own picture and colour (not another artist's, not none)."""
    layout = layout_of(body, pictures=True)
    colour = server.artist_colour(body["items"][slot]["name"])
    return (near(thumb_colour(pixels, layout, slot), colour, 12)
            and near(bar_colour_at(pixels, layout, slot), colour, 16))


def has_no_picture(body: dict, pixels: np.ndarray, slot: int, others_have: bool = True) -> bool:
    """Whether artist bar `slot` is drawn without a picture, in its name's stable colour (in the layout
    with a picture column when other bars have one, else in the colour-only layout)."""
    layout = layout_of(body, pictures=others_have)
    stable = palette_colour(body["items"], slot)
    empty_thumb = not others_have or near(thumb_colour(pixels, layout, slot), BACKGROUND, 6)
    return empty_thumb and near(bar_colour_at(pixels, layout, slot), stable, 12)
