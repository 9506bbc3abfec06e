"""How the stand-ins misbehave (slow, huge, garbled, out of order), and how a test sees what a misbehaving answer cost.

Each answer here is produced lazily, so the test process never holds what it pretends to send: a
gzip answer inflating to 600 MB is one precomputed 1 KB deflate block repeated, a 256 MB answer is
written a block at a time until the client hangs up, and an 8000x8000 PNG is a few hundred KB of
repeated compressed rows. A `Sent` record says how many bytes went out and when the client hung up.
"""
from __future__ import annotations

import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import psutil

DRIBBLE_INTERVAL_S = 1.0        # "a byte a second"
BOMB_INFLATED_BYTES = 600 * 2**20
BLOCK = 2**20
HUGE_SIDE = 8000


@dataclass
class Sent:
    """One misbehaving answer: bytes written, and when the client hung up (time.monotonic())."""
    path: str
    total: int | None = None     # bytes the whole answer would have had, when known
    bytes: int = 0
    hung_up_at: float | None = None
    finished: bool = False
    _ended: threading.Event = field(default_factory=threading.Event, repr=False)

    def wait_ended(self, timeout: float) -> bool:
        return self._ended.wait(timeout)

    def end(self, hung_up: bool) -> None:
        if hung_up:
            self.hung_up_at = time.monotonic()
        self.finished = not hung_up
        self._ended.set()


def send_dribbled(write: Callable[[bytes], object], data: bytes, sent: Sent, stop: threading.Event,
                  interval: float = DRIBBLE_INTERVAL_S) -> None:
    """Write the whole answer, status line and headers included, one byte every `interval` seconds."""
    sent.total = len(data)
    try:
        for index in range(len(data)):
            if stop.wait(interval if index else 0):
                sent.end(hung_up=False)
                return
            write(data[index:index + 1])
            sent.bytes += 1
    except OSError:  # broken pipe, reset: the client has gone
        sent.end(hung_up=True)
        return
    sent.end(hung_up=False)


def send_blocks(write: Callable[[bytes], object], blocks: Iterable[bytes], sent: Sent,
                stop: threading.Event) -> None:
    """Write blocks as fast as the client takes them, until they run out or the client hangs up."""
    try:
        for block in blocks:
            if stop.is_set():
                break
            write(block)
            sent.bytes += len(block)
    except OSError:
        sent.end(hung_up=True)
        return
    sent.end(hung_up=False)


def raw_answer(status: str, headers: dict[str, str], body: bytes) -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"HTTP/1.1 {status}\r\n{head}Connection: close\r\n\r\n".encode() + body


def _flushed(data: bytes) -> bytes:
    """Raw deflate of data ended by a full flush: such pieces may follow one another in one stream."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def _final(data: bytes) -> bytes:
    """The last piece of a raw deflate stream."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@lru_cache(maxsize=1)
def _spaces_piece() -> bytes:
    return _flushed(b" " * BLOCK)


def gzip_bomb(head: bytes, tail: bytes, inflated: int = BOMB_INFLATED_BYTES) -> Iterator[bytes]:
    """A gzip stream of head + `inflated` spaces + tail (valid JSON when head and tail make it so), made lazily:
    about 1 KB on the wire per MiB once inflated."""
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + _flushed(head)
    crc, size = zlib.crc32(head), len(head)
    spaces = b" " * BLOCK
    for _ in range(inflated // BLOCK):
        crc, size = zlib.crc32(spaces, crc), size + BLOCK
        yield _spaces_piece()
    crc, size = zlib.crc32(tail, crc), size + len(tail)
    yield _final(tail) + struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@lru_cache(maxsize=8)
def solid_png(side: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid side x side RGB PNG of one colour, built without ever holding its pixels."""
    row = b"\x00" + bytes(rgb) * side
    rows_per_block = max(1, BLOCK // len(row))
    blocks, rest = divmod(side, rows_per_block)
    adler = 1
    for _ in range(side):
        adler = zlib.adler32(row, adler)
    parts = [b"\x78\xda"] + [_flushed(row * rows_per_block)] * blocks
    parts += [_final(row * rest), struct.pack(">I", adler & 0xFFFFFFFF)]
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", b"".join(parts))
            + _png_chunk(b"IEND", b""))


def zeros(total: int) -> Iterator[bytes]:
    """`total` bytes of zeros, a block at a time."""
    block = bytes(BLOCK)
    for _ in range(total // BLOCK):
        yield block
    yield bytes(total % BLOCK)


class PeakMemory:
    """`with PeakMemory() as peak:` samples this process's RSS while the block runs; peak.growth in bytes."""

    def __init__(self, every_s: float = 0.005):
        self._process = psutil.Process()
        self._every_s = every_s
        self._stop = threading.Event()
        self.baseline = self.peak = 0

    def __enter__(self) -> PeakMemory:
        self.baseline = self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)

    def _sample(self) -> None:
        while not self._stop.wait(self._every_s):
            self.peak = max(self.peak, self._process.memory_info().rss)

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


@dataclass(frozen=True)
class SpotifyFaults:
    """Ways the Spotify stand-in misbehaves; artists are named as in its catalogue."""
    dribbled_pictures: frozenset[str] = frozenset()  # their picture comes a byte a second
    dribbled_lookups: bool = False                   # batch lookups come a byte a second, status line first
    bomb_lookups: bool = False                       # /tracks?ids= answers inflate (gzip) to 600 MB
    huge_pictures: frozenset[str] = frozenset()      # their picture is huge_side px square
    huge_side: int = HUGE_SIDE
    html_pictures: frozenset[str] = frozenset()      # their picture (a real PNG) is labelled text/html
    redirected_pictures: frozenset[str] = frozenset()  # their picture answers 302 to where it really is
    reordered_batches: bool = False                  # batch answers list their items in reverse order
    malformed_artists: frozenset[str] = frozenset()  # their item in /artists?ids= has images that are not a list
    malformed_tracks: frozenset[str] = frozenset()   # their tracks' items in /tracks?ids= have an album that is text


def garble_batch(faults: SpotifyFaults, kind: str, items: list, artist_of: Callable[[dict], str]) -> list:
    """The batch answer's items as the faults want them: some malformed, maybe in reverse order."""
    broken = faults.malformed_artists if kind == "artists" else faults.malformed_tracks
    garbled = []
    for item in items:
        if item is not None and artist_of(item) in broken:
            item = {**item, "images": "640px"} if kind == "artists" else {**item, "album": "an album"}
        garbled.append(item)
    return garbled[::-1] if faults.reordered_batches else garbled
