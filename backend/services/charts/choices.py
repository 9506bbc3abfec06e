"""What a chart can rank (artists, songs, albums, podcasts) and by what (streams, listening time), with how
each behaves.

The one table of these choices: the routes accept their wire names and aliases, the queries take
their SQL, and the pictures and answers ask them for units, formats and artwork; nothing else
compares their names.
"""
from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Literal

from src.visuals.style import ValueFormat, count_format, duration_format


@dataclass(frozen=True)
class Attribute:
    wire_name: str
    label: str          # what the chart title calls the ranked things
    key_sql: str        # identity of one ranked thing
    name_sql: str
    artist_sql: str
    _: KW_ONLY
    present_sql: str    # rows that can be ranked under this attribute
    # artwork beside a bar: the artist's, the song's or album's cover; None: no source has pictures of it
    picture_kind: Literal["artist", "song", "album"] | None
    needs_albums: bool = False                 # only exports with album names can be charted by it
    play_kind: str = "track"                   # the plays it ranks: music ('track') or podcast episodes

    @property
    def has_artist(self) -> bool:
        """Whether each ranked thing has an artist of its own (songs and albums do, artists do not)."""
        return self.artist_sql != "NULL"


@dataclass(frozen=True)
class Metric:
    wire_name: str
    label: str
    value_sql: str
    unit: str                   # the unit of an item's value in the answers
    ms_per_unit: int | None     # None: a count of streams; else the value is milliseconds of listening

    @property
    def counted_sql(self) -> str:
        """Plays this metric can count: listening time only those whose service recorded a duration."""
        return "true" if self.ms_per_unit is None else "ms_played IS NOT NULL"

    def item_value(self, raw: float) -> int | float:
        """An item's value as the answers give it: whole streams, or minutes with two decimals."""
        return int(raw) if self.ms_per_unit is None else round(raw / self.ms_per_unit, 2)

    def value_format(self, largest_raw: float) -> ValueFormat:
        """How values read on the bars: counts, or durations in the unit that suits the largest value."""
        return count_format() if self.ms_per_unit is None else duration_format(largest_raw)


# Keys that join several values are JSON arrays: a name may hold any character (a separator such as
# \x1f too), but JSON's quoting keeps ["a\u001fb", "c"] and ["a", "b\u001fc"] apart, a missing artist
# (null) apart from an empty one (""), and a one-element URI key apart from every (name, artist) key.
TRACK_KEY = ("(CASE WHEN track_uri IS NOT NULL THEN json_array(track_uri) "
             "ELSE json_array(track_name, artist_name) END)::VARCHAR")
ALBUM_KEY = "json_array(album_name, artist_name)::VARCHAR"

ATTRIBUTES = {
    "artist_name": Attribute("artist_name", "Artists", "artist_name", "artist_name", "NULL",
                             present_sql="artist_name IS NOT NULL", picture_kind="artist"),
    # A track is its Spotify URI where there is one (account data has none): then name + artist.
    "track_name": Attribute("track_name", "Songs", TRACK_KEY, "track_name", "artist_name",
                            present_sql="track_name IS NOT NULL", picture_kind="song"),
    "album_name": Attribute("album_name", "Albums", ALBUM_KEY, "album_name", "artist_name",
                            present_sql="album_name IS NOT NULL", picture_kind="album", needs_albums=True),
    # Podcasts are their shows, ranked by the episodes played (only Spotify's exports hold episodes).
    "show_name": Attribute("show_name", "Podcasts", "show_name", "show_name", "NULL",
                           present_sql="show_name IS NOT NULL", picture_kind=None, play_kind="episode"),
}
METRICS = {
    "Streams": Metric("Streams", "streams", "count(*)", "streams", None),
    "duration_ms": Metric("duration_ms", "listening time", "sum(ms_played)", "minutes", 60_000),
}
ATTRIBUTE_ALIASES = {"artist": "artist_name", "song": "track_name", "track": "track_name", "album": "album_name",
                     "podcast": "show_name", "show": "show_name"}
METRIC_ALIASES = {"streams": "Streams", "number of streams": "Streams", "time listened": "duration_ms",
                  "listening time": "duration_ms", "minutes": "duration_ms"}
