"""The table of every accepted row format, and how a file is told to be one: by its name inside a ZIP, or by
its first bytes (a JSON array's keys, a JSON line's keys, a CSV's header or first line)."""
from __future__ import annotations

import csv
import re

from src.exports.row_formats import SPOTIFY_FORMATS, RowFormat, base_name
from src.exports.service_formats import (
    APPLE_DAILY_TRACKS,
    APPLE_MUSIC,
    APPLE_MUSIC_NO_ARTIST,
    APPLE_TIMES,
    LASTFM,
    LASTFM_PLAIN,
    LASTFM_PLAIN_DATE,
    LASTFM_UTC_TIME,
    LISTENBRAINZ,
    SERVICE_FORMATS,
)

# Spotify's formats first: their marker keys are the most specific.
ROW_FORMATS = (*SPOTIFY_FORMATS, *SERVICE_FORMATS)

# Files of the Account data package that are not listening history; named in the refusal so a person
# knows which package they uploaded.
ACCOUNT_PACKAGE_MARKERS = ("Userdata.json", "Payments.json", "Playlist1.json", "SearchQueries.json",
                           "Marquee.json", "YourLibrary.json", "Follow.json", "Identity.json")
# CSV members of a ZIP are looked into only when named like a history file could be.
CSV_MEMBER = re.compile(r"\.csv$", re.IGNORECASE)
EXPECTED_FILES = ("Streaming_History_Audio_*.json, endsong_*.json or StreamingHistory*.json (Spotify), a Last.fm "
                  "scrobbles .csv, listens/<year>/<month>.jsonl (ListenBrainz), watch-history.json (YouTube Music) "
                  "or Apple Music Play Activity.csv")


def format_of_member(member_name: str) -> RowFormat | None:
    """The format a ZIP member's name says it holds (CSV files are told by their header: format_of_text_head)."""
    return next((fmt for fmt in ROW_FORMATS if fmt.matches(member_name) and fmt.reader != "csv"), None)


def is_companion(member_name: str) -> bool:
    """Apple Music's Daily Tracks file: not plays of its own, but the artists the newer Play Activity lacks."""
    return bool(APPLE_DAILY_TRACKS.match(base_name(member_name)))


def format_of_json_head(head: str) -> RowFormat | None:
    """Tell a lone JSON array's format from the first keys it holds."""
    return next((fmt for fmt in ROW_FORMATS if fmt.reader == "json" and fmt.marker_key in head), None)


def format_of_text_head(text: str) -> RowFormat | None:
    """Tell a lone file's format from its first characters (byte-order mark removed), None when unknown."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        return format_of_json_head(stripped)
    if stripped.startswith("{"):
        return LISTENBRAINZ if LISTENBRAINZ.marker_key in stripped.split("\n", 1)[0] else None
    return format_of_csv_head(text)


def format_of_csv_head(text: str) -> RowFormat | None:
    """A Last.fm or Apple Music CSV from its header line (or, headerless, from its first row)."""
    first_line = text.split("\n", 1)[0].rstrip("\r")
    try:
        fields = next(csv.reader([first_line]))
    except (csv.Error, StopIteration):
        return None
    names = [name.strip().lower() for name in fields]
    for fmt in (LASTFM, LASTFM_UTC_TIME):
        if names == fmt.marker_key.split(","):
            return fmt
    apple = {name.strip() for name in fields}
    if set(APPLE_TIMES) <= apple:
        for fmt in (APPLE_MUSIC, APPLE_MUSIC_NO_ARTIST):
            if set(fmt.columns) <= apple:
                return fmt
        return None
    if len(fields) == len(LASTFM_PLAIN.columns) and LASTFM_PLAIN_DATE.search(first_line):
        return LASTFM_PLAIN
    return None


def row_keys_described() -> str:
    """Each JSON format's time and duration keys, for a message about a file that holds none of them."""
    return ", ".join(f"'{fmt.time_column}'/'{fmt.ms_column}' ({fmt.key})" for fmt in ROW_FORMATS
                     if fmt.reader == "json" and fmt.ms_column)
