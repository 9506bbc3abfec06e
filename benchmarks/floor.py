"""The encode floor of a race: how long ffmpeg alone takes to encode its frames, and frame snapshots.

The MP4 the API returned is decoded to raw frames as the server paints them (FRAME_PIX_FMT) in a scratch
file first; then ffmpeg,
with exactly the server's arguments (backend.services.encoding.ffmpeg.ffmpeg_arguments), encodes that file
fed to its stdin, and only that process is timed, from start to exit, with nothing else running.
A long race is ~3 MB a frame raw (16 GB for a year of days at 1080x1920), so frames are decoded
and encoded in segments of at most `segment_bytes`; the decoder sits blocked on its full pipe
(idle) while a segment is encoded, and the floor is the sum of the segments' encode times (each
segment adds one ffmpeg start-up, so with many segments the floor is a little pessimistic).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from backend.services.encoding.ffmpeg import FRAME_PIX_FMT, ffmpeg_arguments, frame_bytes

QUIET = ("-hide_banner", "-loglevel", "error", "-nostdin")
# Before races were painted in Y'CbCr, their frames went to ffmpeg as rgb0 (4 bytes a pixel), which it
# converted to yuv420p itself: the floor of those frames is what the older targets were set against.
RGB_PIX_FMT = "rgb0"


@dataclass(frozen=True)
class Floor:
    seconds: float
    frames: int
    segments: int


def _scratch_root(need: int) -> str | None:
    """RAM-backed /dev/shm when it has room (the floor must not wait on a disk), else the default."""
    shm = Path("/dev/shm")
    if shm.is_dir() and shutil.disk_usage(shm).free > 2 * need:
        return str(shm)
    return None


def _fill(source: BinaryIO, target: Path, frames: int, frame_bytes: int) -> int:
    """Copy up to `frames` whole frames from the decoder's stdout into target; return how many."""
    buffer = bytearray(frame_bytes)
    view = memoryview(buffer)
    count = 0
    with open(target, "wb") as out:
        while count < frames:
            got = 0
            while got < frame_bytes:
                n = source.readinto(view[got:])
                if not n:
                    return count
                got += n
            out.write(buffer)
            count += 1
    return count


def _raw_bytes(width: int, height: int, pix_fmt: str) -> int:
    return width * height * 4 if pix_fmt == RGB_PIX_FMT else frame_bytes(width, height)


def _encode_arguments(ffmpeg: str, width: int, height: int, fps: int, output: Path, *, pix_fmt: str) -> list[str]:
    """The server's arguments, reading `pix_fmt` (the first -pix_fmt is the input's)."""
    arguments = ffmpeg_arguments(ffmpeg, width, height, fps, output)
    arguments[arguments.index("-pix_fmt") + 1] = pix_fmt
    return arguments


def _time_encode(ffmpeg: str, raw: Path, width: int, height: int, fps: int, *, output: Path, pix_fmt: str) -> float:
    with open(raw, "rb") as source:
        started = time.perf_counter()
        done = subprocess.run(_encode_arguments(ffmpeg, width, height, fps, output, pix_fmt=pix_fmt), stdin=source,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"floor encode failed: {done.stderr.decode(errors='replace')[-300:]}")
    return elapsed


def encode_floor(mp4: Path, ffmpeg: str, width: int, height: int, fps: int, *, segment_bytes: int,
                 pix_fmt: str = FRAME_PIX_FMT) -> Floor:
    """The floor of the MP4's frames fed as `pix_fmt`: FRAME_PIX_FMT, as the server feeds them, or RGB_PIX_FMT."""
    one_frame = _raw_bytes(width, height, pix_fmt)
    per_segment = max(1, segment_bytes // one_frame)
    work = Path(tempfile.mkdtemp(prefix="bench-floor-", dir=_scratch_root(per_segment * one_frame)))
    decoder = subprocess.Popen([ffmpeg, *QUIET, "-i", str(mp4), "-f", "rawvideo", "-pix_fmt", pix_fmt, "pipe:1"],
                               stdout=subprocess.PIPE)
    seconds, frames, segments = 0.0, 0, 0
    try:
        assert decoder.stdout is not None
        while True:
            count = _fill(decoder.stdout, work / "frames.raw", per_segment, one_frame)
            if count == 0:
                break
            seconds += _time_encode(ffmpeg, work / "frames.raw", width, height, fps, output=work / "floor.mp4",
                                    pix_fmt=pix_fmt)
            frames += count
            segments += 1
            if count < per_segment:
                break
    finally:
        if decoder.poll() is None:
            decoder.kill()
        decoder.wait()
        shutil.rmtree(work, ignore_errors=True)
    return Floor(seconds, frames, segments)


def save_frames(mp4: Path, frames: int, fps: int, ffmpeg: str, dest: Path, *, stem: str) -> list[Path]:
    """PNGs of the MP4's first second (its first frame, half a second and one second in), its middle
    and last frames and, for looking at swaps, the two frames a third of a second either side of the middle."""
    dest.mkdir(parents=True, exist_ok=True)
    saved = []
    picks = (("first", 0), ("half_second", fps // 2), ("one_second", fps), ("before_middle", frames // 2 - fps // 3),
             ("middle", frames // 2), ("after_middle", frames // 2 + fps // 3), ("last", frames - 1))
    for label, index in ((label, min(max(0, index), frames - 1)) for label, index in picks):
        path = dest / f"{stem}_{label}.png"
        subprocess.run([ffmpeg, *QUIET, "-y", "-i", str(mp4), "-vf", f"select=eq(n\\,{index})",
                        "-fps_mode", "passthrough", "-frames:v", "1", str(path)], check=True)
        saved.append(path)
    return saved
