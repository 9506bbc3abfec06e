"""Filters applied one row at a time to a generated export, by exact names: what the service's filtered
answers are checked against (the rows a person would have left, had the export never held the others)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from harness import exportgen as eg
from harness.stats_truth import STREAM_MS

TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class RowFilter:
    """What to leave out, by the names exactly as the rows spell them."""
    artists: frozenset[str] = frozenset()
    tracks: frozenset[tuple[str, str]] = frozenset()     # (track, artist)
    albums: frozenset[tuple[str, str]] = frozenset()     # (album, artist)
    periods: tuple[tuple[datetime, datetime], ...] = ()  # UTC, both ends included
    include_incognito: bool = True

    def leaves_out(self, row: dict) -> bool:
        artist = row.get("master_metadata_album_artist_name")
        stopped = datetime.strptime(row["ts"], TIME)
        return (artist in self.artists
                or (row.get("master_metadata_track_name"), artist) in self.tracks
                or (row.get("master_metadata_album_album_name"), artist) in self.albums
                or any(start <= stopped <= end for start, end in self.periods)
                or (not self.include_incognito and bool(row.get("incognito_mode"))))


def kept_rows(rows: list[dict], row_filter: RowFilter) -> list[dict]:
    """The export's distinct rows the filter keeps."""
    return [row for row in eg.distinct_rows(rows) if not row_filter.leaves_out(row)]


def top_artists(rows: list[dict], n: int = 10) -> list[dict]:
    """The artist chart's items, counted from the rows: streams of 30 s or more, ties by name."""
    counts = Counter(row["master_metadata_album_artist_name"] for row in eg.distinct_rows(rows)
                     if row.get("master_metadata_album_artist_name") is not None and row["ms_played"] >= STREAM_MS
                     and (row.get("master_metadata_track_name") or row.get("spotify_track_uri")))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]
    return [{"rank": rank, "name": name, "value": count, "unit": "streams"}
            for rank, (name, count) in enumerate(ranked, 1)]


def play_row(ts: str, track: str, artist: str, album: str | None, uri: str | None, ms: int = 200_000,
             incognito: bool = False) -> dict:
    """One Extended streaming history row of a song, every other key as Spotify leaves it empty."""
    row = dict.fromkeys(eg.EXTENDED_KEYS)
    row.update(ts=ts, platform="android", ms_played=ms, conn_country="DE", master_metadata_track_name=track,
               master_metadata_album_artist_name=artist, master_metadata_album_album_name=album,
               spotify_track_uri=uri, reason_start="trackdone", reason_end="trackdone", shuffle=False,
               skipped=False, offline=False, incognito_mode=incognito)
    return row
