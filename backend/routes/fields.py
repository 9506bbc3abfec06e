"""Field types of the request models. Each declares, once, what it accepts, its JSON schema and its hint.

The hint is the field's description in /openapi.json and, after "<field> must be", the error a caller
reads. Validators raise without a message of their own; routes/models.py words the error from the hint.

What a front end sends today keeps working: whole numbers as strings ("10"), ISO datetimes for dates
("2023-01-01T00:00:00"), any letter case for the attribute and metric names. What only looked like a
number or a date to a lenient parser does not: "²", "٣", "1e1", 5,000 digits, "20200101",
"2020-01-01garbage".
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from backend.routes.patterns import (
    DAY_PATTERN,
    JSON_SPACE,
    MAX_DIGITS,
    decimal_pattern,
    spellings_pattern,
    whole_number_pattern,
)
from src.exports.domain import FIRST_DAY, LAST_DAY

JSON_WHITESPACE = " \t\r\n"
INTEGER_PATTERN = f"^{JSON_SPACE}-?[0-9]{{1,{MAX_DIGITS}}}{JSON_SPACE}$"
DECIMAL_PATTERN = f"^{JSON_SPACE}-?[0-9]{{1,{MAX_DIGITS}}}(\\.[0-9]{{1,{MAX_DIGITS}}})?{JSON_SPACE}$"
LONGEST_TEXT = 64              # no accepted spelling of any field is longer
INTEGER_TEXT, DECIMAL_TEXT, DAY_TEXT = (re.compile(p) for p in (INTEGER_PATTERN, DECIMAL_PATTERN, DAY_PATTERN))
# The one empty string a field takes: "use the default", as null does.
EMPTY = {"type": "string", "maxLength": 0}


def refused() -> PydanticCustomError:
    """The one error a field raises; its message comes from the field's hint."""
    return PydanticCustomError("field_value", "the value is not accepted")


def _text(value: Any, pattern: re.Pattern[str]) -> str | None:
    if isinstance(value, str) and len(value) <= LONGEST_TEXT and pattern.fullmatch(value):
        return value.strip(JSON_WHITESPACE)
    return None


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    text = _text(value, INTEGER_TEXT)
    return int(text) if text is not None else None


def _decimal(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) < 2**53 else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    text = _text(value, DECIMAL_TEXT)
    return float(text) if text is not None else None


def _number_in(value: Any, low: float, high: float) -> float:
    number = _decimal(value)
    if number is None or not low <= number <= high:
        raise refused()
    return number


def whole_number(low: int, high: int, hint: str = "") -> Any:
    """An integer from low to high; also as a string of ASCII digits ("10"), or a float with no fraction."""
    hint = hint or f"a whole number from {low} to {high}"

    def parse(value: Any) -> int:
        number = _whole(value)
        if number is None or not low <= number <= high:
            raise refused()
        return number
    schema = {"anyOf": [{"type": "integer", "minimum": low, "maximum": high},
                        {"type": "string", "maxLength": LONGEST_TEXT, "pattern": whole_number_pattern(low, high)}]}
    return Annotated[int, BeforeValidator(parse), WithJsonSchema(schema), Field(description=hint)]


def decimal(low: float, high: float, hint: str = "") -> Any:
    """A finite number from low to high; also as a plain decimal string ("10.8"), never an exponent."""
    hint = hint or f"a number from {low:g} to {high:g}"

    def parse(value: Any) -> float | None:
        return None if value == "" else _number_in(value, low, high)
    schema = {"anyOf": [{"type": "number", "minimum": low, "maximum": high},
                        {"type": "string", "maxLength": LONGEST_TEXT, "pattern": decimal_pattern(low, high)}, EMPTY]}
    return Annotated[float | None, BeforeValidator(parse), WithJsonSchema(schema), Field(description=hint)]


def figure_size(low: float, high: float) -> Any:
    """[width, height] in inches, each a number from low to high."""
    def parse(value: Any) -> tuple[float, float] | None:
        if value == "":
            return None
        if not isinstance(value, list) or len(value) != 2 or None in value or "" in value:
            raise refused()
        return _number_in(value[0], low, high), _number_in(value[1], low, high)
    item = {"anyOf": [{"type": "number", "minimum": low, "maximum": high},
                      {"type": "string", "maxLength": LONGEST_TEXT, "pattern": decimal_pattern(low, high)}]}
    schema = {"anyOf": [{"type": "array", "items": item, "minItems": 2, "maxItems": 2}, EMPTY]}
    hint = f"[width, height] in inches, each from {low:g} to {high:g}, e.g. [10.8, 13.5] with dpi 100"
    return Annotated[tuple[float, float] | None, BeforeValidator(parse), WithJsonSchema(schema),
                     Field(description=hint)]


def _day(value: Any) -> date | None:
    if value == "":
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _text(value, DAY_TEXT)
        try:
            day = datetime.fromisoformat(text).date() if text else None
        except ValueError:
            day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise refused()
    return day


Day = Annotated[date | None, BeforeValidator(_day),
                WithJsonSchema({"type": "string", "maxLength": LONGEST_TEXT, "pattern": DAY_PATTERN,
                                "example": "2023-01-31"}),
                Field(description=f"a date like 2023-01-31 from {FIRST_DAY} to {LAST_DAY}, a time after it "
                                  "ignored (or left out for the whole history)")]


def choice(names: list[str], spellings: dict[str, str], documented: list[str], hint: str = "") -> Any:
    """One of `names`, or one of `spellings` (lower-case alias -> name), in any ASCII letter case."""
    hint = hint or f"one of: {', '.join(documented)} (any letter case)"
    by_lower = {**{name.lower(): name for name in names}, **spellings}

    def parse(value: Any) -> str:
        if isinstance(value, str) and len(value) <= LONGEST_TEXT and value.isascii():
            name = value.strip(JSON_WHITESPACE)
            if name in names or name.lower() in by_lower:
                return by_lower.get(name.lower(), name)
        raise refused()
    # The documented spellings as an enum (what /docs offers), and every letter case and padding of them
    schema = {"anyOf": [{"type": "string", "enum": documented},
                        {"type": "string", "maxLength": LONGEST_TEXT, "pattern": spellings_pattern(list(by_lower))}]}
    return Annotated[str, BeforeValidator(parse), WithJsonSchema(schema), Field(description=hint)]


UTC_SPELLINGS = ("", "UTC", "utc", "Z")
# The zone names are one component of /openapi.json, listed once, not in every model that takes a zone:
# routes/api.py puts a $ref to it where this format stands (pydantic cannot refer to a schema it did not make).
TIME_ZONE_SCHEMA = "TimeZoneName"
TIME_ZONE_FORMAT = "iana-time-zone"


def time_zone_schema(names: frozenset[str] | set[str]) -> dict[str, Any]:
    return {"type": "string", "enum": sorted({*names, *UTC_SPELLINGS})}


def time_zone(names: Callable[[], frozenset[str] | set[str]]) -> Any:
    """An IANA zone name among `names()`, as written; UTC in any of its usual spellings, or nothing, means UTC
    (None)."""
    def parse(value: Any) -> str | None:
        if value in UTC_SPELLINGS:
            return None
        if isinstance(value, str) and value in names():
            return value
        raise refused()
    hint = "an IANA time zone name like Europe/Berlin or America/New_York (or left out for UTC)"
    return Annotated[str | None, BeforeValidator(parse),
                     WithJsonSchema({"type": "string", "format": TIME_ZONE_FORMAT}),
                     Field(description=hint)]


def pattern_text(pattern: re.Pattern[str], hint: str, schema: dict[str, Any]) -> Any:
    """A string matching `pattern` exactly (no trimming: an id is compared as sent)."""
    def parse(value: Any) -> str:
        if isinstance(value, str) and len(value) <= LONGEST_TEXT and pattern.fullmatch(value):
            return value
        raise refused()
    return Annotated[str, BeforeValidator(parse),
                     WithJsonSchema({"type": "string", "maxLength": LONGEST_TEXT, "pattern": pattern.pattern,
                                     **schema}),
                     Field(description=hint)]


def flag(hint: str, spelled: bool = False) -> Any:
    """true or false, nothing else (no "yes", no 1); with `spelled`, also the words "true" and "false", as a
    query string can only send them."""
    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if spelled and isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise refused()
    return Annotated[bool, BeforeValidator(parse), WithJsonSchema({"type": "boolean"}), Field(description=hint)]
