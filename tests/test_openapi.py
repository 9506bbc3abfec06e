"""The OpenAPI document matches the routes, and generated bodies never get a 5xx."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.app import create_app
from backend.services.queries import ATTRIBUTE_ALIASES, ATTRIBUTES, METRIC_ALIASES, METRICS
from tests import exportgen as eg
from tests.conftest import post_upload, upload_ok


def test_document_lists_every_route_and_method(client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {(re.sub(r"\{(\w+)\}", r"<\1>", path), method.upper())
                  for path, item in document["paths"].items() for method in item if method != "parameters"}
    served = {(rule.rule, method) for rule in client.application.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"} if rule.endpoint != "static"}
    assert documented == served


def test_document_enums_match_what_the_service_accepts(client):
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]["ChartRequest"]["properties"]
    attributes = set(schemas["selected_attribute"]["enum"])
    metrics = set(schemas["analysis_metric"]["enum"])
    assert set(ATTRIBUTES) <= attributes and set(METRICS) <= metrics
    assert {a.lower() for a in attributes - set(ATTRIBUTES)} == set(ATTRIBUTE_ALIASES)
    assert {m.lower() for m in metrics - set(METRICS)} == set(METRIC_ALIASES) - {m.lower() for m in METRICS}


@pytest.fixture(scope="module")
def small_app(tmp_path_factory):
    """Renders capped small, so any generated race is quick."""
    app = create_app({"TESTING": True, "UPLOAD_DIR": str(tmp_path_factory.mktemp("sessions")),
                      "MAX_FRAMES": 40, "MAX_SIDE_PX": 400})
    rows = eg.extended_rows(eg.make_catalog(), 400, start="2022-01-01", end="2022-03-31")
    session = upload_ok(app.test_client(), eg.extended_zip(rows))["session_id"]
    return app, session


anything = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                  max_size=3), max_leaves=6)
FIELD_VALUES = {
    "selected_attribute": st.sampled_from(list(ATTRIBUTES) + ["Artist", "Song", "Album", "genre"]) | anything,
    "analysis_metric": st.sampled_from(list(METRICS) + ["Time Listened", "skips"]) | anything,
    "top_n": st.integers(-5, 60) | anything,
    "start_date": st.dates().map(str) | anything,
    "end_date": st.dates().map(str) | anything,
    "figsize": st.lists(st.floats(0, 10), min_size=2, max_size=2) | anything,
    "dpi": st.integers(0, 200) | anything,
    "speed_for_bar_animation": st.integers(-1, 70) | anything,
    "days": st.integers(-1, 4000) | anything,
    "interp_steps": st.integers(-1, 130) | anything,
    "period": st.sampled_from(["d", "w", "m", "y"]) | anything,
}


def bodies(session: str):
    session_ids = st.sampled_from([session, "not-a-uuid", "00000000-0000-4000-8000-000000000000"]) | anything
    fields = st.fixed_dictionaries({}, optional={"session_id": session_ids, **FIELD_VALUES})
    return fields | anything


def assert_clean_answer(response) -> None:
    assert response.status_code < 500, response.get_json()
    body = response.get_json()
    assert isinstance(body, dict)
    if response.status_code >= 400:
        assert isinstance(body.get("error"), str) and body["error"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_chart_and_race_bodies_never_get_a_5xx(small_app, data):
    app, session = small_app
    route = data.draw(st.sampled_from(["/generate_image", "/generate_animation"]))
    body = data.draw(bodies(session))
    assert_clean_answer(app.test_client().post(route, json=body))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(max_size=2000), name=st.text(max_size=30))
def test_generated_uploads_never_get_a_5xx(small_app, payload, name):
    app, _ = small_app
    assert_clean_answer(post_upload(app.test_client(), payload, name or "x"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(session_id=st.text(max_size=60))
def test_generated_session_paths_never_get_a_5xx(small_app, session_id):
    app, _ = small_app
    client = app.test_client()
    for method in (client.get, client.delete):
        assert_clean_answer(method(f"/sessions/{quote(session_id, safe='')}"))
