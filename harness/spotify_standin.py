"""A stand-in for Spotify's token endpoint, Web API and image CDN, on the stand-in base (harness/standins.py),
speaking their wire format.

It knows a catalogue (track id -> artist, album), gives every artist and album a distinct vivid
colour, and serves their pictures as small generated PNGs (artists) and JPEGs (albums). It counts
every request it receives. Modes copy Spotify's ways of failing:
  ok         everything answers
  batch403   /tracks?ids= and /artists?ids= answer 403, as for apps in development mode
  ratelimit  the first Web API request answers 429 with Retry-After: 1
  quota      every Web API request answers 429 QUOTA_EXCEEDED with Retry-After `quota_retry_after`
             (a day, as reported of development mode since July 2026); a test may set mode back to ok
  hang       every request is accepted and never answered
and `faults` (harness/misbehaviour.py) add the ways a misbehaving upstream answers: slowly, hugely,
out of order, garbled, or with a picture that is not one. What such answers sent is in `sent`.
"""
from __future__ import annotations

import base64
import colorsys
import gzip
import hashlib
import io
import json
import threading

from PIL import Image

from harness.misbehaviour import SpotifyFaults, garble_batch, gzip_bomb, solid_png
from harness.standins import Exchange, Route, Standin

TOKEN = "standin-access-token"
DECLARED_SIZES = (640, 300, 64)      # what Spotify lists; the served pictures are smaller, to stay fast


def spotify_id(text: str) -> str:
    """A base62 id of 22 characters derived from text, like Spotify's."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int.from_bytes(hashlib.sha256(text.encode()).digest()[:17], "big")
    digits = []
    for _ in range(22):
        number, digit = divmod(number, 62)
        digits.append(alphabet[digit])
    return "".join(digits)


def _luminance(rgb: tuple[int, int, int]) -> float:
    lin = [(c / 255) / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def vivid_colour(index: int) -> tuple[int, int, int]:
    """Colour number index: hues spread by the golden ratio, lightness set for a mid luminance
    (readable on a dark page and distinct from white text, so the service should keep it as is)."""
    hue = (index * 0.618034) % 1.0
    low, high = 0.2, 0.8
    for _ in range(30):
        lightness = (low + high) / 2
        rgb = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, lightness, 0.85))
        low, high = (lightness, high) if _luminance(rgb) < 0.28 else (low, lightness)
    return rgb


class SpotifyStandin(Standin):
    protocol_version = "HTTP/1.0"  # one request per connection: every answer ends by closing it
    idle_timeout = None

    def __init__(self, tracks: dict[str, tuple[str, str]], mode: str = "ok", faults: SpotifyFaults | None = None):
        """tracks: track id -> (artist name, album name)."""
        assert mode in ("ok", "batch403", "ratelimit", "hang", "quota")
        super().__init__(hang=mode == "hang")
        self.mode = mode
        self.faults = faults or SpotifyFaults()
        self.tracks = tracks
        artists = sorted({artist for artist, _ in tracks.values()})
        albums = sorted({(album, artist) for artist, album in tracks.values()})
        self.artist_ids = {name: spotify_id("artist:" + name) for name in artists}
        self.album_ids = {key: spotify_id("album:" + "\x1f".join(key)) for key in albums}
        self.artist_by_id = {aid: name for name, aid in self.artist_ids.items()}
        self.colours = {aid: vivid_colour(i) for i, aid in enumerate(self.artist_ids.values())}
        self.colours.update({alid: vivid_colour(len(artists) + i) for i, alid in enumerate(self.album_ids.values())})
        self._rate_limited = False
        self.quota_retry_after = "86400"
        self._first_lock = threading.Lock()

    @property
    def api_url(self) -> str:
        return self.url + "/v1/"

    @property
    def token_url(self) -> str:
        return self.url + "/api/token"

    def artist_colour(self, name: str) -> tuple[int, int, int]:
        return self.colours[self.artist_ids[name]]

    def album_colour(self, album: str, artist: str) -> tuple[int, int, int]:
        return self.colours[self.album_ids[(album, artist)]]

    def routes(self) -> list[Route]:
        return [Route("POST", r"/api/token", self._token),
                Route("GET", r"/image/[^/]+/([^/]+)/([^/]+)", self._image),
                Route("GET", r"/moved/image/[^/]+/([^/]+)/[^/]+", self._moved_image),
                Route("GET", r"/v1/(.*)", self._api),
                Route("GET", r".*", self._not_found)]

    # --- the wire format -------------------------------------------------------------------------------------

    def _artist_json(self, name: str) -> dict:
        aid = self.artist_ids[name]
        return {"id": aid, "name": name, "type": "artist", "uri": f"spotify:artist:{aid}",
                "images": self._images("artist", aid, "png")}

    def _track_json(self, tid: str) -> dict | None:
        if tid not in self.tracks:
            return None
        artist, album = self.tracks[tid]
        alid = self.album_ids[(album, artist)]
        simple_artist = {"id": self.artist_ids[artist], "name": artist, "type": "artist"}
        return {"id": tid, "name": f"track {tid}", "type": "track", "uri": f"spotify:track:{tid}",
                "artists": [simple_artist],
                "album": {"id": alid, "name": album, "type": "album", "artists": [simple_artist],
                          "images": self._images("album", alid, "jpg")}}

    def _images(self, kind: str, item_id: str, extension: str) -> list[dict]:
        return [{"url": f"{self.url}/image/{kind}/{item_id}/{size}.{extension}", "width": size, "height": size}
                for size in DECLARED_SIZES]

    def _picture(self, item_id: str, extension: str) -> bytes:
        if self.artist_by_id.get(item_id) in self.faults.huge_pictures:
            return solid_png(self.faults.huge_side, self.colours[item_id])
        # not square, so the service has to crop; a plain colour, so any sample of it is that colour
        image = Image.new("RGB", (60, 45), self.colours[item_id])
        buffer = io.BytesIO()
        image.save(buffer, format="PNG" if extension == "png" else "JPEG", quality=95)
        return buffer.getvalue()

    def _artist_of(self, item: dict) -> str:
        return item["name"] if item.get("type") == "artist" else item["artists"][0]["name"]

    def _first_api_call(self) -> bool:
        with self._first_lock:
            first, self._rate_limited = not self._rate_limited, True
        return first

    # --- the routes ------------------------------------------------------------------------------------------

    def _token(self, exchange: Exchange) -> None:
        body = exchange.captured.body.decode()
        basic = exchange.headers.get("Authorization", "").removeprefix("Basic ")
        if "grant_type=client_credentials" not in body or ":" not in base64.b64decode(basic or "Og==").decode():
            return _json(exchange, 400, {"error": "invalid_request"})
        _json(exchange, 200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600})

    def _image(self, exchange: Exchange, item_id: str, name: str) -> None:
        data = self._picture(item_id, name.rsplit(".", 1)[-1])
        artist = self.artist_by_id.get(item_id)
        if artist in self.faults.dribbled_pictures:
            exchange.dribble("200 OK", {"Content-Type": "image/png", "Content-Length": str(len(data))}, data)
            return
        content_type = "image/png" if name.endswith("png") else "image/jpeg"
        if artist in self.faults.html_pictures:
            content_type = "text/html; charset=utf-8"
        if artist in self.faults.redirected_pictures:  # to the same picture, on another path
            moved = exchange.path.replace("/image/", "/moved/image/")
            return exchange.send(302, b"", "text/plain", {"Location": moved})
        exchange.send(200, data, content_type)

    def _moved_image(self, exchange: Exchange, item_id: str) -> None:
        exchange.send(200, self._picture(item_id, "png"), "image/png")

    def _not_found(self, exchange: Exchange) -> None:
        if self._authorised(exchange):
            _json(exchange, 404, {"error": {"status": 404, "message": "Resource not found"}})

    def _authorised(self, exchange: Exchange) -> bool:
        """Answers 401 without the token, 429 to the first call in ratelimit mode and to every call in quota mode."""
        if exchange.headers.get("Authorization") != f"Bearer {TOKEN}":
            _json(exchange, 401, {"error": {"status": 401, "message": "No token provided"}})
            return False
        if self.mode == "quota":
            _json(exchange, 429, {"error": {"status": 429, "message": "API rate limit exceeded",
                                            "reason": "QUOTA_EXCEEDED"}}, {"Retry-After": self.quota_retry_after})
            return False
        if self._first_api_call() and self.mode == "ratelimit":
            _json(exchange, 429, {"error": {"status": 429, "message": "API rate limit exceeded"}},
                  {"Retry-After": "1"})
            return False
        return True

    def _api(self, exchange: Exchange, path: str) -> None:
        if not self._authorised(exchange):
            return
        parts, query = [p for p in path.split("/") if p], exchange.captured.params()
        if len(parts) == 1 and parts[0] in ("tracks", "artists") and "ids" in query:
            return self._batch(exchange, parts[0], query["ids"][0].split(","))
        if len(parts) == 2 and parts[0] == "tracks" and self._track_json(parts[1]):
            return _json(exchange, 200, self._track_json(parts[1]))
        if len(parts) == 2 and parts[0] == "artists" and parts[1] in self.artist_by_id:
            return _json(exchange, 200, self._artist_json(self.artist_by_id[parts[1]]))
        _json(exchange, 404, {"error": {"status": 404, "message": "Resource not found"}})

    def _batch(self, exchange: Exchange, kind: str, ids: list[str]) -> None:
        if self.mode == "batch403":
            return _json(exchange, 403, {"error": {"status": 403, "message": "Forbidden"}})
        if kind == "tracks" and self.faults.bomb_lookups:
            exchange.stream("200 OK", {"Content-Type": "application/json", "Content-Encoding": "gzip"},
                            gzip_bomb(b'{"tracks": [', b"]}"))
            return
        if kind == "tracks":
            items = [self._track_json(i) for i in ids]
        else:
            items = [self._artist_json(self.artist_by_id[i]) if i in self.artist_by_id else None for i in ids]
        answer = json.dumps({kind: garble_batch(self.faults, kind, items, self._artist_of)}).encode()
        if self.faults.dribbled_lookups:
            exchange.dribble("200 OK", {"Content-Type": "application/json", "Content-Length": str(len(answer))},
                             answer)
            return
        _json(exchange, 200, answer)


def _json(exchange: Exchange, status: int, body: dict | bytes, headers: dict | None = None) -> None:
    """A JSON answer, gzipped when the client accepts it, as Spotify does."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    if "gzip" in exchange.headers.get("Accept-Encoding", ""):
        data, headers = gzip.compress(data), {**(headers or {}), "Content-Encoding": "gzip"}
    exchange.send(status, data, "application/json", headers)
