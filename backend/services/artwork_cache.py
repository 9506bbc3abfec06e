"""The shared disk cache of artwork: Spotify id lookups as small JSON files, pictures ready to draw;
and the shape of a cached lookup (what is kept of Spotify's track and artist objects).

Only public catalogue data lives here (ids, image URLs, pictures), never a session id or a play,
so every session shares it. Pictures are stored already cropped square and scaled to the drawn
size, so a cached picture costs a PNG decode and nothing else. The folder is bounded: when it
grows past its limit the least recently used files go (reads refresh a file's mtime).
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import threading
import uuid
from pathlib import Path

from PIL import Image, UnidentifiedImageError

log = logging.getLogger(__name__)

SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{1,64}$")  # base62: the only ids that may become file names
LOOKUP_KINDS = ("tracks", "artists")
PICTURES = "pictures"


class ArtworkCache:
    def __init__(self, root: str | Path, max_bytes: int):
        self.root = Path(root)
        self.max_bytes = max(0, int(max_bytes))
        self._lock = threading.Lock()
        self._total: int | None = None   # bytes on disk, scanned at the first write

    def _lookup_path(self, kind: str, spotify_id: str) -> Path | None:
        if kind not in LOOKUP_KINDS or not isinstance(spotify_id, str) or not SPOTIFY_ID.match(spotify_id):
            return None
        return self.root / kind / f"{spotify_id}.json"

    def _picture_path(self, url: str, side: int) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        return self.root / PICTURES / f"{digest}-{int(side)}.png"

    def lookup(self, kind: str, spotify_id: str) -> dict | None:
        """The cached answer for a track or artist id, or None when it was never fetched."""
        path = self._lookup_path(kind, spotify_id)
        raw = self._read(path) if path else None
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def store_lookup(self, kind: str, spotify_id: str, data: dict) -> None:
        path = self._lookup_path(kind, spotify_id)
        if path is not None:
            self._write(path, json.dumps(data, separators=(",", ":")).encode())

    def picture(self, url: str, side: int) -> Image.Image | None:
        raw = self._read(self._picture_path(url, side))
        if raw is None:
            return None
        try:
            with Image.open(io.BytesIO(raw)) as image:
                return image.convert("RGB")
        except (UnidentifiedImageError, OSError):
            return None

    def store_picture(self, url: str, side: int, picture: Image.Image) -> None:
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG", optimize=False)
        self._write(self._picture_path(url, side), buffer.getvalue())

    def _read(self, path: Path) -> bytes | None:
        try:
            data = path.read_bytes()
            os.utime(path)  # recently used: evicted last
            return data
        except OSError:
            return None

    def _write(self, path: Path, data: bytes) -> None:
        """Write atomically (another worker process may read it at once), then keep within the bound."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".tmp-{uuid.uuid4().hex}")
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError:
            log.warning("Could not write to the artwork cache", exc_info=True)
            return
        with self._lock:
            if self._total is None:
                self._total = self._scan_total()
            else:
                self._total += len(data)
            if self._total > self.max_bytes:
                self._total = self._evict()

    def _files(self) -> list[tuple[float, int, Path]]:
        found = []
        for kind in (*LOOKUP_KINDS, PICTURES):
            try:
                entries = list(os.scandir(self.root / kind))
            except OSError:
                continue
            for entry in entries:
                try:
                    stat = entry.stat()
                except OSError:
                    continue
                found.append((stat.st_mtime, stat.st_size, Path(entry.path)))
        return found

    def _scan_total(self) -> int:
        return sum(size for _, size, _ in self._files())

    def _evict(self) -> int:
        """Remove the least recently used files until the cache fits; returns the bytes left."""
        files = sorted(self._files(), key=lambda item: item[0])
        total = sum(size for _, size, _ in files)
        removed = 0
        for _, size, path in files:
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        log.info("Artwork cache: removed %d files, %d bytes left", removed, total)
        return total


# --- what the cache keeps of Spotify's objects, and how a picture is found in it ---------------------

def artist_id_of(track: dict | None, name: str | None) -> str | None:
    """The played track's artist with the chart's name (album artist first), else its first artist."""
    if not track:
        return None
    candidates = [*track.get("album_artists", []), *track.get("artists", [])]
    wanted_name = (name or "").casefold()
    for artist_id, artist_name in candidates:
        if artist_name and artist_name.casefold() == wanted_name:
            return artist_id
    return candidates[0][0] if candidates else None


def image_url_of(images: list | None, side: int) -> str | None:
    """The smallest image at least `side` wide (Spotify lists 640, 300 and 64 px), else the largest."""
    usable = [(width or 0, url) for url, width in images or [] if str(url).startswith(("https://", "http://"))]
    if not usable:
        return None
    large_enough = [item for item in usable if item[0] >= side]
    return min(large_enough)[1] if large_enough else max(usable)[1]


def _images(raw: list | None) -> list[list]:
    return [[image["url"], image.get("width")] for image in raw or [] if image.get("url")]


def _artists(raw: list | None) -> list[list]:
    return [[artist["id"], artist.get("name")] for artist in raw or [] if SPOTIFY_ID.match(artist.get("id") or "")]


def lookup_record(kind: str, item: dict | None) -> dict:
    """What the cache keeps of a track or an artist (an unknown id caches as empty: no picture)."""
    if not item:
        return {}
    if kind == "tracks":
        album = item.get("album") or {}
        return {"artists": _artists(item.get("artists")), "album_artists": _artists(album.get("artists")),
                "album_images": _images(album.get("images"))}
    return {"images": _images(item.get("images"))}
