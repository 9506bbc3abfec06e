"""What artwork trusts of an answer, without a network: items matched by id, malformed items alone
skipped, image hosts, picture labels and pixel counts, and answer bodies capped as sent and inflated."""
from __future__ import annotations

import io
import time
import zlib

import pytest
from PIL import Image

from backend.services.artwork.pictures import NotAPicture, square_picture
from backend.services.artwork_store.records import (
    host_allowed,
    image_url_of,
    lookup_record,
    match_items,
    single_record,
    valid_record,
)
from backend.services.bounded_http import (
    AnswerCutShort,
    AnswerTooLarge,
    DeadlinePassed,
    UnsupportedEncoding,
    read_within,
)
from harness.misbehaviour import gzip_bomb, solid_png

HOSTS = ("scdn.co", "spotifycdn.com")
LATER = time.monotonic() + 3600


def artist(artist_id: str, colour: str = "red") -> dict:
    return {"id": artist_id, "name": f"name {artist_id}", "type": "artist",
            "images": [{"url": f"https://i.scdn.co/image/{artist_id}-{colour}", "width": 300, "height": 300}]}


def track(track_id: str, artist_id: str) -> dict:
    simple = {"id": artist_id, "name": f"name {artist_id}"}
    return {"id": track_id, "artists": [simple],
            "album": {"artists": [simple],
                      "images": [{"url": f"https://i.scdn.co/image/cover-{track_id}", "width": 64}]}}


def test_a_batch_answer_in_another_order_is_matched_by_id():
    asked = ["a1", "a2", "a3"]
    found = match_items("artists", asked, [artist("a3"), artist("a1"), artist("a2")])
    assert {key: record["images"][0][0] for key, record in found.items()} == {
        key: f"https://i.scdn.co/image/{key}-red" for key in asked}


def test_items_not_asked_for_or_repeated_are_ignored():
    found = match_items("artists", ["a1", "a2"], [artist("zz"), artist("a1"), artist("a1", "blue")])
    assert found == {"a1": {"images": [["https://i.scdn.co/image/a1-red", 300]]}}


@pytest.mark.parametrize("garbled", [
    "a string", ["a list"], {"id": "a2", "images": "640px"}, {"id": "a2", "images": [{"url": 42}]},
    {"id": "a2", "images": [{"url": "https://i.scdn.co/x", "width": "640"}]}, {"id": "a2", "images": [None]}])
def test_one_malformed_item_is_skipped_alone(garbled):
    found = match_items("artists", ["a1", "a2", "a3"], [artist("a1"), garbled, artist("a3")])
    assert sorted(found) == ["a1", "a3"]


@pytest.mark.parametrize("album", ["an album", ["a list"], {"images": {"url": "https://i.scdn.co/x"}},
                                   {"artists": "someone"}])
def test_a_track_with_a_malformed_album_has_no_record(album):
    assert lookup_record("tracks", {**track("t1", "a1"), "album": album}) is None
    assert lookup_record("tracks", track("t1", "a1")) == {
        "artists": [["a1", "name a1"]], "album_artists": [["a1", "name a1"]],
        "album_images": [["https://i.scdn.co/image/cover-t1", 64]]}


def test_nulls_mean_no_such_id_only_in_an_answer_in_order():
    in_order = match_items("artists", ["a1", "a2", "a3"], [artist("a1"), None, artist("a3")])
    assert in_order["a2"] == {}  # cached as "no picture"
    shuffled = match_items("artists", ["a1", "a2", "a3"], [artist("a3"), None, artist("a1")])
    assert sorted(shuffled) == ["a1", "a3"]  # the null could be anyone's: asked again next time
    short = match_items("artists", ["a1", "a2"], [None])
    assert short == {}
    assert match_items("artists", ["a1"], "not a list") == {}


def test_a_single_answer_about_another_id_is_not_used():
    assert single_record("artists", "a1", artist("a2")) is None
    assert single_record("artists", "a1", artist("a1")) == {"images": [["https://i.scdn.co/image/a1-red", 300]]}


@pytest.mark.parametrize("record, valid", [
    ({}, True), ({"images": [["https://i.scdn.co/a", 64]]}, True), ({"images": [["https://i.scdn.co/a", None]]}, True),
    ({"images": "x"}, False), ({"images": [["https://i.scdn.co/a"]]}, False), ({"images": [[1, 2]]}, False),
    ({"images": [], "extra": 1}, False), ([], False)])
def test_cached_records_of_another_shape_are_refused(record, valid):
    assert valid_record("artists", record) is valid


@pytest.mark.parametrize("url, allowed", [
    ("https://i.scdn.co/image/ab67", True), ("https://scdn.co/x", True), ("https://mosaic.SCDN.co./x", True),
    ("https://image-cdn-ak.spotifycdn.com/image/x", True), ("http://i.scdn.co/x", True),
    ("https://evilscdn.co/x", False), ("https://scdn.co.evil.example/x", False),
    ("https://scdn.co@evil.example/x", False),
    ("ftp://i.scdn.co/x", False), ("file:///etc/passwd", False), ("https://169.254.169.254/latest", False),
    ("https://[::1/x", False), ("not a url", False)])
def test_pictures_come_only_from_the_allowed_hosts(url, allowed):
    assert host_allowed(url, HOSTS) is allowed


def test_the_picture_url_is_chosen_among_allowed_hosts_only():
    images = [["https://evil.example/640", 640], ["https://i.scdn.co/300", 300], ["https://i.scdn.co/64", 64]]
    assert image_url_of(images, 200, HOSTS) == "https://i.scdn.co/300"
    assert image_url_of(images, 400, HOSTS) == "https://i.scdn.co/300"  # the largest allowed one
    assert image_url_of([["https://evil.example/640", 640]], 200, HOSTS) is None


def encoded(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.mark.parametrize("content_type, image_format", [
    ("image/jpeg", "JPEG"), ("image/png", "PNG"), ("IMAGE/PNG; charset=binary", "PNG"), ("image/webp", "WEBP")])
def test_pictures_labelled_as_what_they_are_are_squared(content_type, image_format):
    picture = square_picture(encoded(Image.new("RGB", (60, 45), (200, 30, 40)), image_format), content_type, 10**6, 32)
    assert picture.size == (32, 32) and picture.mode == "RGB"


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/octet-stream", None, "image/gif",
                                          "image/jpeg"])
def test_a_picture_with_another_label_is_refused(content_type):
    png = encoded(Image.new("RGB", (60, 45), (200, 30, 40)), "PNG")  # a real PNG: only its label is wrong
    with pytest.raises(NotAPicture):
        square_picture(png, content_type, 10**6, 32)


def test_the_pixel_cap_is_checked_from_the_header_before_decoding():
    header_only = solid_png(8000, (10, 200, 30))[:64]  # signature and IHDR: nothing that could be decoded
    with pytest.raises(NotAPicture, match="8000x8000 pixels"):
        square_picture(header_only, "image/png", 4194304, 32)
    with pytest.raises(NotAPicture, match="not a readable PNG"):
        square_picture(header_only, "image/png", 8000 * 8000, 32)  # under the cap it is decoded, and fails


def gzipped(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def pieces(data: bytes, size: int = 1000) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


def test_answers_within_the_cap_are_read_and_inflated():
    body = b'{"artists": []}' * 100
    assert read_within(pieces(body), None, len(body), LATER) == body
    assert read_within(pieces(gzipped(body)), "gzip", len(body), LATER) == body
    assert read_within(pieces(zlib.compress(body)), "deflate", len(body), LATER) == body


def test_a_gzip_bomb_stops_at_the_cap_having_inflated_little():
    received = 0

    def counted(chunks):
        nonlocal received
        for chunk in chunks:
            received += len(chunk)
            yield chunk
    bomb = counted(gzip_bomb(b"[", b"]", 600 * 2**20))
    with pytest.raises(AnswerTooLarge, match="once inflated"):
        read_within(bomb, "gzip", 4 * 2**20, LATER)
    assert received < 8 * 1024  # of about 620 KB on the wire: reading stopped a few pieces past the 4 MiB


def test_sent_bytes_past_the_cap_unknown_encodings_and_cut_answers_are_refused():
    with pytest.raises(AnswerTooLarge, match="sent"):
        read_within(pieces(bytes(5000)), None, 4096, LATER)
    with pytest.raises(UnsupportedEncoding):
        read_within([b"x"], "br", 4096, LATER)
    with pytest.raises(AnswerCutShort):
        read_within([gzipped(b"[1, 2, 3]")[:-12]], "gzip", 4096, LATER)


def test_a_trickle_cannot_outlast_the_deadline():
    def trickle():
        while True:
            yield b" "
    with pytest.raises(DeadlinePassed):
        read_within(trickle(), None, 2**30, time.monotonic() + 0.2)
