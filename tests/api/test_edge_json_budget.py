"""The JSON budget: MAX_JSON_KB per body (413 before reading it all), 32 levels of nesting (400), and
numbers too long to convert refused by the field that holds them."""
from __future__ import annotations

import io
import json

import pytest

from backend.app import create_app
from backend.routes.json_budget import MAX_NESTING, nesting_exceeds
from harness import exportgen as eg
from harness.service import upload_ok

UNKNOWN_SESSION = "00000000-0000-4000-8000-000000000000"
JSON_ROUTES = ["/generate_image", "/generate_animation", "/jobs/animation"]


class CountingStream(io.RawIOBase):
    """An endless body that counts what the server reads of it."""

    def __init__(self):
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b" " * len(buffer)
        self.bytes_read += len(buffer)
        return len(buffer)


def test_default_budget_is_16_kb(app):
    assert app.extensions["settings"].max_json_kb == 16


@pytest.mark.parametrize("route", JSON_ROUTES)
def test_a_declared_length_over_the_budget_is_413_before_any_byte_is_read(client, route):
    body = CountingStream()
    response = client.post(route, data=b"", content_type="application/json",
                           environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": str(10**9)})
    assert response.status_code == 413
    assert response.get_json()["error"] == ("The JSON body is larger than the 16 KB limit (MAX_JSON_KB); send "
                                            "only the fields /docs lists.")
    assert body.bytes_read == 0


@pytest.mark.parametrize("route", JSON_ROUTES)
def test_a_body_without_length_is_read_to_the_budget_then_413(client, route):
    body = CountingStream()
    # what gunicorn does with a chunked body: no Content-Length, the server ends the stream
    response = client.post(route, data=b"", content_type="application/json", headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input": body, "wsgi.input_terminated": True})
    assert response.status_code == 413
    assert "MAX_JSON_KB" in response.get_json()["error"]
    assert body.bytes_read == 16 * 1024 + 1


@pytest.mark.parametrize("extra, status", [(0, 404), (1, 413)])
def test_a_body_of_exactly_the_budget_is_read_one_byte_more_is_413(client, extra, status):
    body = json.dumps({"session_id": UNKNOWN_SESSION, "note": ""})
    body = body[:-2] + "x" * (16 * 1024 - len(body) + extra) + body[-2:]
    assert len(body) == 16 * 1024 + extra
    response = client.post("/generate_image", data=body, content_type="application/json")
    assert response.status_code == status
    chunked = client.post("/generate_image", data=b"", content_type="application/json",
                          headers={"Transfer-Encoding": "chunked"},
                          environ_overrides={"wsgi.input": io.BytesIO(body.encode()), "wsgi.input_terminated": True})
    assert chunked.status_code == status


def test_budget_follows_the_setting(upload_dir):
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_JSON_KB": 1})
    response = app.test_client().post("/generate_image", json={"session_id": UNKNOWN_SESSION, "note": "x" * 1100})
    assert response.status_code == 413
    assert "1 KB limit" in response.get_json()["error"]


def test_uploads_keep_the_upload_limit(client):
    rows = eg.extended_rows(eg.make_catalog(), 400, start="2022-01-01", end="2022-03-31")
    export = eg.extended_zip(rows)
    assert len(export) > 2 * 16 * 1024
    assert upload_ok(client, export)["summary"]["rows_read"] == 400


def nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


@pytest.mark.parametrize("route", JSON_ROUTES)
def test_nesting_past_32_levels_is_400(client, route):
    body = f'{{"session_id": "{UNKNOWN_SESSION}", "extra": {nested(MAX_NESTING)}}}'
    response = client.post(route, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == ("The JSON body is nested more than 32 levels deep; send one flat "
                                            "object as /docs shows.")


def test_nesting_of_32_levels_is_parsed(client):
    body = f'{{"session_id": "{UNKNOWN_SESSION}", "extra": {nested(MAX_NESTING - 1)}}}'
    assert client.post("/generate_image", data=body, content_type="application/json").status_code == 404


def test_100000_levels_are_refused_without_recursion(upload_dir):
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_JSON_KB": 512})
    response = app.test_client().post("/generate_image", data=nested(100_000), content_type="application/json")
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.get_json()["error"]


@pytest.mark.parametrize("text, too_deep", [
    ('{"a": "' + "[" * 40 + '"}', False),                       # brackets in a string do not nest
    ('{"a": "\\"' + "[" * 40 + '"}', False),                    # an escaped quote does not end the string
    ('{"a": "\\\\", "b": ' + nested(40) + "}", True),           # an escaped backslash does not escape the quote
    ('["\\\\\\"' + "{" * 40 + '"]', False),
    (nested(33), True),
    (nested(32), False),
])
def test_nesting_is_counted_outside_strings(text, too_deep):
    assert nesting_exceeds(text, MAX_NESTING) is too_deep


@pytest.mark.parametrize("literal, field, message", [
    ("9" * 5000, "top_n", "top_n must be a whole number from 1 to 50."),
    ("-" + "9" * 21, "days", "days must be a whole number from 1 to 3660."),
    ("1e999", "dpi", "dpi must be a number from 10 to 1000 (dots per inch; needs figsize)."),
    ("NaN", "top_n", "top_n must be a whole number from 1 to 50."),
    ("Infinity", "interp_steps", "interp_steps must be a whole number from 1 to 120."),
    ("9" * 25, "session_id", "session_id must be the UUID that POST /process returned."),
])
def test_numbers_that_do_not_fit_are_refused_by_their_field(client, literal, field, message):
    body = f'{{"session_id": "{UNKNOWN_SESSION}", "figsize": [10, 10], "{field}": {literal}}}'
    if field == "session_id":
        body = f'{{"session_id": {literal}}}'
    response = client.post("/generate_animation", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"error": message}


def test_a_body_in_utf16_is_read_like_utf8(client):
    body = json.dumps({"session_id": UNKNOWN_SESSION}).encode("utf-16")
    assert client.post("/generate_image", data=body, content_type="application/json").status_code == 404
