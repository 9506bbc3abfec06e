"""Other services' exports, generated as their services or exporters write them (no personal data):
Last.fm scrobble CSVs (three layouts), ListenBrainz's export ZIP, Google Takeout's YouTube watch history,
and Apple Music's play activity in its older and newer forms.

A play is a Scrobble: what every service records (artist, track, album) and when it started. Builders
derive scrobbles from generated Spotify rows (the plays a scrobbler would have seen) and add plays of
their own, so tests know exactly which plays two sources share.
"""
from __future__ import annotations

import calendar
import csv
import io
import json
import random
import time
from dataclasses import dataclass, replace

from harness.exportgen import zip_of

STREAM_MS = 30_000
LASTFM_HEADER = ["uts", "utc_time", "artist", "artist_mbid", "album", "album_mbid", "track", "track_mbid"]


@dataclass(frozen=True)
class Scrobble:
    artist: str
    track: str
    album: str | None
    started: int                # UTC epoch seconds
    ms: int | None = None       # what the service recorded of the play's length, if anything


def epoch(ts: str) -> int:
    return calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))


def millis_of(seconds: int) -> int:
    """The milliseconds a service writing them adds to a play's time (made up, but fixed by the time)."""
    return seconds % 7 * 111


def youtube_millis(seconds: int) -> bool:
    """Takeout writes milliseconds for most entries and none for some."""
    return seconds % 2 == 0


def iso(seconds: int, millis: bool = False) -> str:
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{text}.{millis_of(seconds):03d}Z" if millis else f"{text}Z"


def scrobbled(spotify_rows: list[dict], share: float, seed: int = 7) -> list[Scrobble]:
    """The share of the Spotify music streams a scrobbler also recorded, stamped when each play started."""
    rng = random.Random(seed)
    music = [row for row in spotify_rows if row["master_metadata_track_name"] and row["ms_played"] >= STREAM_MS
             and row["master_metadata_album_artist_name"]]
    unique = {(row["ts"], row["master_metadata_track_name"]): row for row in music}.values()
    return [Scrobble(row["master_metadata_album_artist_name"], row["master_metadata_track_name"],
                     row["master_metadata_album_album_name"], epoch(row["ts"]) - row["ms_played"] // 1000)
            for row in unique if rng.random() < share]


def own_plays(n: int, start: str, seed: int = 11, artists: int = 12, albums: bool = True,
              titles_of_their_own: bool = False) -> list[Scrobble]:
    """n plays no Spotify export holds: their own artists, one every 7 minutes or so from `start`. Songs share
    titles across artists unless titles_of_their_own."""
    rng = random.Random(seed)
    first = calendar.timegm(time.strptime(start, "%Y-%m-%d"))
    names = [f"Scrobbled Artist {k} ‘Ünï’" if k % 3 == 0 else f"Scrobbled Artist {k}" for k in range(artists)]
    plays = []
    for k in range(n):
        artist = names[min(int(rng.paretovariate(1.2)) - 1, artists - 1)]
        track = f"Song {rng.randrange(8)}, part {k % 3}"
        if titles_of_their_own:
            track = f"{track} ({artist})"
        album = f"{artist} LP" if albums and rng.random() < 0.8 else None
        plays.append(Scrobble(artist, track, album, first + k * 420 + rng.randrange(60)))
    return plays


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def lastfm_csv(plays: list[Scrobble], layout: str = "uts") -> bytes:
    """Last.fm scrobbles as the common exporters write them, newest first: `uts` (the eight-column CSV with
    epoch seconds), `utc_time` (time in words, four columns) or `plain` (headerless artist,album,track,date)."""
    newest_first = sorted(plays, key=lambda play: -play.started)
    if layout == "uts":
        return _csv([LASTFM_HEADER] + [[str(p.started), time.strftime("%d %b %Y, %H:%M", time.gmtime(p.started)),
                                        p.artist, "", p.album or "", "", p.track, ""] for p in newest_first])
    if layout == "utc_time":
        return _csv([["utc_time", "artist", "album", "track"]]
                    + [[time.strftime("%d %b %Y, %H:%M", time.gmtime(p.started)), p.artist, p.album or "", p.track]
                       for p in newest_first])
    return _csv([[p.artist, p.album or "", p.track, time.strftime("%d %b %Y %H:%M", time.gmtime(p.started))]
                 for p in newest_first])


def to_minute(plays: list[Scrobble]) -> list[Scrobble]:
    """The plays as a layout that keeps only the minute records them."""
    return [replace(play, started=play.started - play.started % 60) for play in plays]


def listenbrainz_zip(plays: list[Scrobble], user: str = "exportgen-test-user") -> bytes:
    """ListenBrainz's export: user.json, feedback.jsonl and listens/<year>/<month>.jsonl."""
    months: dict[str, list[str]] = {}
    for play in sorted(plays, key=lambda p: p.started):
        year, month = time.gmtime(play.started)[:2]
        metadata = {"artist_name": play.artist, "track_name": play.track,
                    "additional_info": {"submission_client": "exportgen", "music_service": "spotify.com"}}
        if play.album:
            metadata["release_name"] = play.album
        months.setdefault(f"listens/{year}/{month}.jsonl", []).append(json.dumps(
            {"listened_at": play.started, "inserted_at": play.started + 5, "recording_msid": f"msid-{play.started}",
             "track_metadata": metadata, "user_name": user}, ensure_ascii=False))
    members = {"user.json": json.dumps({"user_id": 1, "user_name": user}).encode(), "feedback.jsonl": b""}
    members.update({name: ("\n".join(lines) + "\n").encode() for name, lines in months.items()})
    return zip_of(members)


@dataclass(frozen=True)
class WatchHistory:
    """Takeout entries and what each kind left out is: the plays of music among them, and the rest."""
    entries: list[dict]
    music: list[Scrobble]
    removed: int
    ads: int
    videos: int


def youtube_history(plays: list[Scrobble], removed: int = 3, ads: int = 2, videos: int = 4) -> WatchHistory:
    """watch-history.json: the plays, half played in YouTube Music, half as Topic-channel videos on YouTube,
    among removed videos, ads and ordinary videos."""
    entries = []
    for k, play in enumerate(plays):
        header = "YouTube Music" if k % 2 == 0 else "YouTube"
        entries.append({"header": header, "title": f"Watched {play.track}",
                        "titleUrl": f"https://music.youtube.com/watch?v=v{k:09d}",
                        "subtitles": [{"name": f"{play.artist} - Topic",
                                       "url": f"https://www.youtube.com/channel/c{k}"}],
                        "time": iso(play.started, millis=youtube_millis(play.started)), "products": ["YouTube"],
                        "activityControls": ["YouTube watch history"]})
    last = plays[-1].started if plays else 1_600_000_000
    for k in range(removed):
        entries.append({"header": "YouTube Music", "title": "Watched a video that has been removed",
                        "time": iso(last + 100 + k), "products": ["YouTube"]})
    for k in range(ads):
        entries.append({"header": "YouTube", "title": "Watched Brand summer sale", "titleUrl": "https://www.youtube.com/"
                        f"watch?v=ad{k}", "subtitles": [{"name": "Brand"}], "details": [{"name": "From Google Ads"}],
                        "time": iso(last + 200 + k), "products": ["YouTube"]})
    for k in range(videos):
        entries.append({"header": "YouTube", "title": f"Watched How to fix a bike, part {k}",
                        "subtitles": [{"name": "Bike Channel"}], "time": iso(last + 300 + k),
                        "products": ["YouTube"]})
    entries.sort(key=lambda entry: entry["time"], reverse=True)
    return WatchHistory(entries, plays, removed, ads, videos)


def takeout_zip(history: WatchHistory) -> bytes:
    return zip_of({"Takeout/YouTube and YouTube Music/history/watch-history.json":
                   json.dumps(history.entries, ensure_ascii=False, indent=2).encode(),
                   "Takeout/YouTube and YouTube Music/history/search-history.json": b"[]",
                   "Takeout/archive_browser.html": b"<html></html>"})


APPLE_FOLDER = "Apple_Media_Services/Apple Music Activity/"
APPLE_OLD = ["Apple Id Number", "Artist Name", "Build Version", "Client IP Address", "Content Name",
             "End Reason Type", "Event End Timestamp", "Event Start Timestamp", "Event Type", "Album Name",
             "Media Duration In Milliseconds", "Play Duration Milliseconds", "UTC Offset In Seconds"]
APPLE_NEW = ["Album Name", "Container Description", "Device Identifier", "End Reason Type", "Event End Timestamp",
             "Event Start Timestamp", "Event Type", "Media Duration In Milliseconds", "Play Duration Milliseconds",
             "Song Name", "UTC Offset In Seconds"]


def apple_zip(plays: list[Scrobble], newer: bool, daily_tracks: bool = True) -> bytes:
    """Apple's privacy export: Play Activity (PLAY_END rows carry the plays, others are noise), and in the
    newer form the Daily Tracks file whose "Artist - Title" descriptions name the artists."""
    header = APPLE_NEW if newer else APPLE_OLD
    rows = [header]
    for k, play in enumerate(plays):
        values = {"Apple Id Number": "1", "Artist Name": play.artist, "Content Name": play.track,
                  "Song Name": play.track, "Album Name": play.album or "",
                  "Event Start Timestamp": iso(play.started, millis=True),
                  "Event End Timestamp": iso(play.started + play.ms // 1000), "Event Type": "PLAY_END",
                  "Play Duration Milliseconds": str(play.ms), "Media Duration In Milliseconds": str(play.ms + 1000),
                  "Client IP Address": "192.0.2.1", "UTC Offset In Seconds": "3600",
                  "End Reason Type": "NATURAL_END_OF_TRACK"}
        rows.append([values.get(column, "") for column in header])
        if k % 5 == 0:  # an event that is no play: no song, no duration
            rows.append([{"Event Type": "LYRIC_DISPLAY", "Event Start Timestamp": iso(play.started + 1)}.get(c, "")
                         for c in header])
    members = {f"{APPLE_FOLDER}Apple Music Play Activity.csv": _csv(rows),
               f"{APPLE_FOLDER}Apple Music Library Tracks.json": b"[]"}
    if newer and daily_tracks:
        daily = [["Country", "Track Identifier", "Media type", "Date Played", "Hours", "Play Duration Milliseconds",
                  "Source Type", "Play Count", "Skip Count", "Ignore For Recommendations", "Track Reference",
                  "Track Description"]]
        seen = {(time.strftime("%Y%m%d", time.gmtime(p.started)), p.artist, p.track) for p in plays}
        daily += [["DE", "1", "AUDIO", day, "12", "1000", "IPHONE", "1", "0", "", "1", f"{artist} - {track}"]
                  for day, artist, track in sorted(seen)]
        members[f"{APPLE_FOLDER}Apple Music - Play History Daily Tracks.csv"] = _csv(daily)
    return zip_of(members)


def with_lengths(plays: list[Scrobble], seed: int = 3) -> list[Scrobble]:
    """The plays with lengths, as a service that records them (Apple Music) would hold them."""
    rng = random.Random(seed)
    return [replace(play, ms=rng.choice([0, 12_000, 95_000, 181_000, 240_500])) for play in plays]
