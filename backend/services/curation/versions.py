"""One recording, one entry: the suffixes that mark another release of the same recording, and only those.

A song's name loses at most one suffix, at its very end; merged entries share their artist and the name
left. Each rule, with an example of what it merges (docs/api.md lists them too):

- a remaster, after " - " or in brackets, with or without its year, "digital", "version":
  "Song - Remastered 2011", "Song - 2011 Remaster", "Song - 2009 Digital Remaster",
  "Song - Remastered Version", "Song (Remastered)", "Song [2015 Remaster]" are all "Song";
- an album's edition, in brackets or after " - ": "Album (Deluxe Edition)", "Album (Deluxe)",
  "Album (Super Deluxe Edition)", "Album (Expanded Edition)", "Album - Deluxe Version" are "Album", and an
  album's remaster as a song's: "Album (2011 Remaster)" is "Album".

What stays apart: another performance or mix ("Song - Live at Wembley", "Song - Acoustic",
"Song - Radio Edit", "Song - Mono"), a suffix in the middle ("Song (Remastered) - Live" is itself), and
the same name by another artist. The SQL runs these patterns in DuckDB (RE2); merged_name is the same
rule in Python, for the tests and the documentation's examples.
"""
from __future__ import annotations

import re

REMASTER = r"(?:\d{4}\s+(?:-\s+)?)?(?:digital(?:ly)?\s+)?remaster(?:ed)?(?:\s+version)?(?:\s+\d{4})?"
EDITION = r"(?:super\s+)?(?:deluxe|expanded)(?:\s+(?:edition|version))?"


def _suffix(words: str) -> str:
    """The words as a suffix: after " - " or in round or square brackets, at the end of the name."""
    return rf"(?i)\s+(?:-\s+{words}|\({words}\)|\[{words}\])\s*$"


SONG_SUFFIX = _suffix(REMASTER)
ALBUM_SUFFIX = _suffix(f"(?:{REMASTER}|{EDITION})")


def merged_name(name: str, pattern: str) -> str:
    """The name with the rule's suffix removed; the name itself when nothing would be left."""
    return re.sub(pattern, "", name, count=1) or name


def merged_sql(column: str) -> str:
    """SQL for merged_name of a column, the pattern a bound parameter named after the column."""
    return f"coalesce(nullif(regexp_replace({column}, ${column}_suffix, ''), ''), {column})"
