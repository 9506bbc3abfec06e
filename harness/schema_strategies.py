"""Hypothesis strategies from the JSON schemas of /openapi.json, and raw JSON for any field.

`from_schema` covers the keywords the generated document uses ($ref into components, anyOf, enum,
type, pattern, maxLength, minimum/maximum, items, minItems/maxItems, properties/required). `raw_json_text`
writes JSON text directly, so it can hold what a Python value cannot be encoded from: numbers of
thousands of digits, NaN and Infinity literals, nesting past the service's limit.
"""
from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

MAX_TEXT = 40


def from_schema(schema: dict[str, Any], components: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid under `schema` (as far as JSON Schema can say; formats are not enforced)."""
    if "$ref" in schema:
        return from_schema(components["schemas"][schema["$ref"].rsplit("/", 1)[-1]], components)
    if "anyOf" in schema:
        return st.one_of([from_schema(option, components) for option in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        longest = schema.get("maxLength", MAX_TEXT)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda text: len(text) <= longest)
        return st.text(max_size=min(longest, MAX_TEXT))
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), components), min_size=schema.get("minItems", 0),
                        max_size=schema.get("maxItems", 3))
    if kind == "object":
        properties = {name: from_schema(sub, components) for name, sub in schema.get("properties", {}).items()}
        required = set(schema.get("required", []))
        return st.fixed_dictionaries({name: s for name, s in properties.items() if name in required},
                                     optional={name: s for name, s in properties.items() if name not in required})
    return json_values


json_scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=MAX_TEXT)
                | st.integers(min_value=-(10**30), max_value=10**30))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def _nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


# JSON text a Python value cannot always be encoded from, or that the service's parser must bound.
raw_literals = st.one_of(
    st.from_regex(r"-?[1-9][0-9]{18,5000}", fullmatch=True),          # integers past 64 bits, past 4300 digits
    st.from_regex(r"-?[0-9]{1,3}(\.[0-9]{1,400})?[eE][+-]?[0-9]{1,5}", fullmatch=True),  # 1e999 and friends
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e308", "-0", "0.0", "1.0", "2.5", "true", "false", "null"]),
    st.integers(1, 40).map(_nested),                                 # nesting on either side of the limit
)


def raw_json_text() -> st.SearchStrategy[str]:
    """Any value as JSON text: encoded Python values (any unicode string, wrong types) or raw literals."""
    return json_values.map(json.dumps) | raw_literals


def object_text(fields: dict[str, str]) -> str:
    """A JSON object from already-encoded values."""
    return "{" + ", ".join(f"{json.dumps(name)}: {text}" for name, text in fields.items()) + "}"
