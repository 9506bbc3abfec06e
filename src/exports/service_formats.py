"""Other services' exports as RowFormats: Last.fm scrobbles, ListenBrainz listens, YouTube Music's watch
history from Google Takeout, and Apple Music's play activity.

Each maps onto the same `plays` rows as Spotify's exports. What a service does not record stays NULL:
Last.fm, ListenBrainz and YouTube Music carry no play duration (ms_played NULL: a play that counts as a
stream but adds no minutes), YouTube Music no album, Apple Music's newer export no track artist.
"""
from __future__ import annotations

import re

from src.exports.row_formats import EPOCH_SECONDS, RowFormat, stored_name

NO_TEXT = "NULL::VARCHAR"
# What no service but Spotify records.
NOT_RECORDED = {"track_uri": NO_TEXT, "episode_name": NO_TEXT, "show_name": NO_TEXT, "episode_uri": NO_TEXT,
                "audiobook_title": NO_TEXT, "chapter_title": NO_TEXT, "platform": NO_TEXT, "conn_country": NO_TEXT,
                "skipped": "NULL::BOOLEAN", "incognito_mode": "NULL::BOOLEAN"}
ISO_UTC = ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ")


def named(column: str) -> str:
    """A stored name from a text column, an empty one being no name (names are kept as written: trimming a
    million of them cost a third of an ingest)."""
    return stored_name(f"nullif({column}, '')")


def music_plays(track: str, artist: str, album: str) -> dict[str, str]:
    """The `plays` mapping of a service that records only music: a track, its artist and its album."""
    return {"kind": f"CASE WHEN {track} IS NOT NULL THEN 'track' ELSE 'unknown' END",
            "track_name": track, "artist_name": artist, "album_name": album, **NOT_RECORDED}


def _text_columns(*names: str) -> dict[str, str]:
    return dict.fromkeys(names, "VARCHAR")


LASTFM_COLUMNS = ("uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid")

# The scrobble exporters' CSV: `uts` is the scrobble's UTC time in epoch seconds (utc_time the same, in words).
LASTFM = RowFormat(
    key="lastfm", label="Last.fm scrobbles (CSV with uts)", source="Last.fm", reader="csv", stamp="start",
    name_patterns=(), marker_key=",".join(LASTFM_COLUMNS), columns=_text_columns(*LASTFM_COLUMNS),
    time_column="uts", time_format=EPOCH_SECONDS, time_example="1612101900", ms_column=None,
    plays=music_plays(named("track"), named("artist"), named("album")),
)

# The same scrobbles with only the time in words (UTC): written by older exporters.
LASTFM_UTC_TIME = RowFormat(
    key="lastfm_utc_time", label="Last.fm scrobbles (CSV with utc_time)", source="Last.fm", reader="csv",
    stamp="start", name_patterns=(), marker_key="utc_time,artist,album,track",
    columns=_text_columns("utc_time", "artist", "album", "track"),
    time_column="utc_time", time_format=("%d %b %Y, %H:%M", "%d %b %Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"),
    time_example="31 Jan 2021, 14:05", ms_column=None,
    plays=music_plays(named("track"), named("artist"), named("album")),
)

# The headerless `artist,album,track,date` CSV (lastfm-to-csv and its copies); the date is UTC, to the minute.
LASTFM_PLAIN = RowFormat(
    key="lastfm_plain", label="Last.fm scrobbles (CSV without a header)", source="Last.fm", reader="csv",
    csv_header=False, stamp="start", name_patterns=(), marker_key="",
    columns=_text_columns("artist", "album", "track", "date"),
    time_column="date", time_format=("%d %b %Y %H:%M", "%d %b %Y, %H:%M"), time_example="31 Jan 2021 14:05",
    ms_column=None, plays=music_plays(named("track"), named("artist"), named("album")),
)
# A headerless Last.fm line ends in a date like "31 Jan 2021 14:05".
LASTFM_PLAIN_DATE = re.compile(r"\d{1,2} [A-Za-z]{3} \d{4},? \d{1,2}:\d{2}\"?\s*$")

# ListenBrainz's export: listens/<year>/<month>.jsonl, one listen a line, listened_at in UTC epoch seconds.
LISTENBRAINZ = RowFormat(
    key="listenbrainz", label="ListenBrainz listens", source="ListenBrainz", reader="jsonl", stamp="start",
    name_patterns=(re.compile(r"^\d{1,2}\.jsonl$"),), marker_key='"listened_at"',
    columns={"listened_at": "JSON", "track_metadata": "JSON"},
    time_column="listened_at", time_format=EPOCH_SECONDS, time_example="1612101900", ms_column=None,
    plays=music_plays(*(named(f"json_extract_string(track_metadata, '$.{key}')")
                        for key in ("track_name", "artist_name", "release_name"))),
)

YOUTUBE_CHANNEL = "json_extract_string(subtitles, '$[0].name')"
YOUTUBE_TOPIC = f"coalesce({YOUTUBE_CHANNEL} LIKE '% - Topic', false)"
# Google Takeout's watch-history.json: music is what YouTube Music played, or any video of an
# "<artist> - Topic" channel (the channels YouTube makes for released music) under any header.
YOUTUBE_MUSIC = RowFormat(
    key="youtube_music", label="YouTube Music watch history (Google Takeout)", source="YouTube Music",
    stamp="start", name_patterns=(re.compile(r"^watch-history\.json$", re.IGNORECASE),), marker_key='"header"',
    columns={"header": "VARCHAR", "title": "VARCHAR", "subtitles": "JSON", "details": "JSON", "time": "VARCHAR"},
    time_column="time", time_format=ISO_UTC, time_example="2021-03-14T12:34:56.789Z", ms_column=None,
    plays=music_plays(named("regexp_replace(title, '^Watched ', '')"),
                      named(f"regexp_replace({YOUTUBE_CHANNEL}, ' - Topic$', '')"), NO_TEXT),
    left_out={
        "ads": "coalesce(contains(details::VARCHAR, 'From Google Ads'), false)",
        "removed videos": f"{YOUTUBE_CHANNEL} IS NULL",
        "videos that are not music": f"NOT (coalesce(header = 'YouTube Music', false) OR {YOUTUBE_TOPIC})",
    },
)

APPLE_NAME = re.compile(r"^Apple Music Play Activity\.csv$", re.IGNORECASE)
APPLE_DAILY_TRACKS = re.compile(r"^Apple Music - Play History Daily Tracks\.csv$", re.IGNORECASE)
APPLE_TIMES = ("Event Start Timestamp", "Play Duration Milliseconds")


def _apple(key: str, label: str, song: str, artist: str) -> RowFormat:
    columns = (song, "Album Name", *APPLE_TIMES) + ((artist,) if artist else ())
    return RowFormat(
        key=key, label=label, source="Apple Music", reader="csv", csv_named=True, stamp="start",
        name_patterns=(APPLE_NAME,),
        marker_key=song, columns=_text_columns(*columns), time_column="Event Start Timestamp",
        time_format=ISO_UTC, time_example="2021-03-14T12:34:56.789Z", ms_column="Play Duration Milliseconds",
        plays=music_plays(named(f'"{song}"'), named(f'"{artist}"') if artist else NO_TEXT, named('"Album Name"')),
        # Apple's own files hold negative durations now and then: no play, but no sign of an altered file.
        left_out={"events without a song": f"nullif(\"{song}\", '') IS NULL",
                  "events with a negative duration": 'TRY_CAST("Play Duration Milliseconds" AS DOUBLE) < 0'})


# The older Play Activity names the track's artist; the newer does not (ingest recovers it from the
# Daily Tracks file beside it, where there is one).
APPLE_MUSIC = _apple("apple_music", "Apple Music play activity", "Content Name", "Artist Name")
APPLE_MUSIC_NO_ARTIST = _apple("apple_music_no_artist", "Apple Music play activity (without track artists)",
                               "Song Name", "")

SERVICE_FORMATS = (LASTFM, LASTFM_UTC_TIME, LASTFM_PLAIN, LISTENBRAINZ, YOUTUBE_MUSIC, APPLE_MUSIC,
                   APPLE_MUSIC_NO_ARTIST)
