"""Each generation of Spotify's export as one RowFormat: how its files are recognised, its row columns and
time format, and how its rows map onto the stored `plays` table. Other services' formats are RowFormats too
(service_formats.py); recognise.py holds the table of them all.

Ingest reads only these fields, so a new generation is one more RowFormat in ROW_FORMATS (and its tests).
The SQL here is data for DuckDB, written by us; nothing a person sends becomes part of it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from src.exports.domain import MAX_NAME_CHARS

# The stored `plays` table, in order: what the charts need and nothing personal. ts (UTC, as the service
# stamped the play) and ms_played (NULL where the service records no duration) come from every format's time
# and ms columns, parsed and held to the domain while reading; each format's `plays` mapping gives the rest,
# and `source` is the service the play came from.
PLAYS_COLUMNS = ("ts", "ms_played", "kind", "track_name", "artist_name", "album_name", "track_uri", "episode_name",
                 "show_name", "episode_uri", "audiobook_title", "chapter_title", "platform", "conn_country", "skipped",
                 "incognito_mode", "source")
MAPPED_COLUMNS = PLAYS_COLUMNS[2:-1]
# What ingest stores beside them, derived from them: the play's release (its row of `releases`, which the
# filters decide on) and its names as merge_versions reads them (NULL where they change nothing);
# backend/services/curation/releases.py. No format maps onto these.
DERIVED_COLUMNS = ("release_id", "merged_track_name", "merged_track_uri", "merged_album_name")
# time_format's value for a time column of whole seconds since 1970 (UTC).
EPOCH_SECONDS = "epoch seconds"
# Epoch seconds beyond these are no date the domain could hold; they read as year 1 (out of range, counted).
EPOCH_BOUNDS = (-62_135_596_800, 253_402_300_799)


def base_name(member_name: str) -> str:
    """A member's file name without its folders: what messages and the summary show."""
    return member_name.replace("\\", "/").rsplit("/", 1)[-1]


def quoted(column: str) -> str:
    """A column name as SQL: quoted where it is more than letters, digits and underscores."""
    return column if re.fullmatch(r"\w+", column) else f'"{column}"'


def stored_name(column: str) -> str:
    """A text column as stored: names longer than the domain allows are cut (they cost memory and time
    in every chart, and no real name comes near it)."""
    return f"left({column}, {MAX_NAME_CHARS})"


@dataclass(frozen=True, kw_only=True)
class RowFormat:
    """One row layout (JSON, JSON lines or CSV), the member names that carry it, and its mapping onto `plays`."""

    key: str
    label: str
    # Recognised by a member's base name (any letter case), or for a lone .json by a key its rows hold.
    name_patterns: tuple[re.Pattern, ...]
    marker_key: str
    # Column -> DuckDB type for read_json. Only what the product needs: personal fields
    # (ip_addr, username, user agents) are never listed, so they are never even parsed.
    columns: dict[str, str]
    time_column: str
    time_format: str | tuple[str, ...]  # DuckDB strptime format(s) of time_column, or EPOCH_SECONDS
    time_example: str   # a time in that format, shown to a person whose file holds another
    ms_column: str | None   # None: the service records no play duration
    # Each column of MAPPED_COLUMNS, in order -> SQL over the raw columns.
    plays: dict[str, str]
    source: str = "Spotify"     # the service, as footers and summaries name it
    reader: str = "json"        # "json" (one array), "jsonl" (an object a line) or "csv"
    csv_header: bool = True     # CSV only: whether the first line names the columns
    csv_named: bool = False     # CSV only: columns found by name among others (else exactly these, in order)
    # When a play is stamped: "stop" (Spotify's extended history) or "start" (scrobblers); see merge rules.
    stamp: str = "stop"
    # Rows read but not plays of music (why -> SQL over raw columns): not stored, counted in the summary.
    left_out: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A format that misses a column would be caught by DuckDB only at its first upload, if at all.
        named = [self.time_column] + ([self.ms_column] if self.ms_column else [])
        missing = [column for column in named if column not in self.columns]
        if missing:
            raise ValueError(f"Row format {self.key!r}: {', '.join(missing)} not among its columns")
        if tuple(self.plays) != MAPPED_COLUMNS:
            raise ValueError(f"Row format {self.key!r} must map exactly {', '.join(MAPPED_COLUMNS)}, in that order")

    @property
    def needs_companion(self) -> bool:
        """Whether ingest reads a second file beside the plays: Apple Music's Daily Tracks, for the artists."""
        return self.reader == "csv" and self.source == "Apple Music" and "Artist Name" not in self.columns

    def matches(self, member_name: str) -> bool:
        return any(pattern.match(base_name(member_name)) for pattern in self.name_patterns)

    def plays_select(self) -> str:
        """The SELECT list, after ts and ms_played, that maps a raw row onto `plays` (source last); columns
        the format never records are left out (absent_columns)."""
        mapped = [f"{sql} AS {column}" for column, sql in self.plays.items() if column not in self.absent_columns()]
        return ",\n    ".join([*mapped, f"'{self.source}' AS source"])

    def absent_columns(self) -> dict[str, str]:
        """Columns the format maps to a typed NULL -> their type. Added to the table after it is written:
        writing a million NULLs per column costs as much as the names themselves."""
        return {column: sql.removeprefix("NULL::") for column, sql in self.plays.items()
                if re.fullmatch(r"NULL::[A-Z]+", sql)}

    def ms_sql(self) -> str:
        """SQL for the row's duration in milliseconds as a DOUBLE: NULL when missing or not a number."""
        if self.ms_column is None:
            return "NULL::DOUBLE"
        ms = quoted(self.ms_column)
        if self.columns[self.ms_column] == "JSON":
            return f"CASE WHEN json_type({ms}) IN ('UBIGINT', 'BIGINT', 'DOUBLE') THEN TRY_CAST({ms} AS DOUBLE) END"
        return f"TRY_CAST({ms} AS DOUBLE)"

    def used_columns(self) -> list[str]:
        """The columns the time, the duration, the mapping and left_out read: the only ones kept of a row
        (CSV exporters write ids and duplicate times no chart needs)."""
        sql = " ".join([*self.plays.values(), *self.left_out.values()])
        return [column for column in self.columns
                if column in (self.time_column, self.ms_column) or re.search(rf"\b{re.escape(column)}\b", sql)]

    def time_sql(self) -> str:
        """SQL for the row's time as a TIMESTAMP (UTC), NULL when the column holds no such time."""
        column = quoted(self.time_column)
        if self.time_format == EPOCH_SECONDS:
            low, high = EPOCH_BOUNDS
            seconds = f"TRY_CAST({column} AS BIGINT)"
            return (f"CASE WHEN {seconds} BETWEEN {low} AND {high} THEN make_timestamp({seconds} * 1000000) "
                    f"WHEN {seconds} IS NOT NULL THEN TIMESTAMP '0001-01-01' END")
        formats = (self.time_format,) if isinstance(self.time_format, str) else self.time_format
        listed = ", ".join(f"'{time_format}'" for time_format in formats)
        return f"try_strptime({column}, [{listed}])"


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

SPOTIFY_FORMATS = (EXTENDED, ACCOUNT)
