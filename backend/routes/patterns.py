"""Regular expressions for the JSON schemas of the request fields: each matches exactly the strings its
field's validator accepts (routes/fields.py), so /openapi.json neither refuses what the service takes
nor takes what it refuses.

A whole number in a string may carry leading zeros and JSON whitespace around it, up to 20 digits in
all; a decimal the same, with up to 20 digits after its point; a day is a real calendar day of
2000-2099, optionally with a valid time of day after it; a name is one of its spellings in any ASCII
letter case.
"""
from __future__ import annotations

import re

from src.exports.domain import CALENDAR_DAY

JSON_SPACE = "[ \\t\\r\\n]*"   # what JSON itself calls whitespace; a front end may pad a typed value with it
MAX_DIGITS = 20                # longer numbers are refused before they are converted
FRACTION = f"(\\.[0-9]{{1,{MAX_DIGITS}}})?"


def padded(core: str) -> str:
    return f"^{JSON_SPACE}(?:{core}){JSON_SPACE}$"


def _same_length_range(low: str, high: str) -> list[str]:
    """Patterns of the numbers low..high, both written with the same number of digits."""
    if not low:
        return [""]
    if low[0] == high[0]:
        return [low[0] + rest for rest in _same_length_range(low[1:], high[1:])]
    rest = len(low) - 1
    parts, first, last, tail = [], int(low[0]), int(high[0]), []
    if low[1:] != "0" * rest:
        parts = [low[0] + part for part in _same_length_range(low[1:], "9" * rest)]
        first += 1
    if high[1:] != "9" * rest:
        tail = [high[0] + part for part in _same_length_range("0" * rest, high[1:])]
        last -= 1
    if first <= last:
        parts.append(f"[{first}-{last}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    return parts + tail


def _range_by_length(low: int, high: int) -> dict[int, list[str]]:
    """Patterns of the numbers low..high (low >= 0, no leading zeros), grouped by their number of digits."""
    groups: dict[int, list[str]] = {}
    while low <= high:
        length = len(str(low))
        top = min(high, 10**length - 1)
        groups[length] = _same_length_range(str(low), str(top))
        low = top + 1
    return groups


def whole_number_pattern(low: int, high: int) -> str:
    """Strings of a whole number from low (at least 1) to high, as `int()` reads them after the digit check."""
    if low < 1:
        raise ValueError("whole_number_pattern covers ranges of positive numbers")
    alternatives = [f"0{{0,{MAX_DIGITS - length}}}(?:{'|'.join(parts)})"
                    for length, parts in _range_by_length(low, high).items()]
    return padded("|".join(alternatives))


def decimal_pattern(low: float, high: float) -> str:
    """Strings of a number from low to high; low with at most one decimal, high whole (0.5..100, 10..1000)."""
    whole_low, tenths = divmod(round(low * 10), 10)
    if not float(high).is_integer() or whole_low < 0:
        raise ValueError("decimal_pattern covers a positive low with one decimal and a whole high")
    top = int(high)
    alternatives = []
    if tenths:   # the fraction of the lowest whole part must reach low's tenths
        zeros = MAX_DIGITS - len(str(whole_low))
        alternatives.append(f"0{{0,{zeros}}}{whole_low}\\.[{tenths}-9][0-9]{{0,{MAX_DIGITS - 1}}}")
        whole_low += 1
    if whole_low < top:
        for length, parts in _range_by_length(whole_low, top - 1).items():
            alternatives.append(f"0{{0,{MAX_DIGITS - length}}}(?:{'|'.join(parts)}){FRACTION}")
    alternatives.append(f"0{{0,{MAX_DIGITS - len(str(top))}}}{top}(\\.0{{1,{MAX_DIGITS}}})?")
    return padded("|".join(alternatives))


# Calendar days of 2000-2099: 30-day months, 31-day months, February, and the 29th in leap years.
DAY = CALENDAR_DAY
TIME_OF_DAY = ("[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,6})?)?"
               "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?")
# A day, a time after it ignored; the empty string means the default.
DAY_PATTERN = "^$|" + padded(f"(?:{DAY})(?:{TIME_OF_DAY})?")


def any_case(text: str) -> str:
    """`text` in any ASCII letter case, as a regular expression."""
    return "".join(f"[{char.lower()}{char.upper()}]" if char.isascii() and char.isalpha() else re.escape(char)
                   for char in text)


def spellings_pattern(spellings: list[str]) -> str:
    return padded("|".join(any_case(spelling) for spelling in sorted(set(spellings), key=len, reverse=True)))
