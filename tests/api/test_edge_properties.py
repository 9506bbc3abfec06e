"""Whatever a stranger sends, the edge answers within its contract: never a 5xx, every refusal the
one error shape naming what is wrong, no server path in any answer.

Bodies come from the request models' own schemas (in /openapi.json) and, field by field, from raw JSON
values: any unicode string, numbers past 64 bits and 4300 digits, NaN and Infinity, nesting past the
limit, wrong types. Runs are derandomized, so CI sees the same examples every time.
"""
from __future__ import annotations

import functools
import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from backend.app import create_app
from backend.routes.json_budget import MAX_NESTING
from backend.routes.models import NOT_AN_OBJECT, ChartBody, RaceBody
from harness import exportgen as eg
from harness.schema_strategies import from_schema, json_values, object_text, raw_json_text
from harness.service import post_upload, upload_ok

pytestmark = pytest.mark.slow

UNKNOWN_SESSION = "00000000-0000-4000-8000-000000000000"
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = settings(derandomize=True, deadline=None, max_examples=60,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])
# What a refused body may say when no single field is to blame.
BODY_LEVEL = (NOT_AN_OBJECT, f"The JSON body is nested more than {MAX_NESTING} levels deep")
TINY = {"figsize": [3.2, 3.2], "dpi": 100}
RULES = ("end_date ", "figsize must be [width, height] in inches when dpi is sent",
         "exclude_periods[")   # a filter's period that ends before it starts


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    """An app whose renders are capped small (a picture side of 400 px, 40 frames) and one session."""
    upload_dir = tmp_path_factory.mktemp("edge")
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(upload_dir), "MAX_FRAMES": 40, "MAX_SIDE_PX": 400,
                      "SUPABASE_URL": "", "SPOTIFY_CLIENT_ID": ""})
    rows = eg.extended_rows(eg.make_catalog(), 400, start="2022-01-01", end="2022-03-31")
    session = upload_ok(app.test_client(), eg.extended_zip(rows))["session_id"]
    document = app.test_client().get("/openapi.json").get_json()
    return app, session, document, upload_dir


def server_paths(upload_dir: Path) -> list[str]:
    return [str(upload_dir), tempfile.gettempdir() + "/", str(REPO), sys.prefix, "site-packages", "Traceback"]


def assert_within_contract(response, upload_dir: Path) -> dict:
    """No 5xx; JSON; a refusal is exactly {"error": <words>}; nothing that names the server's files."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    event(f"status {response.status_code}")
    text = response.get_data(as_text=True)
    for path in server_paths(upload_dir):
        assert path not in text, (path, text[:300])
    body = response.get_json()
    assert isinstance(body, dict)
    if response.status_code >= 400:
        assert list(body) == ["error"] and isinstance(body["error"], str) and body["error"].strip()
    return body


def assert_documented(document: dict, path: str, method: str, response) -> None:
    """The status is one the document lists for the operation, and the body matches its schema there."""
    answers = document["paths"][path][method]["responses"]
    assert str(response.status_code) in answers, (path, method, response.status_code)
    content = answers[str(response.status_code)].get("content", {})
    if response.mimetype == "application/json":
        schema = content["application/json"]["schema"]
        Draft202012Validator({**schema, "components": document["components"]}).validate(response.get_json())


def assert_names_the_field(error: str, field: str) -> None:
    assert error.startswith((f"{field} ", *RULES, *BODY_LEVEL)), (field, error)


@functools.cache
def _body_strategy(document_text: str, name: str) -> st.SearchStrategy:
    document = json.loads(document_text)
    return from_schema(document["components"]["schemas"][name], document["components"])


def body_strategy(document: dict, name: str) -> st.SearchStrategy:
    """The bodies the document's schema `name` allows, built once: Hypothesis works out a strategy's shape
    when it is first drawn from, which cost more than the requests when it was built anew for each example."""
    return _body_strategy(json.dumps(document, sort_keys=True), name)


def post_text(app, route: str, text: str):
    return app.test_client().post(route, data=text.encode("utf-8", "surrogatepass"), content_type="application/json")


@EXAMPLES
@given(data=st.data())
def test_chart_bodies_from_the_schema(edge, data):
    app, session, document, upload_dir = edge
    body = data.draw(body_strategy(document, "ChartBody"))
    body["session_id"] = data.draw(st.sampled_from([session, body["session_id"]]))
    if "figsize" not in body and "dpi" not in body:
        body.update(TINY)     # the default 1080 x 1350 would be drawn; keep the drawn ones small
    response = app.test_client().post("/generate_image", json=body)
    answer = assert_within_contract(response, upload_dir)
    assert_documented(document, "/generate_image", "post", response)
    assert response.status_code in (200, 400, 404, 422)
    if response.status_code == 400:   # the schema's bodies pass every field; only a rule between fields is left
        assert answer["error"].startswith(RULES), answer["error"]
    if response.status_code == 200:
        assert len(answer["items"]) <= int(str(body.get("top_n") or 10).strip())


@EXAMPLES
@given(data=st.data())
def test_race_bodies_from_the_schema(edge, data):
    """Validated to the end but never drawn: the session is unknown, so an accepted body is a 404."""
    app, _, document, upload_dir = edge
    body = data.draw(body_strategy(document, "RaceBody"))
    route = data.draw(st.sampled_from(["/generate_animation", "/jobs/animation"]))
    response = app.test_client().post(route, json={**body, "session_id": UNKNOWN_SESSION})
    answer = assert_within_contract(response, upload_dir)
    assert_documented(document, route, "post", response)
    assert response.status_code in (400, 404, 422)
    if response.status_code == 400:
        assert answer["error"].startswith(RULES), answer["error"]


@EXAMPLES
@given(field=st.sampled_from(sorted(ChartBody.model_fields)), value=raw_json_text())
def test_any_json_value_in_any_chart_field(edge, field, value):
    app, session, _, upload_dir = edge
    base = {"session_id": json.dumps(session), "top_n": "3",
            **{name: json.dumps(value) for name, value in TINY.items()}}
    response = post_text(app, "/generate_image", object_text({**base, field: value}))
    answer = assert_within_contract(response, upload_dir)
    if response.status_code == 400:
        assert_names_the_field(answer["error"], field)


@EXAMPLES
@given(field=st.sampled_from(sorted(RaceBody.model_fields)), value=raw_json_text(),
       route=st.sampled_from(["/generate_animation", "/jobs/animation"]))
def test_any_json_value_in_any_race_field(edge, field, value, route):
    app, _, _, upload_dir = edge
    response = post_text(app, route, object_text({"session_id": json.dumps(UNKNOWN_SESSION), field: value}))
    answer = assert_within_contract(response, upload_dir)
    assert response.status_code in (400, 404, 422)
    if response.status_code == 400:
        assert_names_the_field(answer["error"], field)


@EXAMPLES
@given(body=raw_json_text() | st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
       route=st.sampled_from(["/generate_image", "/generate_animation", "/jobs/animation"]))
def test_any_body_that_is_not_an_object(edge, body, route):
    app, _, _, upload_dir = edge
    response = post_text(app, route, body)
    answer = assert_within_contract(response, upload_dir)
    assert response.status_code == 400
    # an object among these has keys of at most 8 characters, so never a session_id
    assert answer["error"].startswith((*BODY_LEVEL, "session_id is required")), answer["error"]


@EXAMPLES
@given(extra=st.dictionaries(st.text(max_size=20), json_values, max_size=4))
def test_unknown_fields_are_ignored(edge, extra):
    app, _, _, upload_dir = edge
    extra.pop("session_id", None)
    body = {name: value for name, value in extra.items() if name not in RaceBody.model_fields}
    response = app.test_client().post("/generate_animation", json={**body, "session_id": UNKNOWN_SESSION})
    assert_within_contract(response, upload_dir)
    assert response.status_code == 404


@EXAMPLES
@given(identifier=st.text(max_size=60), route=st.sampled_from(["/sessions/{}", "/jobs/{}", "/jobs/{}/video"]),
       method=st.sampled_from(["get", "delete"]))
def test_any_id_in_a_path(edge, identifier, route, method):
    app, _, _, upload_dir = edge
    if route.endswith("/video") and method == "delete":
        method = "get"
    with getattr(app.test_client(), method)(route.format(quote(identifier, safe=""))) as response:
        assert_within_contract(response, upload_dir)
        if response.status_code != 405:
            template = route.replace("{}", "{job_id}" if route.startswith("/jobs") else "{session_id}")
            assert_documented(edge[2], template, method, response)
        assert response.status_code in (400, 404, 405)


@settings(derandomize=True, deadline=None, max_examples=40,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(max_size=2000), name=st.text(max_size=30))
def test_any_upload(edge, payload, name):
    app, _, _, upload_dir = edge
    response = post_upload(app.test_client(), payload, name or "x")
    assert_within_contract(response, upload_dir)
    assert response.status_code in (400, 413, 422)
