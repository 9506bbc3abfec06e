"""A race painted and encoded in segments at once, one process per core, joined without re-encoding.

One x264 encoder with threads 0 spends part of every core on synchronising its frame threads, and
the painter competes with it. Split into contiguous frame ranges instead, each painted by its own
process into its own single-threaded encoder, the cores do only useful work: on 2 cores the
one-year 1080x1920 race takes about 0.7 of the single-encoder time. The segments are joined with
ffmpeg's concat demuxer (stream copy), so the result is one MP4 as before.

The helper processes are forked after the race is prepared, so they share its plan and label
sprites copy-on-write and nothing but the finished segment file travels back; no frame is
pickled. The calling process paints the first segment through `wrap`, so the checks the caller
wraps around its frames (client gone, job cancelled, progress) keep working; when they stop the
render, the helpers and their encoders are killed and every segment file is removed.
"""
from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from backend.services.encoding.checks import CHECK_SECONDS
from backend.services.encoding.ffmpeg import (
    EncodedVideo,
    EncoderError,
    encode_animation,
    ffmpeg_arguments,
    start_encoder,
)
from backend.services.hygiene import MB, rss_mb
from src.visuals import Race

log = logging.getLogger(__name__)

GOPS_PER_SEGMENT_AT_LEAST = 4  # shorter races are not worth a second process
# Memory of one more segment, measured with the imageio-ffmpeg build (ffmpeg 9): an encoder fed raw
# RGB frames peaks at 157-174 MB at 1080x1350, about 26 frames' worth in its queues and conversion
# buffers plus ~20 MB of its own; a helper's private pages are ~20 MB.
ENCODER_QUEUED_FRAMES = 26
ENCODER_OWN_MB = 20.0
HELPER_MB = 20.0
HELPER_FAILED = 70
WAIT_POLL_SECONDS = 0.02
# Handlers the web server or Celery installed; a helper must die on these like any plain process.
RESET_SIGNALS = tuple(getattr(signal, name) for name in
                      ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGCHLD",
                       "SIGTTIN", "SIGTTOU", "SIGPIPE") if hasattr(signal, name))

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
    memory_mb: float = 0.0


def workers_within_memory(encoding: Encoding, current_mb: float) -> int:
    """As many segments as RENDER_WORKERS allows and the memory budget has room for (at least one)."""
    if encoding.memory_mb <= 0:
        return max(1, encoding.workers)
    encoder_mb = ENCODER_QUEUED_FRAMES * encoding.width * encoding.height * 4 / MB + ENCODER_OWN_MB
    room = encoding.memory_mb - current_mb - encoder_mb
    return max(1, min(encoding.workers, 1 + int(room // (encoder_mb + HELPER_MB))))


def segment_ranges(frame_count: int, fps: int, workers: int) -> list[tuple[int, int]]:
    """Up to `workers` contiguous ranges of about equal length, each starting on a keyframe (every 2 s)."""
    gop = 2 * fps
    gops = -(-frame_count // gop)
    count = max(1, min(workers, gops // GOPS_PER_SEGMENT_AT_LEAST))
    bounds = [min(frame_count, round(gops * k / count) * gop) for k in range(count + 1)]
    return [(start, stop) for start, stop in zip(bounds, bounds[1:]) if stop > start]


def encode_race(race: Race, encoding: Encoding, work_dir: Path, wrap: FrameWrapper = lambda frames, share: frames,
                keep_as: Path | None = None, check: Callable[[], None] = lambda: None) -> EncodedVideo:
    """Paint and encode every frame of the race; the same contract as encode_animation.

    `check` raises to stop the render while this process waits for the other segments (the frames it
    paints itself are checked by `wrap`).
    """
    workers = workers_within_memory(encoding, rss_mb())
    ranges = segment_ranges(race.frame_count, encoding.fps, workers)
    if len(ranges) <= 1:
        return encode_animation(wrap(race.frames(), 1.0), encoding.width, encoding.height, encoding.fps,
                                encoding.ffmpeg, work_dir, keep_as=keep_as)
    started = time.perf_counter()
    threads = max(1, (os.cpu_count() or 1) // len(ranges))
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="segments-") as folder:
        segments = Path(folder)
        helpers = [_start_helper(race, start, stop, encoding, segments, index, threads)
                   for index, (start, stop) in enumerate(ranges) if index > 0]
        try:
            share = (ranges[0][1] - ranges[0][0]) / race.frame_count
            first = encode_animation(wrap(race.frames(*ranges[0]), share), encoding.width, encoding.height,
                                     encoding.fps, encoding.ffmpeg, segments, keep_as=segments / "0.mp4",
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
    """A forked process painting frames start..stop into <index>.mp4, and the process group it leads."""

    def __init__(self, pid: int, index: int, errors: Path):
        self.pid, self.index, self.errors = pid, index, errors
        self._status: int | None = None

    def wait(self, check: Callable[[], None]) -> None:
        """Wait for the helper to end, running check every CHECK_SECONDS (it raises to stop waiting)."""
        last_check = time.monotonic()
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - last_check >= CHECK_SECONDS:
                last_check = time.monotonic()
                check()
            time.sleep(WAIT_POLL_SECONDS)
        self._status = os.waitstatus_to_exitcode(status)
        if self._status != 0:
            message = self.errors.read_text(errors="replace")[-500:] if self.errors.exists() else ""
            raise EncoderError(f"segment {self.index} failed ({self._status}): {message}")

    def kill(self) -> None:
        """Stop the helper and its encoder (a no-op once it has been waited for)."""
        if self._status is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self._status = -signal.SIGKILL


def _start_helper(race: Race, start: int, stop: int, encoding: Encoding, segments: Path, index: int,
                  threads: int) -> _Helper:
    errors = segments / f"{index}.log"
    pid = os.fork()
    if pid == 0:
        _run_helper(race, start, stop, encoding, segments / f"{index}.mp4", errors, threads)
    with contextlib.suppress(PermissionError, ProcessLookupError):
        os.setpgid(pid, pid)  # also done by the helper: whichever runs first, kill() reaches the group
    return _Helper(pid, index, errors)


def _run_helper(race: Race, start: int, stop: int, encoding: Encoding, output: Path, errors: Path,
                threads: int) -> None:
    """The forked side: never returns, never runs the parent's cleanup or handlers."""
    code = HELPER_FAILED
    try:
        os.setpgid(0, 0)
        for number in RESET_SIGNALS:
            signal.signal(number, signal.SIG_DFL)
        # The parent's descriptors (client sockets, session locks, the listening socket) stay with the
        # parent; with no collector running, no stale object of the parent's can close a reused number.
        gc.disable()
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        with open(errors, "wb") as error_log:
            process = start_encoder(
                ffmpeg_arguments(encoding.ffmpeg, encoding.width, encoding.height, encoding.fps, output, threads),
                error_log)
            for frame in race.frames(start, stop):
                process.stdin.write(frame)
            process.stdin.close()
            code = process.wait()
    except BaseException as error:  # report to the parent through the log file, whatever it was
        with contextlib.suppress(OSError), open(errors, "a", encoding="utf-8") as error_log:
            error_log.write(f"\n{type(error).__name__}: {error}")
    finally:
        os._exit(code)


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
        raise EncoderError(f"joining the segments failed: {finished.stderr.decode(errors='replace')[-500:]}")
    if keep_as is None:
        return joined.read_bytes()
    joined.replace(keep_as)
    return b""
