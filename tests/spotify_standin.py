"""A stand-in for Spotify's token endpoint and Web API on 127.0.0.1, speaking their wire format.

It knows a catalogue (track id -> artist, album), gives every artist and album a distinct vivid
colour, and serves their pictures as small generated PNGs (artists) and JPEGs (albums). It counts
every request it receives. Modes copy Spotify's ways of failing:
  ok         everything answers
  batch403   /tracks?ids= and /artists?ids= answer 403, as for apps in development mode
  ratelimit  the first Web API request answers 429 with Retry-After: 1
  hang       every request is accepted and never answered
and `faults` (tests/misbehaviour.py) add the ways a misbehaving upstream answers: slowly, hugely,
out of order, garbled, or with a picture that is not one. What such answers sent is in `sent`.
"""
from __future__ import annotations

import base64
import colorsys
import gzip
import hashlib
import io
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from PIL import Image

from tests.misbehaviour import (
    Sent,
    SpotifyFaults,
    garble_batch,
    gzip_bomb,
    raw_answer,
    send_blocks,
    send_dribbled,
    solid_png,
)

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


class SpotifyStandin:
    def __init__(self, tracks: dict[str, tuple[str, str]], mode: str = "ok", faults: SpotifyFaults | None = None):
        """tracks: track id -> (artist name, album name)."""
        assert mode in ("ok", "batch403", "ratelimit", "hang")
        self.mode = mode
        self.faults = faults or SpotifyFaults()
        self.sent: list[Sent] = []
        self.tracks = tracks
        artists = sorted({artist for artist, _ in tracks.values()})
        albums = sorted({(album, artist) for artist, album in tracks.values()})
        self.artist_ids = {name: spotify_id("artist:" + name) for name in artists}
        self.album_ids = {key: spotify_id("album:" + "\x1f".join(key)) for key in albums}
        self.artist_by_id = {aid: name for name, aid in self.artist_ids.items()}
        self.colours = {aid: vivid_colour(i) for i, aid in enumerate(self.artist_ids.values())}
        self.colours.update({alid: vivid_colour(len(artists) + i) for i, alid in enumerate(self.album_ids.values())})
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._rate_limited = False
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base + "/v1/"

    @property
    def token_url(self) -> str:
        return self.base + "/api/token"

    def artist_colour(self, name: str) -> tuple[int, int, int]:
        return self.colours[self.artist_ids[name]]

    def album_colour(self, album: str, artist: str) -> tuple[int, int, int]:
        return self.colours[self.album_ids[(album, artist)]]

    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def __enter__(self) -> "SpotifyStandin":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

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
        return [{"url": f"{self.base}/image/{kind}/{item_id}/{size}.{extension}", "width": size, "height": size}
                for size in DECLARED_SIZES]

    def _picture(self, item_id: str, extension: str) -> bytes:
        if self.artist_by_id.get(item_id) in self.faults.huge_pictures:
            return solid_png(self.faults.huge_side, self.colours[item_id])
        # not square, so the service has to crop; a plain colour, so any sample of it is that colour
        image = Image.new("RGB", (60, 45), self.colours[item_id])
        buffer = io.BytesIO()
        image.save(buffer, format="PNG" if extension == "png" else "JPEG", quality=95)
        return buffer.getvalue()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                if not standin._count_and_maybe_hang(self):
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                basic = self.headers.get("Authorization", "").removeprefix("Basic ")
                if urlparse(self.path).path != "/api/token" or "grant_type=client_credentials" not in body \
                        or ":" not in base64.b64decode(basic or "Og==").decode():
                    return self._json(400, {"error": "invalid_request"})
                self._json(200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600})

            def do_GET(self) -> None:
                if not standin._count_and_maybe_hang(self):
                    return
                url = urlparse(self.path)
                parts = [p for p in url.path.split("/") if p]
                if parts[:1] == ["image"] and len(parts) == 4:
                    return self._image(parts[2], parts[3])
                if parts[:2] == ["moved", "image"] and len(parts) == 5:
                    return self._send(200, standin._picture(parts[3], "png"), "image/png")
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._json(401, {"error": {"status": 401, "message": "No token provided"}})
                if standin._first_api_call() and standin.mode == "ratelimit":
                    return self._json(429, {"error": {"status": 429, "message": "API rate limit exceeded"}},
                                      {"Retry-After": "1"})
                self._api(parts[1:] if parts[:1] == ["v1"] else [], parse_qs(url.query))

            def _api(self, parts: list[str], query: dict) -> None:
                if len(parts) == 1 and parts[0] in ("tracks", "artists") and "ids" in query:
                    if standin.mode == "batch403":
                        return self._json(403, {"error": {"status": 403, "message": "Forbidden"}})
                    ids = query["ids"][0].split(",")
                    if parts[0] == "tracks" and standin.faults.bomb_lookups:
                        return self._misbehave(gzip_bomb(b'{"tracks": [', b"]}"), gzip=True)
                    if parts[0] == "tracks":
                        items = [standin._track_json(i) for i in ids]
                    else:
                        items = [standin._artist_json(standin.artist_by_id[i]) if i in standin.artist_by_id else None
                                 for i in ids]
                    answer = {parts[0]: garble_batch(standin.faults, parts[0], items, standin._artist_of)}
                    if standin.faults.dribbled_lookups:
                        return self._misbehave(json.dumps(answer).encode(), dribbled=True)
                    return self._json(200, answer)
                if len(parts) == 2 and parts[0] == "tracks" and standin._track_json(parts[1]):
                    return self._json(200, standin._track_json(parts[1]))
                if len(parts) == 2 and parts[0] == "artists" and parts[1] in standin.artist_by_id:
                    return self._json(200, standin._artist_json(standin.artist_by_id[parts[1]]))
                self._json(404, {"error": {"status": 404, "message": "Resource not found"}})

            def _image(self, item_id: str, name: str) -> None:
                data = standin._picture(item_id, name.rsplit(".", 1)[-1])
                artist = standin.artist_by_id.get(item_id)
                if artist in standin.faults.dribbled_pictures:
                    return self._misbehave(data, dribbled=True, content_type="image/png")
                content_type = "image/png" if name.endswith("png") else "image/jpeg"
                if artist in standin.faults.html_pictures:
                    content_type = "text/html; charset=utf-8"
                if artist in standin.faults.redirected_pictures:  # to the same picture, on another path
                    return self._send(302, b"", "text/plain", {"Location": self.path.replace("/image/", "/moved/image/")})
                self._send(200, data, content_type)

            def _misbehave(self, body, dribbled: bool = False, gzip: bool = False,
                           content_type: str = "application/json") -> None:
                """Answer slowly (the whole answer a byte a second) or hugely (blocks until the client hangs up)."""
                sent = Sent(self.path)
                with standin._lock:
                    standin.sent.append(sent)
                self.close_connection = True
                if dribbled:
                    data = raw_answer("200 OK", {"Content-Type": content_type, "Content-Length": str(len(body))}, body)
                    return send_dribbled(self.wfile.write, data, sent, standin._release)
                headers = {"Content-Type": content_type, **({"Content-Encoding": "gzip"} if gzip else {})}
                send_blocks(self.wfile.write, itertools.chain([raw_answer("200 OK", headers, b"")], body), sent,
                            standin._release)

            def _json(self, status: int, body: dict, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                if "gzip" in self.headers.get("Accept-Encoding", ""):  # as Spotify does
                    data, headers = gzip.compress(data), {**(headers or {}), "Content-Encoding": "gzip"}
                self._send(status, data, "application/json", headers)

            def _send(self, status: int, data: bytes, content_type: str, headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _artist_of(self, item: dict) -> str:
        return item["name"] if item.get("type") == "artist" else item["artists"][0]["name"]

    def _first_api_call(self) -> bool:
        with self._lock:
            first, self._rate_limited = not self._rate_limited, True
        return first

    def _count_and_maybe_hang(self, handler: BaseHTTPRequestHandler) -> bool:
        with self._lock:
            self.requests.append(f"{handler.command} {handler.path}")
        if self.mode == "hang":
            self._release.wait()  # accepted, never answered
            return False
        return True
