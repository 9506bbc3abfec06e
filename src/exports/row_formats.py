"""Each generation of Spotify's export as one RowFormat: how its files are recognised, its row columns and
time format, and how its rows map onto the stored `plays` table.

Ingest reads only these fields, so a new generation is one more RowFormat in ROW_FORMATS (and its tests).
The SQL here is data for DuckDB, written by us; nothing a person sends becomes part of it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from src.exports.domain import MAX_NAME_CHARS

# The stored `plays` table, in order: what the charts need and nothing personal. ts (UTC, the moment
# playback stopped) and ms_played come from every format's time and ms columns, parsed and held to the
# domain while reading; each format's `plays` mapping gives the rest.
PLAYS_COLUMNS = ("ts", "ms_played", "kind", "track_name", "artist_name", "album_name", "track_uri", "episode_name",
                 "show_name", "episode_uri", "audiobook_title", "chapter_title", "platform", "conn_country", "skipped",
                 "incognito_mode")
MAPPED_COLUMNS = PLAYS_COLUMNS[2:]


def base_name(member_name: str) -> str:
    """A member's file name without its folders: what messages and the summary show."""
    return member_name.replace("\\", "/").rsplit("/", 1)[-1]


def stored_name(column: str) -> str:
    """A text column as stored: names longer than the domain allows are cut (they cost memory and time
    in every chart, and no real name comes near it)."""
    return f"left({column}, {MAX_NAME_CHARS})"


@dataclass(frozen=True)
class RowFormat:
    """One JSON row layout, the member names that carry it, and its mapping onto `plays`."""

    key: str
    label: str
    # Recognised by a member's base name (any letter case), or for a lone .json by a key its rows hold.
    name_patterns: tuple[re.Pattern, ...]
    marker_key: str
    # Column -> DuckDB type for read_json. Only what the product needs: personal fields
    # (ip_addr, username, user agents) are never listed, so they are never even parsed.
    columns: dict[str, str]
    time_column: str
    time_format: str    # DuckDB strptime format of time_column
    time_example: str   # a time in that format, shown to a person whose file holds another
    ms_column: str
    # Each column of MAPPED_COLUMNS, in order -> SQL over the raw columns.
    plays: dict[str, str]

    def __post_init__(self) -> None:
        # A format that misses a column would be caught by DuckDB only at its first upload, if at all.
        missing = [column for column in (self.time_column, self.ms_column) if column not in self.columns]
        if missing:
            raise ValueError(f"Row format {self.key!r}: {', '.join(missing)} not among its columns")
        if tuple(self.plays) != MAPPED_COLUMNS:
            raise ValueError(f"Row format {self.key!r} must map exactly {', '.join(MAPPED_COLUMNS)}, in that order")

    def matches(self, member_name: str) -> bool:
        return any(pattern.match(base_name(member_name)) for pattern in self.name_patterns)

    def plays_select(self) -> str:
        """The SELECT list, after ts and ms_played, that maps a raw row onto `plays`."""
        return ",\n    ".join(f"{sql} AS {column}" for column, sql in self.plays.items())


EXTENDED = RowFormat(
    key="extended",
    label="Extended streaming history",
    name_patterns=(
        re.compile(r"^Streaming_History_(Audio|Video)_.*\.json$", re.IGNORECASE),
        re.compile(r"^end(song|video)(_\d+)?\.json$", re.IGNORECASE),
    ),
    marker_key='"ms_played"',
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
        "incognito_mode": "VARCHAR",
    },
    time_column="ts",
    time_format="%Y-%m-%dT%H:%M:%SZ",
    time_example="2021-09-23T09:28:29Z",
    ms_column="ms_played",
    plays={
        "kind": """CASE WHEN master_metadata_track_name IS NOT NULL OR spotify_track_uri IS NOT NULL THEN 'track'
         WHEN episode_name IS NOT NULL OR spotify_episode_uri IS NOT NULL THEN 'episode'
         WHEN audiobook_title IS NOT NULL OR audiobook_uri IS NOT NULL THEN 'audiobook'
         ELSE 'unknown' END""",
        "track_name": stored_name("master_metadata_track_name"),
        "artist_name": stored_name("master_metadata_album_artist_name"),
        "album_name": stored_name("master_metadata_album_album_name"),
        "track_uri": stored_name("spotify_track_uri"),
        "episode_name": stored_name("episode_name"),
        "show_name": stored_name("episode_show_name"),
        "episode_uri": stored_name("spotify_episode_uri"),
        "audiobook_title": stored_name("audiobook_title"),
        "chapter_title": stored_name("audiobook_chapter_title"),
        "platform": stored_name("platform"),
        "conn_country": stored_name("conn_country"),
        "skipped": "TRY_CAST(skipped AS BOOLEAN)",
        "incognito_mode": "TRY_CAST(incognito_mode AS BOOLEAN)",
    },
)

ACCOUNT = RowFormat(
    key="account",
    label="Account data (streaming history of the last year only, no albums)",
    name_patterns=(
        re.compile(r"^StreamingHistory_(music|podcast|audiobook|video)_\d+\.json$", re.IGNORECASE),
        re.compile(r"^StreamingHistory\d*\.json$", re.IGNORECASE),
    ),
    marker_key='"msPlayed"',
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
    time_example="2023-10-02 23:43",
    ms_column="msPlayed",
    # Account data names no albums, URIs, platform or country, and says nothing of skips or incognito plays.
    plays={
        "kind": """CASE WHEN podcastName IS NOT NULL OR episodeName IS NOT NULL THEN 'episode'
         WHEN audiobookName IS NOT NULL OR chapterName IS NOT NULL THEN 'audiobook'
         WHEN trackName IS NOT NULL THEN 'track' ELSE 'unknown' END""",
        "track_name": stored_name("trackName"),
        "artist_name": stored_name("artistName"),
        "album_name": "NULL::VARCHAR",
        "track_uri": "NULL::VARCHAR",
        "episode_name": stored_name("episodeName"),
        "show_name": stored_name("podcastName"),
        "episode_uri": "NULL::VARCHAR",
        "audiobook_title": stored_name("audiobookName"),
        "chapter_title": stored_name("chapterName"),
        "platform": "NULL::VARCHAR",
        "conn_country": "NULL::VARCHAR",
        "skipped": "NULL::BOOLEAN",
        "incognito_mode": "NULL::BOOLEAN",
    },
)

ROW_FORMATS = (EXTENDED, ACCOUNT)

# Files of the Account data package that are not listening history; named in the refusal so a person
# knows which package they uploaded.
ACCOUNT_PACKAGE_MARKERS = ("Userdata.json", "Payments.json", "Playlist1.json", "SearchQueries.json",
                           "Marquee.json", "YourLibrary.json", "Follow.json", "Identity.json")


def format_of_member(member_name: str) -> RowFormat | None:
    return next((fmt for fmt in ROW_FORMATS if fmt.matches(member_name)), None)


def format_of_json_head(head: str) -> RowFormat | None:
    """Tell a lone history file's generation from the first keys it holds."""
    return next((fmt for fmt in ROW_FORMATS if fmt.marker_key in head), None)


def row_keys_described() -> str:
    """Each format's time and duration keys, for a message about a file that holds none of them."""
    return ", ".join(f"'{fmt.time_column}'/'{fmt.ms_column}' ({fmt.key})" for fmt in ROW_FORMATS)
