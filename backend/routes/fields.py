"""Field types of the request models, built on pydantic's own constraints and schema.

Each type is the plain JSON value under pydantic's constraints, plus the spellings a front end sends besides
it: whole numbers and decimals as strings ("10", " 7 ", "10.8"), 10.0 for 10, dates with a time after them
("2023-01-01T00:00:00"), names in any ASCII letter case, "" for "the default" where null means it too.
A number's string form has a pattern matching exactly the numbers in its range (written beside the field,
checked against the range by tests/unit/test_requests_fields.py), so /openapi.json takes what the service
takes. What only looks like a number or a date to a lenient parser is refused by both: "²", "٣", "1e1",
"1_0", 5,000 digits, "20200101", "2020-01-01garbage".
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StrictFloat, StrictInt

from src.exports.domain import CALENDAR_DAY, FIRST_DAY, LAST_DAY

JSON_WHITESPACE = " \t\r\n"
PADDING = "[ \\t\\r\\n]*"     # JSON's own whitespace, which a front end may leave around a typed value
LONGEST_TEXT = 64             # no accepted spelling of any field is longer
TIME_OF_DAY = ("[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,6})?)?"
               "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?")
UTC_SPELLINGS = ("", "UTC", "utc", "Z")
# The one empty string a field takes: "use the default", as null does.
Empty = Annotated[str, Field(max_length=0)]


def padded(core: str) -> str:
    return f"^{PADDING}(?:{core}){PADDING}$"


def any_case(text: str) -> str:
    """`text` in any ASCII letter case, as a regular expression (JSON Schema has no case-insensitive flag); the
    names spelled this way hold only letters, digits, underscores and spaces."""
    return "".join(f"[{char.lower()}{char.upper()}]" if char.isascii() and char.isalpha() else char for char in text)


def text(pattern: str | re.Pattern[str], **constraints: Any) -> Any:
    """A string of at most LONGEST_TEXT characters matching `pattern` (searched, so it carries its own anchors)."""
    return Annotated[str, Field(pattern=pattern, max_length=LONGEST_TEXT, **constraints)]


def _default_or(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert` of a validated value; None for null or "", which mean the default."""
    return lambda value: None if value is None or value == "" else convert(value)


def _integral_float_as_int(value: Any) -> Any:
    """10.0 is the whole number 10: JSON does not tell them apart, and some encoders write one for the other."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def whole_number(low: int, high: int, digits: str, hint: str = "") -> Any:
    """An integer from low to high, or a string of one; `digits` matches exactly the numbers low..high written
    without leading zeros."""
    number = Annotated[StrictInt, Field(ge=low, le=high)]
    hint = hint or f"a whole number from {low} to {high}"
    return Annotated[number | text(padded(f"0*(?:{digits})")) | None, BeforeValidator(_integral_float_as_int),
                     AfterValidator(_default_or(int)), Field(description=hint)]


def _decimal_parts(low: float, high: float, digits: str) -> Any:
    return Annotated[StrictFloat, Field(ge=low, le=high, allow_inf_nan=False)] | text(padded(f"0*(?:{digits})"))


def decimal(low: float, high: float, digits: str, hint: str = "") -> Any:
    """A finite number from low to high, or a plain decimal string of one ("10.8", never an exponent); `digits`
    matches exactly the decimals low..high written without leading zeros."""
    return Annotated[_decimal_parts(low, high, digits) | Empty | None, AfterValidator(_default_or(float)),
                     Field(description=hint or f"a number from {low:g} to {high:g}")]


def figure_size(low: float, high: float, digits: str) -> Any:
    """[width, height] in inches, each a number from low to high (as `decimal` takes it)."""
    pair = Annotated[list[_decimal_parts(low, high, digits)], Field(min_length=2, max_length=2)]
    hint = f"[width, height] in inches, each from {low:g} to {high:g}, e.g. [10.8, 13.5] with dpi 100"
    return Annotated[pair | Empty | None, AfterValidator(_default_or(lambda sides: tuple(map(float, sides)))),
                     Field(description=hint)]


def _day(spelled: str | None) -> date | None:
    """The day a spelling names; None for "" (or a lone newline, which `$` takes as the end, as in JSON Schema)."""
    spelled = (spelled or "").strip(JSON_WHITESPACE)
    return datetime.fromisoformat(spelled).date() if spelled else None


# "" in the pattern itself (what a form sends for no date); compiled, so pydantic matches it with Python's `re`
# exactly as JSON Schema validators in Python do.
DAY_PATTERN = re.compile("^$|" + padded(f"(?:{CALENDAR_DAY})(?:{TIME_OF_DAY})?"))
Day = Annotated[text(DAY_PATTERN) | None, AfterValidator(_day),
                Field(description=f"a date like 2023-01-31 from {FIRST_DAY} to {LAST_DAY}, a time after it ignored "
                                  "(or left out for the whole history)")]


def choice(names: Iterable[str], spellings: dict[str, str], documented: list[str], hint: str = "") -> Any:
    """One of `names`, or one of `spellings` (lower-case alias -> name), in any ASCII letter case; the
    `documented` spellings are the schema's enum (what /docs offers)."""
    by_lower = {**{name.lower(): name for name in names}, **spellings}
    any_spelling = padded("|".join(any_case(spelling) for spelling in sorted(by_lower, key=len, reverse=True)))
    return Annotated[Literal[tuple(documented)] | text(any_spelling) | None,
                     AfterValidator(_default_or(lambda name: by_lower[name.strip(JSON_WHITESPACE).lower()])),
                     Field(description=hint or f"one of: {', '.join(documented)} (any letter case)")]


def time_zone(names: frozenset[str]) -> Any:
    """An IANA zone name among `names`, as written; UTC in any of its usual spellings means UTC (None). The
    zones are one component of /openapi.json (an Enum is what pydantic lists once), not repeated per model."""
    zone = Enum("TimeZoneName", [(name, name) for name in sorted(names)])
    return Annotated[zone | Literal[UTC_SPELLINGS] | None,
                     AfterValidator(lambda value: value.value if isinstance(value, zone) and value.value != "UTC"
                                    else None),
                     Field(description="an IANA time zone name like Europe/Berlin or America/New_York (or left out "
                                       "for UTC)")]


def flag(hint: str, spelled: bool = False) -> Any:
    """true or false, nothing else (no "yes", no 1); with `spelled`, also the words "true" and "false" in any
    letter case, as a query string can only send them."""
    if not spelled:
        return Annotated[StrictBool | None, Field(description=hint)]
    words = text(f"^(?:{any_case('true')}|{any_case('false')})$")
    return Annotated[StrictBool | words | None,
                     AfterValidator(lambda value: value if not isinstance(value, str) else value.lower() == "true"),
                     Field(description=hint)]
