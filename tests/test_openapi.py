"""The generated OpenAPI document matches the routes and the models; /docs is served from installed assets."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.app import create_app
from backend.services.queries import ATTRIBUTE_ALIASES, ATTRIBUTES, METRIC_ALIASES, METRICS
from backend.services.sessions import SESSION_ID
from tests import exportgen as eg
from tests.conftest import post_upload, upload_ok


DOCS_ENDPOINTS = {"docs.openapi_document", "docs.docs_page", "docs.static"}


def served_operations(app) -> set[tuple[str, str]]:
    return {(rule.rule, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"} if rule.endpoint not in DOCS_ENDPOINTS}


def test_document_is_generated_openapi_3_1_with_every_route_and_method(client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    documented = {(re.sub(r"\{(\w+)\}", r"<\1>", path), method.upper())
                  for path, item in document["paths"].items() for method in item if method != "parameters"}
    assert documented == served_operations(client.application)
    assert not (Path(__file__).parents[1] / "backend" / "api" / "openapi.json").exists()


def test_every_error_answer_has_the_one_error_shape(client):
    document = client.get("/openapi.json").get_json()
    assert document["components"]["schemas"]["ErrorBody"]["required"] == ["error"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400 and path != "/health":
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, method, status)


def request_schema(document: dict, path: str) -> dict:
    ref = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_request_schemas_carry_the_constraints_the_service_enforces(client):
    document = client.get("/openapi.json").get_json()
    chart = request_schema(document, "/generate_image")
    race = request_schema(document, "/generate_animation")
    assert request_schema(document, "/jobs/animation") == race
    assert chart["required"] == ["session_id"] and race["required"] == ["session_id"]
    props = race["properties"]
    assert props["session_id"]["pattern"] == SESSION_ID.pattern
    assert {"type": "integer", "minimum": 1, "maximum": 50} in props["top_n"]["anyOf"]
    assert {"type": "integer", "minimum": 1, "maximum": 60} in props["speed_for_bar_animation"]["anyOf"]
    assert {"type": "integer", "minimum": 1, "maximum": 3660} in props["days"]["anyOf"]
    assert {"type": "integer", "minimum": 1, "maximum": 120} in props["interp_steps"]["anyOf"]
    assert {"type": "number", "minimum": 10, "maximum": 1000} in props["dpi"]["anyOf"]
    assert props["period"]["enum"] == ["d", "w", "m"]
    assert props["count_short_plays"]["type"] == "boolean"
    assert props["figsize"]["anyOf"][0]["minItems"] == props["figsize"]["anyOf"][0]["maxItems"] == 2
    assert "from 2000-01-01 to 2099-12-31" in props["end_date"]["description"]
    assert props["top_n"]["default"] == 10 and props["days"]["default"] == 30


@pytest.mark.parametrize("field, text", [
    ("top_n", "10"), ("top_n", " 7 "), ("start_date", "2020-01-01"), ("start_date", "2020-01-01T00:00:00"),
    ("dpi", "100.5"), ("start_date", ""),
])
def test_string_spellings_the_service_accepts_match_the_documented_patterns(client, field, text):
    props = request_schema(client.get("/openapi.json").get_json(), "/generate_animation")["properties"]
    patterns = [option["pattern"] for option in props[field]["anyOf"] if "pattern" in option]
    assert any(re.search(pattern, text) for pattern in patterns)


@pytest.mark.parametrize("field, text", [
    ("top_n", "1e1"), ("top_n", "\u00b2"), ("top_n", "\u0663"), ("top_n", "1" * 21),
    ("start_date", "20200101"), ("start_date", "2020-01-01garbage"), ("dpi", "1e2"),
])
def test_spellings_the_service_refuses_are_outside_the_documented_patterns(client, field, text):
    props = request_schema(client.get("/openapi.json").get_json(), "/generate_animation")["properties"]
    patterns = [option["pattern"] for option in props[field]["anyOf"] if "pattern" in option]
    assert not any(re.search(pattern, text) for pattern in patterns)


def test_document_enums_match_what_the_service_accepts(client):
    props = request_schema(client.get("/openapi.json").get_json(), "/generate_image")["properties"]
    attributes = set(props["selected_attribute"]["enum"])
    metrics = set(props["analysis_metric"]["enum"])
    assert set(ATTRIBUTES) <= attributes and set(METRICS) <= metrics
    assert {a.lower() for a in attributes - set(ATTRIBUTES)} == set(ATTRIBUTE_ALIASES)
    assert {m.lower() for m in metrics - set(METRICS)} == set(METRIC_ALIASES) - {m.lower() for m in METRICS}


def test_docs_page_is_swagger_ui_from_installed_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "swagger/js/swagger-ui-bundle.js" in assets and "swagger/css/swagger-ui.css" in assets
    assert not re.search(r"(?:src|href|url)\s*[=:(]\s*[\"']?(?:https?:)?//", html)
    for asset in assets:
        with client.get(f"/{asset}") as served:
            assert served.status_code == 200 and len(served.data) > 100, asset
    # Swagger UI would ask validator.swagger.io about the document unless told not to
    assert '"validatorUrl": null' in html
    assert 'new URL("openapi.json"' in html


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
