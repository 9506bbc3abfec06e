"""Stand-ins for the keyless artwork sources, speaking their wire format: Spotify's oEmbed endpoint and
Deezer's public search API, each serving its pictures itself (tests point ARTWORK_IMAGE_HOSTS at 127.0.0.1).

Pictures have the colours the Spotify stand-in gives the same artists and albums (harness/spotify_standin.py),
so harness/artwork_checks.py tells which bar got which picture whichever source drew it. Deezer's search is
loose, as the real one is: every answer leads with a near miss (a tribute act, a karaoke cover, in a
colour of its own), so only an exact match gives the right picture.
"""
from __future__ import annotations

import hashlib
import io
import re
import threading
import unicodedata
from urllib.parse import parse_qs

from PIL import Image

from harness.spotify_standin import spotify_id, vivid_colour
from harness.standins import Exchange, Route, Standin

DECOY_COLOUR = (40, 220, 40)          # a near miss's picture: drawn only by a matching that is not exact
PLACEHOLDER_COLOUR = (128, 128, 128)  # Deezer's picture of an artist without one
QUOTA_ANSWER = {"error": {"type": "Exception", "message": "Quota limit exceeded", "code": 4}}


def jpeg(rgb: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (56, 42), rgb).save(buffer, format="JPEG", quality=95)   # not square: cropped by the service
    return buffer.getvalue()


def loosely(asked: str, name: str) -> bool:
    """Deezer's kind of match: the first letters asked, accents and case aside, anywhere in the name."""
    def fold(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    return fold(asked)[:3] in fold(name)


class _Catalogue:
    """The Spotify stand-in's catalogue, ids and colours (harness/spotify_standin.py), without its server."""

    def __init__(self, tracks: dict[str, tuple[str, str]], titles: dict[str, str]):
        self.tracks, self.titles = tracks, titles
        artists = sorted({artist for artist, _ in tracks.values()})
        albums = sorted({(album, artist) for artist, album in tracks.values()})
        self.album_ids = {key: spotify_id("album:" + "\x1f".join(key)) for key in albums}
        self.artist_colours = {name: vivid_colour(i) for i, name in enumerate(artists)}
        self.album_colours = {key: vivid_colour(len(artists) + i) for i, key in enumerate(albums)}
        self.colour_by_album_id = {self.album_ids[key]: colour for key, colour in self.album_colours.items()}

    def artist_colour(self, name: str) -> tuple[int, int, int]:
        return self.artist_colours[name]

    def album_colour(self, album: str, artist: str) -> tuple[int, int, int]:
        return self.album_colours[(album, artist)]


class OembedStandin(Standin):
    """GET /oembed?url=https://open.spotify.com/track/<id>: the track's album cover, as Spotify answers it.
    mode: ok; quota (429, Retry-After a day); other_track (the embed names another track)."""

    def __init__(self, tracks: dict[str, tuple[str, str]], titles: dict[str, str], mode: str = "ok"):
        super().__init__()
        self.catalogue, self.mode = _Catalogue(tracks, titles), mode

    artist_colour = property(lambda self: self.catalogue.artist_colour)
    album_colour = property(lambda self: self.catalogue.album_colour)

    @property
    def oembed_url(self) -> str:
        return self.url + "/oembed"

    def routes(self) -> list[Route]:
        return [Route("GET", r"/oembed", self._oembed), Route("GET", r"/image/album/([^/]+)/300\.jpg", self._cover)]

    def _oembed(self, exchange: Exchange) -> None:
        if self.mode == "quota":
            return exchange.send_json(429, {"error": {"status": 429, "message": "Too many requests"}},
                                      {"Retry-After": "86400"})
        asked = exchange.captured.params().get("url", [""])[0]
        match = re.fullmatch(r"https://open\.spotify\.com/track/([0-9A-Za-z]+)", asked)
        if not match or match.group(1) not in self.catalogue.tracks:
            return exchange.send(404, b"Not Found", "text/plain")
        track_id = match.group(1)
        artist, album = self.catalogue.tracks[track_id]
        embedded = spotify_id("another track") if self.mode == "other_track" else track_id
        album_id = self.catalogue.album_ids[(album, artist)]
        exchange.send_json(200, {
            "html": f'<iframe style="border-radius: 12px" width="100%" height="152" title="Spotify Embed: '
                    f'{self.catalogue.titles[track_id]}" frameborder="0" allowfullscreen '
                    f'src="https://open.spotify.com/embed/track/{embedded}?utm_source=oembed"></iframe>',
            "iframe_url": f"https://open.spotify.com/embed/track/{embedded}?utm_source=oembed",
            "width": 456, "height": 152, "version": "1.0", "provider_name": "Spotify",
            "provider_url": "https://spotify.com", "type": "rich", "title": self.catalogue.titles[track_id],
            "thumbnail_url": f"{self.url}/image/album/{album_id}/300.jpg", "thumbnail_width": 300,
            "thumbnail_height": 300})

    def _cover(self, exchange: Exchange, album_id: str) -> None:
        exchange.send(200, jpeg(self.catalogue.colour_by_album_id[album_id]), "image/jpeg")


class DeezerStandin(Standin):
    """Deezer's /search/artist, /search (tracks) and /search/album, matching loosely as Deezer does.

    names: how Deezer spells an artist the export spells otherwise (accents, "and"); missing: artists Deezer
    knows only near misses of; faceless: artists with Deezer's placeholder picture; quota_first: the first
    search answers Deezer's "Quota limit exceeded" (code 4).
    """

    def __init__(self, tracks: dict[str, tuple[str, str]], titles: dict[str, str], names: dict[str, str] | None = None,
                 missing: frozenset[str] = frozenset(), faceless: frozenset[str] = frozenset(),
                 quota_first: bool = False):
        super().__init__()
        self.catalogue = _Catalogue(tracks, titles)
        self.names, self.missing, self.faceless = names or {}, missing, faceless
        self._quota_left = 1 if quota_first else 0
        self._lock = threading.Lock()
        self.pictures: dict[str, tuple[int, int, int]] = {"": PLACEHOLDER_COLOUR}

    artist_colour = property(lambda self: self.catalogue.artist_colour)
    album_colour = property(lambda self: self.catalogue.album_colour)

    def routes(self) -> list[Route]:
        return [Route("GET", r"/search/artist", self._artists), Route("GET", r"/search", self._tracks),
                Route("GET", r"/search/album", self._albums),
                Route("GET", r"/images/(?:artist|cover)/([0-9a-f]*)/\d+x\d+-000000-80-0-0\.jpg", self._picture)]

    def _picture_urls(self, kind: str, field: str, colour: tuple[int, int, int] | None) -> dict[str, str]:
        md5 = ""
        if colour is not None:
            md5 = hashlib.md5(repr(colour).encode()).hexdigest()
            self.pictures[md5] = colour
        sizes = {"small": 56, "medium": 250, "big": 500, "xl": 1000}
        return {f"{field}_{size}": f"{self.url}/images/{kind}/{md5}/{px}x{px}-000000-80-0-0.jpg"
                for size, px in sizes.items()}

    def _artist(self, name: str, colour: tuple[int, int, int] | None, fans: int) -> dict:
        return {"id": int(hashlib.sha256(name.encode()).hexdigest()[:8], 16), "name": name,
                "link": "https://www.deezer.com/artist/1", "picture": f"{self.url}/artist/1/image",
                **self._picture_urls("artist", "picture", colour), "nb_album": 3, "nb_fan": fans, "radio": True,
                "tracklist": "https://api.deezer.com/artist/1/top?limit=50", "type": "artist"}

    def _spelling(self, artist: str) -> str:
        return self.names.get(artist, artist)

    def _answer(self, exchange: Exchange, items: list[dict]) -> None:
        with self._lock:
            quota, self._quota_left = self._quota_left > 0, max(0, self._quota_left - 1)
        if quota:
            return exchange.send_json(200, QUOTA_ANSWER)
        exchange.send_json(200, {"data": items, "total": len(items)} if items else
                           {"data": [], "total": 0})

    def _query(self, exchange: Exchange) -> str:
        return parse_qs(exchange.captured.query).get("q", [""])[0]

    def _artists(self, exchange: Exchange) -> None:
        query, items = self._query(exchange), []
        for artist in sorted({artist for artist, _ in self.catalogue.tracks.values()}):
            if query and loosely(query, self._spelling(artist)):
                items.append(self._artist(f"{self._spelling(artist)} Tribute Band", DECOY_COLOUR, 10))
                if artist not in self.missing:
                    colour = None if artist in self.faceless else self.artist_colour(artist)
                    items.append(self._artist(self._spelling(artist), colour, 5000))
        self._answer(exchange, items)

    def _fields(self, exchange: Exchange) -> dict[str, str]:
        return dict(re.findall(r'(\w+):"([^"]*)"', self._query(exchange)))

    def _album(self, album: str, artist: str, colour: tuple[int, int, int]) -> dict:
        return {"id": 302127, "title": album, "link": "https://www.deezer.com/album/302127",
                "cover": f"{self.url}/album/302127/image", **self._picture_urls("cover", "cover", colour),
                "md5_image": "", "record_type": "album", "tracklist": "https://api.deezer.com/album/302127/tracks",
                "explicit_lyrics": False, "artist": self._artist(self._spelling(artist), None, 0), "type": "album"}

    def _tracks(self, exchange: Exchange) -> None:
        asked, items = self._fields(exchange), []
        for track_id, (artist, album) in sorted(self.catalogue.tracks.items()):
            title = self.catalogue.titles[track_id]
            if loosely(asked.get("artist", ""), self._spelling(artist)) and loosely(asked.get("track", ""), title):
                for shown, colour in ((f"{title} (Karaoke Version)", DECOY_COLOUR),
                                      (title, self.album_colour(album, artist))):
                    items.append({"id": 3135556, "readable": True, "title": shown, "title_short": shown,
                                  "title_version": "", "link": "https://www.deezer.com/track/3135556",
                                  "duration": 224, "rank": 900000, "explicit_lyrics": False,
                                  "preview": "https://cdns-preview-e.dzcdn.net/stream/c-1.mp3",
                                  "artist": self._artist(self._spelling(artist), None, 0),
                                  "album": self._album(album, artist, colour), "type": "track"})
        self._answer(exchange, items[:25])

    def _albums(self, exchange: Exchange) -> None:
        asked = self._fields(exchange)
        albums = sorted({(album, artist) for artist, album in self.catalogue.tracks.values()})
        self._answer(exchange, [self._album(album, artist, self.album_colour(album, artist)) for album, artist in albums
                                if loosely(asked.get("artist", ""), self._spelling(artist))
                                and loosely(asked.get("album", ""), album)])

    def _picture(self, exchange: Exchange, md5: str) -> None:
        exchange.send(200, jpeg(self.pictures.get(md5, PLACEHOLDER_COLOUR)), "image/jpeg")
