"""The shared disk cache of artwork: every source's lookups as small JSON files, pictures ready to draw.

Only public catalogue data lives here (ids, hashes of names, image URLs, pictures), never a session id or a play,
so every session shares it. Pictures are stored already cropped square and scaled to the drawn
size, so a cached picture costs a PNG decode and nothing else. The folder is bounded: when it
grows past its limit the least recently used files go (reads refresh a file's mtime).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import threading
import uuid
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from backend.core.shared_files import parse_bounded_json, read_shared_bytes
from backend.services.artwork_store.records import SPOTIFY_ID, valid_record

log = logging.getLogger(__name__)

LOOKUP_KINDS = ("tracks", "artists", "oembed", "deezer-artists", "deezer-songs", "deezer-albums")
PICTURES = "pictures"
LOOKUP_MAX_BYTES = 256 * 1024        # an answer kept is a few KB
PICTURE_MAX_BYTES = 8 * 1024 * 1024  # a PNG of the largest drawn size is well under this


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
        """The cached answer for a track or artist id, or None when it was never fetched (or is damaged)."""
        path = self._lookup_path(kind, spotify_id)
        raw = self._read(path, LOOKUP_MAX_BYTES) if path else None
        if raw is None:
            return None
        try:
            data = parse_bounded_json(raw)
        except ValueError:
            return None
        return data if valid_record(kind, data) else None

    def store_lookup(self, kind: str, spotify_id: str, data: dict) -> None:
        path = self._lookup_path(kind, spotify_id)
        if path is not None:
            self._write(path, json.dumps(data, separators=(",", ":")).encode())

    def picture(self, url: str, side: int) -> Image.Image | None:
        raw = self._read(self._picture_path(url, side), PICTURE_MAX_BYTES)
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

    def _read(self, path: Path, max_bytes: int) -> bytes | None:
        data = read_shared_bytes(path, max_bytes)
        if data is not None:
            with contextlib.suppress(OSError):
                os.utime(path, follow_symlinks=False)  # recently used: evicted last
        return data

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

