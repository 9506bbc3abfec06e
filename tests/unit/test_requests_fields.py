"""The string spelling of every number field matches exactly the numbers of its range: each pattern, written
by hand beside its field (backend/routes/models.py), is read back from the models' JSON schema and checked
against the field's own minimum and maximum, number by number, so the schema and the service cannot drift."""
from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from backend.routes.models import BODY_MODELS

SESSION = "00000000-0000-4000-8000-000000000000"


def ranged_spellings(schema: Any) -> list[tuple[str, float, float, str]]:
    """(type, minimum, maximum, pattern of its string form) of every number-or-string choice in `schema`."""
    found = []
    if isinstance(schema, dict):
        options = schema.get("anyOf", [])
        numbers = [option for option in options if option.get("type") in ("integer", "number")]
        patterns = [option["pattern"] for option in options if "pattern" in option]
        found += [(number["type"], number["minimum"], number["maximum"], pattern)
                  for number in numbers for pattern in patterns]
        for value in schema.values():
            found += ranged_spellings(value)
    elif isinstance(schema, list):
        for item in schema:
            found += ranged_spellings(item)
    return found


FIELDS = sorted({(model, field, *spelling) for model, cls in BODY_MODELS.items()
                 for field, schema in cls.model_json_schema()["properties"].items()
                 for spelling in ranged_spellings(schema)})


def test_every_number_field_is_found():
    assert {field for _, field, *_ in FIELDS} == {"top_n", "speed_for_bar_animation", "days", "interp_steps",
                                                  "window_days", "year", "min_plays", "min_minutes", "dpi", "figsize"}


def spelled(text: str) -> list[str]:
    """A number as sent: plain, with leading zeros, padded with JSON whitespace."""
    return [text, "00" + text, f" {text}\t", f"\n{text}\r\n"]


@pytest.mark.parametrize("model, field, kind, low, high, pattern", FIELDS)
def test_the_pattern_takes_exactly_the_whole_numbers_of_the_range(model, field, kind, low, high, pattern):
    matches = re.compile(pattern).search
    for number in range(0, int(high) * 2 + 2):
        for text in spelled(str(number)):
            assert bool(matches(text)) == (low <= number <= high), (field, text)
        assert not matches(f"-{number}") and not matches(f"{number}e0") and not matches(f"{number}_0")


def decimals(low: float, high: float) -> list[str]:
    """Tenths across twice the range, hundredths around its low end, and the top with fractions."""
    tenths = [f"{tenth // 10}.{tenth % 10}" for tenth in range(0, int(high) * 20 + 2)]
    hundredths = [f"{cents // 100}.{cents % 100:02d}" for cents in range(0, int(low * 100) + 200)]
    return tenths + hundredths + [f"{int(high)}.{fraction}" for fraction in ("0", "000", "01", "5", "0001")]


@pytest.mark.parametrize("model, field, kind, low, high, pattern",
                         [field for field in FIELDS if field[2] == "number"])
def test_the_pattern_takes_exactly_the_decimals_of_the_range(model, field, kind, low, high, pattern):
    matches = re.compile(pattern).search
    for text in decimals(low, high):
        for sent in spelled(text):
            assert bool(matches(sent)) == (low <= float(text) <= high), (field, sent)
        assert not matches(text.split(".")[0] + ".") and not matches("." + text.split(".")[1])
    assert not matches("1e2") and not matches("50.5e0")


def body(model: str, field: str, value: Any) -> dict[str, Any]:
    extra = {"figsize": [4, 4]} if field == "dpi" else {}
    return {"session_id": SESSION, **extra, field: [value, 4] if field == "figsize" else value}


@pytest.mark.parametrize("model, field, kind, low, high, pattern", FIELDS)
def test_the_model_takes_the_ends_of_the_range_in_either_form_and_nothing_past_them(model, field, kind, low, high,
                                                                                     pattern):
    step = 1 if kind == "integer" else 0.01
    for value, taken in ((low, True), (high, True), (low - step, False), (high + step, False)):
        text = f"{value:.2f}" if kind == "number" else str(int(value))
        for sent in (value, text):
            try:
                BODY_MODELS[model].model_validate(body(model, field, sent))
                assert taken, (field, sent)
            except ValidationError as error:
                assert not taken and error.errors()[0]["loc"][0] == field, (field, sent, error)
