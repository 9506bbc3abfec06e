"""When two names are the same name: exact, once case, accents, "&"/"and", apostrophes and a featured-artist
suffix are set aside. Sources found by name (Deezer) give a picture only on such a match: a wrong
picture is worse than none, so "Beyoncé" is "Beyonce" and "Simon & Garfunkel" is "Simon and Garfunkel",
"Song (feat. X)" is "Song", but "Song - Remastered" is not "Song" and "The Beatles" is not "Beatles".
"""
from __future__ import annotations

import re
import unicodedata

FEATURING_WORDS = r"(?:feat\.?|ft\.?|featuring)"
# "(feat. X)", "[with X]" anywhere; " feat. X" or " - ft. X" to the end
BRACKETED_FEATURE = re.compile(rf"\s*[(\[]\s*(?:{FEATURING_WORDS}|with)\s[^)\]]*[)\]]", re.IGNORECASE)
TRAILING_FEATURE = re.compile(rf"\s+(?:-\s+)?{FEATURING_WORDS}\s.*$", re.IGNORECASE)
AMPERSAND = re.compile(r"\s*&\s*")
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


def spelling_key(name: str | None) -> str:
    """The form two spellings of one name are compared in: case, accents, "&"/"and" and typographic
    apostrophes set aside, and nothing more; "" for no name (which matches nothing)."""
    if not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold().translate(APOSTROPHES)
    text = AMPERSAND.sub(" and ", text)
    return " ".join(text.split())


def name_key(name: str | None) -> str:
    """The form two names are compared in: their spelling_key once a featured artist is set aside too."""
    if not isinstance(name, str):
        return ""
    return spelling_key(TRAILING_FEATURE.sub("", BRACKETED_FEATURE.sub("", name)))


def same_name(one: str | None, other: str | None) -> bool:
    key = name_key(one)
    return bool(key) and key == name_key(other)


def without_featuring(name: str) -> str:
    """The name as asked for in a search: the featured artists left out, as they often are in catalogues."""
    return " ".join(TRAILING_FEATURE.sub("", BRACKETED_FEATURE.sub("", name)).split()) or name
