"""A race painted and encoded in segments at once (RENDER_WORKERS > 1), joined without re-encoding.

One x264 encoder with threads 0 spends part of every core on synchronising its frame threads, and the
painter competes with it. Split into contiguous frame ranges instead, each painted by its own process
into its own single-threaded encoder, the cores do only useful work, at the cost of one encoder's
queues (about 42 raw frames) per segment. Since frames are painted in Y'CbCr at about 0.65 ms each,
one encoder is as fast on 2 cores and leaner (docs/design.md), so 1 is the default; splitting pays where
painting is a larger share of the work. The segments are joined with ffmpeg's concat demuxer (stream
copy), so the result is one MP4 as before.

The helpers are fresh interpreters (segment_helper.py), never forks of this threaded process: the
prepared race (plan, label sprites and background, without the frame buffer) is pickled once into the
segment folder, each helper reads it and paints its range, and nothing but the finished segment file
travels back; no frame is pickled. Each helper leads a process group with its encoder and is
killed by the kernel if this process dies. The calling process paints the first segment through
`wrap`, so the checks the caller wraps around its frames (client gone, job cancelled, progress)
keep working; when they stop the render, the helpers and their encoders are killed and every
segment file is removed.
"""
from __future__ import annotations

import contextlib
import itertools
import logging
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import KW_ONLY, dataclass
from pathlib import Path

from backend.services.encoding.checks import CHECK_SECONDS
from backend.services.encoding.ffmpeg import (
    EncodedVideo,
    encode_animation,
    encoder_failure,
    ffmpeg_arguments,
    frame_bytes,
)
from backend.services.hygiene import MB, rss_mb
from src.visuals import Race

log = logging.getLogger(__name__)

GOPS_PER_SEGMENT_AT_LEAST = 4  # shorter races are not worth a second process
# Memory of one more segment, measured with the imageio-ffmpeg build (ffmpeg 9): a single-threaded
# encoder fed raw yuv420p frames of noise (its worst case) peaked at 101 MB at 1080x1350 and 145 MB at
# 1080x1920, about 42 frames' worth in its queues and lookahead plus ~20 MB of its own (fed rgb0 it had
# held 157-174 MB at 1080x1350 with its conversion buffers). A helper (a fresh interpreter with numpy,
# Pillow and the unpickled race; no matplotlib) painting a 1080x1350 one-year race peaked at 30 MB
# private (USS) and 48 MB RSS, the rest being library pages this process maps too.
ENCODER_QUEUED_FRAMES = 42
ENCODER_OWN_MB = 20.0
HELPER_MB = 40.0
WAIT_POLL_SECONDS = 0.02
HELPER_MODULE = "backend.services.encoding.segment_helper"
PROJECT_ROOT = Path(__file__).resolve().parents[3]
RACE_FILE = "race.pickle"

# Wraps the frames this process paints; the float is their share of all frames (for progress).
FrameWrapper = Callable[[Iterator[memoryview], float], Iterable[memoryview]]


@dataclass(frozen=True)
class Encoding:
    """How to encode: ffmpeg binary, size, rate, how many segments may run at once, and the memory
    (MB, this process and its encoders together) a render may reach; 0 = no limit."""
    ffmpeg: str
    width: int
    height: int
    fps: int
    workers: int
    _: KW_ONLY
    memory_mb: float = 0.0


def workers_within_memory(encoding: Encoding, current_mb: float) -> int:
    """As many segments as RENDER_WORKERS allows and the memory budget has room for (at least one)."""
    if encoding.memory_mb <= 0:
        return max(1, encoding.workers)
    encoder_mb = ENCODER_QUEUED_FRAMES * frame_bytes(encoding.width, encoding.height) / MB + ENCODER_OWN_MB
    room = encoding.memory_mb - current_mb - encoder_mb
    return max(1, min(encoding.workers, 1 + int(room // (encoder_mb + HELPER_MB))))


def segment_ranges(frame_count: int, fps: int, workers: int) -> list[tuple[int, int]]:
    """Up to `workers` contiguous ranges of about equal length, each starting on a keyframe (every 2 s)."""
    gop = 2 * fps
    gops = -(-frame_count // gop)
    count = max(1, min(workers, gops // GOPS_PER_SEGMENT_AT_LEAST))
    bounds = [min(frame_count, round(gops * k / count) * gop) for k in range(count + 1)]
    return [(start, stop) for start, stop in itertools.pairwise(bounds) if stop > start]


def encode_race(race: Race, encoding: Encoding, work_dir: Path, *, wrap: FrameWrapper = lambda frames, share: frames,
                keep_as: Path | None = None, check: Callable[[], None] = lambda: None) -> EncodedVideo:
    """Paint and encode every frame of the race; the same contract as encode_animation.

    `check` raises to stop the render while this process waits for the other segments (the frames it
    paints itself are checked by `wrap`).
    """
    workers = workers_within_memory(encoding, rss_mb())
    ranges = segment_ranges(race.frame_count, encoding.fps, workers)
    if len(ranges) <= 1:
        return encode_animation(wrap(race.frames(), 1.0), encoding.width, encoding.height, encoding.fps,
                                encoding.ffmpeg, work_dir=work_dir, keep_as=keep_as)
    started = time.perf_counter()
    threads = max(1, (os.cpu_count() or 1) // len(ranges))
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="segments-") as folder:
        segments = Path(folder)
        race_file = _write_race(race, segments)
        helpers: list[_Helper] = []
        try:
            for index, (start, stop) in enumerate(ranges[1:], 1):
                helpers.append(_start_helper(race_file, start, stop, encoding, segments, index=index, threads=threads))
            share = (ranges[0][1] - ranges[0][0]) / race.frame_count
            first = encode_animation(wrap(race.frames(*ranges[0]), share), encoding.width, encoding.height,
                                     encoding.fps, encoding.ffmpeg, work_dir=segments, keep_as=segments / "0.mp4",
                                     threads=threads)
            for helper in helpers:
                helper.wait(check)
            data = _join(encoding.ffmpeg, segments, len(ranges), keep_as)
        finally:
            for helper in helpers:
                helper.kill()
    frames = first.frames + sum(stop - start for start, stop in ranges[1:])
    log.info("Race encoded in %d segments at once in %.2f s", len(ranges), time.perf_counter() - started)
    return EncodedVideo(data, frames)


class _Helper:
    """A process painting frames start..stop into <index>.mp4 (segment_helper), leading a process group
    with its encoder."""

    def __init__(self, process: subprocess.Popen, index: int, errors: Path):
        self.process, self.index, self.errors = process, index, errors

    def wait(self, check: Callable[[], None]) -> None:
        """Wait for the helper to end, running check every CHECK_SECONDS (it raises to stop waiting)."""
        last_check = time.monotonic()
        while self.process.poll() is None:
            if time.monotonic() - last_check >= CHECK_SECONDS:
                last_check = time.monotonic()
                check()
            time.sleep(WAIT_POLL_SECONDS)
        if self.process.returncode != 0:
            self._kill_group()  # an encoder the helper left behind
            message = self.errors.read_text(errors="replace")[-500:] if self.errors.exists() else ""
            raise encoder_failure(f"segment {self.index} failed ({self.process.returncode}): {message}",
                                  self.errors.parent)

    def kill(self) -> None:
        """Stop the helper and its encoder (a no-op once it has been waited for)."""
        if self.process.returncode is None:
            self._kill_group()
            self.process.wait()

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


def _write_race(race: Race, segments: Path) -> Path:
    """The race pickled once for every helper (frame buffers left out: each helper makes its own)."""
    path = segments / RACE_FILE
    with open(path, "wb") as handle:
        pickle.dump(race, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _start_helper(race_file: Path, start: int, stop: int, encoding: Encoding, segments: Path, *, index: int,
                  threads: int) -> _Helper:
    errors = segments / f"{index}.log"
    arguments = ffmpeg_arguments(encoding.ffmpeg, encoding.width, encoding.height, encoding.fps,
                                 segments / f"{index}.mp4", threads=threads)
    command = [sys.executable, "-m", HELPER_MODULE, str(race_file), str(start), str(stop), str(os.getpid()), "--",
               *arguments]
    with open(errors, "wb") as error_log:
        # A new process group led by the helper: kill() reaches its encoder too. No fork of this process
        # runs Python code, so the threads it runs cannot leave a helper holding a lock.
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=error_log,
                                   env=_helper_environment(), process_group=0)
    return _Helper(process, index, errors)


def _helper_environment() -> dict[str, str]:
    """This environment, with the project importable wherever the server was started from."""
    paths = [str(PROJECT_ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def _join(ffmpeg: str, segments: Path, count: int, keep_as: Path | None) -> bytes:
    """Concatenate 0.mp4..N.mp4 by stream copy into one MP4 with its index first (+faststart)."""
    listing = segments / "segments.txt"
    listing.write_text("".join(f"file '{index}.mp4'\n" for index in range(count)), encoding="utf-8")
    joined = segments / "joined.mp4"
    finished = subprocess.run(
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "concat", "-i", listing.name,
         "-c", "copy", "-an", "-movflags", "+faststart", joined.name],
        cwd=segments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if finished.returncode != 0:
        raise encoder_failure(f"joining the segments failed: {finished.stderr.decode(errors='replace')[-500:]}",
                              segments)
    if keep_as is None:
        return joined.read_bytes()
    joined.replace(keep_as)
    return b""
