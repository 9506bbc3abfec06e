"""What each generation of Spotify's export looks like: member names and row columns."""
from __future__ import annotations

import re
from dataclasses import dataclass


def base_name(member_name: str) -> str:
    """A member's file name without its folders: what messages and the summary show."""
    return member_name.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class RowFormat:
    """One JSON row layout and the member names that carry it."""

    key: str
    label: str
    name_patterns: tuple[re.Pattern, ...]
    # Column -> DuckDB type for read_json. Only what the product needs: personal fields
    # (ip_addr, username, user agents) are never listed, so they are never even parsed.
    columns: dict[str, str]
    time_column: str
    time_format: str
    marker_key: str

    def matches(self, member_name: str) -> bool:
        return any(pattern.match(base_name(member_name)) for pattern in self.name_patterns)


EXTENDED = RowFormat(
    key="extended",
    label="Extended streaming history",
    name_patterns=(
        re.compile(r"^Streaming_History_(Audio|Video)_.*\.json$", re.IGNORECASE),
        re.compile(r"^end(song|video)(_\d+)?\.json$", re.IGNORECASE),
    ),
    columns={
        "ts": "VARCHAR",
        "platform": "VARCHAR",
        "ms_played": "JSON",
        "conn_country": "VARCHAR",
        "master_metadata_track_name": "VARCHAR",
        "master_metadata_album_artist_name": "VARCHAR",
        "master_metadata_album_album_name": "VARCHAR",
        "spotify_track_uri": "VARCHAR",
        "episode_name": "VARCHAR",
        "episode_show_name": "VARCHAR",
        "spotify_episode_uri": "VARCHAR",
        "audiobook_title": "VARCHAR",
        "audiobook_uri": "VARCHAR",
        "audiobook_chapter_title": "VARCHAR",
        "skipped": "VARCHAR",
    },
    time_column="ts",
    time_format="%Y-%m-%dT%H:%M:%SZ",
    marker_key='"ms_played"',
)

ACCOUNT = RowFormat(
    key="account",
    label="Account data (streaming history of the last year only, no albums)",
    name_patterns=(
        re.compile(r"^StreamingHistory_(music|podcast|audiobook|video)_\d+\.json$", re.IGNORECASE),
        re.compile(r"^StreamingHistory\d*\.json$", re.IGNORECASE),
    ),
    columns={
        "endTime": "VARCHAR",
        "artistName": "VARCHAR",
        "trackName": "VARCHAR",
        "msPlayed": "JSON",
        "podcastName": "VARCHAR",
        "episodeName": "VARCHAR",
        "audiobookName": "VARCHAR",
        "chapterName": "VARCHAR",
        "authorName": "VARCHAR",
    },
    time_column="endTime",
    time_format="%Y-%m-%d %H:%M",
    marker_key='"msPlayed"',
)

ROW_FORMATS = (EXTENDED, ACCOUNT)

# Files of the Account data package that are not listening history; named in the 422 so a person
# knows which package they uploaded.
ACCOUNT_PACKAGE_MARKERS = ("Userdata.json", "Payments.json", "Playlist1.json", "SearchQueries.json",
                           "Marquee.json", "YourLibrary.json", "Follow.json", "Identity.json")


def format_of_member(member_name: str) -> RowFormat | None:
    return next((fmt for fmt in ROW_FORMATS if fmt.matches(member_name)), None)


def format_of_json_head(head: str) -> RowFormat | None:
    """Tell a lone history file's generation from the first keys it holds."""
    return next((fmt for fmt in ROW_FORMATS if fmt.marker_key in head), None)
