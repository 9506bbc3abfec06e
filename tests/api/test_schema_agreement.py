"""/openapi.json accepts exactly what the service accepts: every documented spelling (names and aliases in
several letter cases, padded), null and the empty string where they mean the default, numbers written
as strings, days, zones, on either side of each range, go through the request body's schema and
through the service, and both must say the same. Hypothesis then tries arbitrary text in the same
fields, and text drawn from the fields' own patterns.

The service "accepts" a body when it gets past validation: the session is unknown, so an accepted body
is a 404 (or a 422 for a picture size out of range), a refused one a 400 naming the field.
"""
from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from backend.routes.models import PERIOD_SPELLINGS
from backend.services.charts import ATTRIBUTE_ALIASES, ATTRIBUTES, METRIC_ALIASES, METRICS
from harness.service import offline_app
from src.visuals.formats import FORMATS
from src.visuals.themes import THEMES

UNKNOWN_SESSION = "00000000-0000-4000-8000-000000000000"
ROUTES = {"ChartBody": "/generate_image", "RaceBody": "/generate_animation", "WrappedBody": "/generate_wrapped"}
ACCEPTED, REFUSED = {404, 422}, {400}
SPELLINGS = {
    "selected_attribute": [*ATTRIBUTES, *ATTRIBUTE_ALIASES],
    "analysis_metric": [*METRICS, *METRIC_ALIASES, "Listening time"],
    "period": ["d", "w", "m", *PERIOD_SPELLINGS, "W"],
    "format": [*FORMATS, "Story"],
    "theme": [*THEMES, "PULSE"],
}
# (field, value, whether the service takes it): the edges of every kind of field.
EDGES = [
    ("top_n", 1, True), ("top_n", 50, True), ("top_n", 51, False), ("top_n", "010", True), ("top_n", " 50 ", True),
    ("top_n", "51", False), ("top_n", "0", False), ("top_n", "1" * 21, False), ("top_n", 10.0, True),
    ("days", "3660", True), ("days", "3661", False), ("days", "0001", True),
    ("window_days", "365", True), ("interp_steps", "121", False), ("speed_for_bar_animation", "60", True),
    ("start_date", "2024-02-29", True), ("start_date", "2023-02-29", False), ("start_date", "2023-04-31", False),
    ("start_date", "1999-12-31", False), ("start_date", "2023-01-31T23:59:59.5+05:30", True),
    ("start_date", "2023-01-31T24:00", False), ("start_date", "", True), ("start_date", "  ", False),
    ("timezone", "Europe/Berlin", True), ("timezone", "UTC", True), ("timezone", "Z", True), ("timezone", "", True),
    ("timezone", "Europe/Nowhere", False), ("timezone", "europe/berlin", False),
    ("count_short_plays", True, True), ("count_short_plays", "true", False),
    ("dpi", "10", True), ("dpi", "1000.0", True), ("dpi", "1000.5", False), ("dpi", "9.99", False), ("dpi", "", True),
    ("figsize", ["0.5", 100], True), ("figsize", ["0.49", 1], False), ("figsize", [10.8, "100.00"], True),
    ("figsize", "", True), ("period", "fortnight", False), ("format", "portrait", False), ("theme", "", False),
    ("period", "w\u212a", False),       # the Kelvin sign lower-cases to k: not an ASCII spelling
    ("filters", {}, True), ("filters", {"exclude_artists": ["Cocomelon"]}, True), ("filters", [], False),
    ("filters", {"exclude_artists": [""]}, False), ("filters", {"exclude_artists": [" \t"]}, False),
    ("filters", {"exclude_artists": ["x" * 300]}, True), ("filters", {"exclude_artists": ["x" * 301]}, False),
    ("filters", {"exclude_artists": "Cocomelon"}, False), ("filters", {"exclude_artist": []}, False),
    ("filters", {"exclude_artists": None, "merge_versions": None}, True),
    ("filters", {"exclude_tracks": [{"track": "Rain Sounds", "artist": "Sleep Sounds"}]}, True),
    ("filters", {"exclude_tracks": [{"track": "Rain Sounds"}]}, False),
    ("filters", {"exclude_albums": [{"album": "A", "artist": "B", "year": 2020}]}, False),
    ("filters", {"include_incognito": "false"}, False), ("filters", {"merge_versions": True}, True),
    ("filters", {"exclude_periods": [{"start": "2023-09-10T01:00Z", "end": "2023-09-10T09:00:00.5+02:00"}]}, True),
    ("filters", {"exclude_periods": [{"start": "2023-09-10T01:00:00", "end": "2023-09-10T09:00:00Z"}]}, False),
    ("filters", {"exclude_periods": [{"start": "2023-09-10 01:00:00Z", "end": "2023-09-10T09:00:00Z"}]}, False),
    ("filters", {"exclude_periods": [{"start": "2023-09-10T01:00:00Z"}]}, False),
    ("filters", {"exclude_periods": [{"start": "2023-02-29T01:00Z", "end": "2023-03-01T00:00Z"}]}, False),
    ("filters", {"exclude_periods": [{"start": "2024-02-29T24:00Z", "end": "2024-03-01T00:00Z"}]}, False),
    ("filters", {"exclude_periods": [{"start": "2000-01-01T00:30+01:00", "end": "2099-12-31T23:59-05:00"}]}, True),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    app = offline_app(tmp_path_factory.mktemp("agreement"))
    document = app.test_client().get("/openapi.json").get_json()
    validators = {model: Draft202012Validator({**document["components"]["schemas"][model],
                                               "components": document["components"]}) for model in ROUTES}
    return app.test_client(), validators, document


def judged(service, model: str, field: str, value: object) -> tuple[bool, bool]:
    """(the schema takes the body, the service takes it) for a body holding `value` in `field`."""
    client, validators, _ = service
    body = {"session_id": UNKNOWN_SESSION, field: value}
    if field == "dpi":
        body["figsize"] = [4, 4]
    status = client.post(ROUTES[model], json=body).status_code
    assert status in ACCEPTED | REFUSED, (field, value, status)
    return validators[model].is_valid(body), status in ACCEPTED


def spelled(name: str) -> list[str]:
    return [name, name.lower(), name.upper(), name.title(), f" {name}\t"]


@pytest.mark.parametrize("field, value", [(field, value) for field, names in SPELLINGS.items()
                                          for name in names for value in spelled(name)])
def test_every_documented_spelling_is_taken_by_schema_and_service(service, field, value):
    model = "WrappedBody" if field in ("format", "theme") else "RaceBody"
    assert judged(service, model, field, value) == (True, True)


@pytest.mark.parametrize("model", sorted(ROUTES))
def test_null_means_the_default_for_every_optional_field_in_schema_and_service(service, model):
    _, _, document = service
    for field in document["components"]["schemas"][model]["properties"]:
        if field != "session_id":
            assert judged(service, model, field, None) == (True, True), field
    assert judged(service, model, "session_id", None) == (False, False)


@pytest.mark.parametrize("field, value, taken", EDGES)
def test_schema_and_service_agree_at_the_edges(service, field, value, taken):
    model = "WrappedBody" if field in ("format", "theme") else "RaceBody"
    assert judged(service, model, field, value) == (taken, taken)


def field_patterns(document: dict, model: str, field: str) -> list[str]:
    options = document["components"]["schemas"][model]["properties"][field].get("anyOf", [])
    return [option["pattern"] for option in options if "pattern" in option]


@functools.cache  # built once per field: Hypothesis works out a strategy's shape when it is first drawn from
def texts_near(patterns: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Any short text, and texts that match a pattern, or miss it by a letter case or one more digit."""
    near_misses = [st.from_regex(pattern, fullmatch=True) for pattern in patterns]
    return st.one_of(st.text(max_size=12), *near_misses, *[miss.map(lambda text: text.swapcase())
                                                           for miss in near_misses],
                     *[miss.map(lambda text: text + "0") for miss in near_misses])


TEXT_FIELDS = ["top_n", "days", "dpi", "start_date", "period", "analysis_metric", "selected_attribute", "timezone"]


@settings(derandomize=True, deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(TEXT_FIELDS), data=st.data())
def test_schema_and_service_agree_on_any_text(service, field, data):
    _, _, document = service
    value = data.draw(texts_near(tuple(field_patterns(document, "RaceBody", field))))
    schema_takes, service_takes = judged(service, "RaceBody", field, value)
    assert schema_takes == service_takes, (field, value)


@pytest.mark.parametrize("value, taken", [(value, taken) for field, value, taken in EDGES if field == "filters"])
def test_the_filters_route_and_its_schema_agree(service, value, taken):
    client, _, document = service
    schema = Draft202012Validator({**document["components"]["schemas"]["FiltersBody"],
                                   "components": document["components"]})
    status = client.put(f"/sessions/{UNKNOWN_SESSION}/filters", json=value).status_code
    assert status in ACCEPTED | REFUSED
    assert (schema.is_valid(value), status in ACCEPTED) == (taken, taken)
