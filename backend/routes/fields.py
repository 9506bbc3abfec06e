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
from datetime import date, datetime
from typing import Annotated, Any, Callable

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from src.exports.domain import FIRST_DAY, LAST_DAY

JSON_SPACE = "[ \\t\\r\\n]*"   # what JSON itself calls whitespace; a front end may pad a typed value with it
MAX_DIGITS = 20                # longer numbers are refused before they are converted
INTEGER_PATTERN = f"^{JSON_SPACE}-?[0-9]{{1,{MAX_DIGITS}}}{JSON_SPACE}$"
DECIMAL_PATTERN = f"^{JSON_SPACE}-?[0-9]{{1,{MAX_DIGITS}}}(\\.[0-9]{{1,{MAX_DIGITS}}})?{JSON_SPACE}$"
# A calendar day, optionally followed by a time of day (the time is ignored, as it always was).
DAY_PATTERN = (f"^{JSON_SPACE}([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}([T ][0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}}(\\.[0-9]{{1,6}})?)?"
               f"(Z|[+-][0-9]{{2}}:[0-9]{{2}})?)?)?{JSON_SPACE}$")
LONGEST_TEXT = 64              # no accepted spelling of any field is longer
INTEGER_TEXT, DECIMAL_TEXT, DAY_TEXT = (re.compile(p) for p in (INTEGER_PATTERN, DECIMAL_PATTERN, DAY_PATTERN))


def refused() -> PydanticCustomError:
    """The one error a field raises; its message comes from the field's hint."""
    return PydanticCustomError("field_value", "the value is not accepted")


def _text(value: Any, pattern: re.Pattern[str]) -> str | None:
    if isinstance(value, str) and len(value) <= LONGEST_TEXT and pattern.fullmatch(value):
        return value.strip(" \t\r\n")
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
                        {"type": "string", "pattern": INTEGER_PATTERN}]}
    return Annotated[int, BeforeValidator(parse), WithJsonSchema(schema), Field(description=hint)]


def decimal(low: float, high: float, hint: str = "") -> Any:
    """A finite number from low to high; also as a plain decimal string ("10.8"), never an exponent."""
    hint = hint or f"a number from {low:g} to {high:g}"

    def parse(value: Any) -> float | None:
        return None if value == "" else _number_in(value, low, high)
    schema = {"anyOf": [{"type": "number", "minimum": low, "maximum": high},
                        {"type": "string", "pattern": DECIMAL_PATTERN}, {"type": "null"}]}
    return Annotated[float | None, BeforeValidator(parse), WithJsonSchema(schema), Field(description=hint)]


def figure_size(low: float, high: float) -> Any:
    """[width, height] in inches, each a number from low to high."""
    def parse(value: Any) -> tuple[float, float] | None:
        if value == "":
            return None
        if not isinstance(value, list) or len(value) != 2 or None in value or "" in value:
            raise refused()
        return _number_in(value[0], low, high), _number_in(value[1], low, high)
    item = {"anyOf": [{"type": "number", "minimum": low, "maximum": high}, {"type": "string", "pattern": DECIMAL_PATTERN}]}
    schema = {"anyOf": [{"type": "array", "items": item, "minItems": 2, "maxItems": 2}, {"type": "null"}]}
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
                WithJsonSchema({"anyOf": [{"type": "string", "pattern": DAY_PATTERN, "examples": ["2023-01-31"]},
                                          {"type": "null"}]}),
                Field(description=f"a date like 2023-01-31 from {FIRST_DAY} to {LAST_DAY}, a time after it "
                                  "ignored (or left out for the whole history)")]


def choice(names: list[str], spellings: dict[str, str], documented: list[str], hint: str = "") -> Any:
    """One of `names`, or one of `spellings` (lower-case alias -> name), in any letter case."""
    hint = hint or f"one of: {', '.join(documented)} (any letter case)"

    def parse(value: Any) -> str:
        if isinstance(value, str) and len(value) <= LONGEST_TEXT:
            name = value.strip()
            name = name if name in names else spellings.get(name.lower(), name.lower())
            if name in names:
                return name
        raise refused()
    return Annotated[str, BeforeValidator(parse), WithJsonSchema({"type": "string", "enum": documented}),
                     Field(description=hint)]


def time_zone(names: Callable[[], frozenset[str] | set[str]]) -> Any:
    """An IANA zone name among `names()`; UTC in any of its usual spellings, or nothing, means UTC (None)."""
    def parse(value: Any) -> str | None:
        if value in ("", "UTC", "utc", "Z"):
            return None
        if isinstance(value, str) and len(value) <= LONGEST_TEXT and value.strip() in names():
            return value.strip()
        raise refused()
    hint = "an IANA time zone name like Europe/Berlin or America/New_York (or left out for UTC)"
    return Annotated[str | None, BeforeValidator(parse),
                     WithJsonSchema({"anyOf": [{"type": "string", "examples": ["Europe/Berlin"]}, {"type": "null"}]}), Field(description=hint)]


def pattern_text(pattern: re.Pattern[str], hint: str, schema: dict[str, Any]) -> Any:
    """A string matching `pattern` exactly (no trimming: an id is compared as sent)."""
    def parse(value: Any) -> str:
        if isinstance(value, str) and len(value) <= LONGEST_TEXT and pattern.fullmatch(value):
            return value
        raise refused()
    return Annotated[str, BeforeValidator(parse),
                     WithJsonSchema({"type": "string", "pattern": pattern.pattern, **schema}),
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
