"""The generated OpenAPI document matches the routes and the models; /docs is served from installed assets."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from backend.services.charts.choices import ATTRIBUTE_ALIASES, ATTRIBUTES, METRIC_ALIASES, METRICS
from backend.services.sessions.store import SESSION_ID

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
    assert not (Path(__file__).parents[2] / "backend" / "api" / "openapi.json").exists()


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
    assert props["period"]["anyOf"][0]["enum"][:3] == ["d", "w", "m"]
    assert {"type": "boolean"} in props["count_short_plays"]["anyOf"]
    assert props["figsize"]["anyOf"][0]["minItems"] == props["figsize"]["anyOf"][0]["maxItems"] == 2
    assert all({"type": "null"} in props[name]["anyOf"] for name in props if name != "session_id")
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


def test_documented_examples_list_every_name_and_alias(client):
    props = request_schema(client.get("/openapi.json").get_json(), "/generate_image")["properties"]
    attributes = set(props["selected_attribute"]["anyOf"][0]["enum"])
    metrics = set(props["analysis_metric"]["anyOf"][0]["enum"])
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
