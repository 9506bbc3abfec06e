"""ffmpeg: find a binary with libx264, and encode raw frames (as races are painted) from a pipe into an MP4."""
from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from src.domain_error import DomainError
from src.resource_errors import NO_SPACE_WORDS, ServerOutOfSpace
from src.visuals.race.yuv_canvas import YuvCanvas

log = logging.getLogger(__name__)


# Raw frames are megabytes each: a pipe of 1 MB instead of Linux's 64 KB wakes the encoder 16 times
# less often per frame, which took a third off a race's system time (kernel copies and wake-ups).
PIPE_BYTES = 1 << 20
PIPE_MAX_SIZE = Path("/proc/sys/fs/pipe-max-size")

# What a client is told of an encoder failure: ffmpeg's own words may name server paths.
ENCODE_FAILED = "The video could not be encoded (the server logged why); try again, or ask for fewer frames."
# An encoder that failed with less than this free beside its output most likely failed for the lack of it
# (ffmpeg's own words about it may not even reach its log, on the same full disk).
LOW_SPACE_BYTES = 1 << 20


class EncoderError(DomainError):
    """ffmpeg failed; `detail` (its words, for the log) may name server paths, the message never does."""

    def __init__(self, detail: str):
        super().__init__(ENCODE_FAILED)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


def encoder_failure(detail: str, folder: Path) -> DomainError:
    """What an encoder's failure was: the disk filling up (ServerOutOfSpace), or an EncoderError."""
    try:
        low_on_space = shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        low_on_space = False
    if low_on_space or any(words in detail for words in NO_SPACE_WORDS):
        log.warning("The encoder failed on a full disk: %s", detail)
        return ServerOutOfSpace()
    return EncoderError(detail)


@functools.cache
def find_ffmpeg(configured: str = "") -> str | None:
    """FFMPEG_BIN, else ffmpeg on PATH, else the binary the imageio-ffmpeg wheel carries."""
    if configured:
        return configured if shutil.which(configured) else None
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    try:
        import imageio_ffmpeg
        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return None


# Races are painted in the encoder's own format (src/visuals/race/yuv_canvas.py), so ffmpeg converts nothing:
# on this 2-core machine x264 spent 4.06 s of CPU on 900 frames of 1080x1350 fed rgb0 and 1.79 s fed yuv420p.
FRAME_PIX_FMT = YuvCanvas.pix_fmt
# How the frames were painted, said to ffmpeg about its input and written into the stream for players:
# BT.709 matrix, primaries and transfer, limited range (a browser assumes BT.709 for untagged HD, but
# not for smaller frames, and players differ on the range; tagged, every player decodes the painted colours).
COLOUR_TAGS = ["-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]


def frame_bytes(width: int, height: int) -> int:
    """Bytes of one raw frame: a full-size Y' plane and quarter-size Cb and Cr planes."""
    return width * height * 3 // 2


def ffmpeg_arguments(ffmpeg: str, width: int, height: int, fps: int, output: Path, *, threads: int = 0) -> list[str]:
    """x264 arguments for raw frames on stdin; threads 0 lets x264 use every core (one encoder at a time)."""
    return [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "rawvideo", "-pix_fmt", FRAME_PIX_FMT, "-s", f"{width}x{height}", "-r", str(fps), *COLOUR_TAGS,
        "-i", "pipe:0",
        "-an", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-pix_fmt", FRAME_PIX_FMT, *COLOUR_TAGS,
        "-movflags", "+faststart", "-threads", str(threads), "-g", str(2 * fps),
        str(output),
    ]


@dataclass(frozen=True)
class EncodedVideo:
    data: bytes
    frames: int


def start_encoder(arguments: list[str], stderr) -> subprocess.Popen:
    """Start ffmpeg reading raw frames from a pipe as wide as the system allows (up to PIPE_BYTES)."""
    process = subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr)
    with contextlib.suppress(OSError, AttributeError):  # a narrow pipe is only slower
        fcntl.fcntl(process.stdin.fileno(), fcntl.F_SETPIPE_SZ, pipe_bytes())
    return process


@functools.cache
def pipe_bytes() -> int:
    """PIPE_BYTES, or the system's largest pipe if that is smaller (read once)."""
    try:
        return min(PIPE_BYTES, int(PIPE_MAX_SIZE.read_text()))
    except (OSError, ValueError):
        return PIPE_BYTES


def encode_animation(frames: Iterable[bytes | memoryview], width: int, height: int, fps: int, ffmpeg: str, *,
                     work_dir: Path, keep_as: Path | None = None, threads: int = 0) -> EncodedVideo:
    """Pipe every raw frame (FRAME_PIX_FMT) into ffmpeg and return the finished MP4's bytes.

    With keep_as, the finished MP4 is moved there instead of read back (data is then empty).
    Whatever happens, ffmpeg is gone and the temporary file removed when this returns or raises.
    """
    fd, name = tempfile.mkstemp(suffix=".mp4", dir=work_dir)
    os.close(fd)
    output = Path(name)
    with tempfile.TemporaryFile(dir=work_dir) as errors:
        process = start_encoder(ffmpeg_arguments(ffmpeg, width, height, fps, output, threads=threads), errors)
        count = 0
        try:
            for frame in frames:
                process.stdin.write(frame)
                count += 1
            process.stdin.close()
            if process.wait() != 0:
                errors.seek(0)
                raise encoder_failure(f"ffmpeg failed: {errors.read().decode(errors='replace')[-500:]}", work_dir)
            if keep_as is None:
                data = output.read_bytes()
            else:
                output.replace(keep_as)
                data = b""
        except BrokenPipeError as error:
            errors.seek(0)
            detail = f"ffmpeg stopped early: {errors.read().decode(errors='replace')[-500:]}"
            raise encoder_failure(detail, work_dir) from error
        finally:
            if process.poll() is None:
                process.kill()
            with contextlib.suppress(OSError):
                process.stdin.close()
            process.wait()
            output.unlink(missing_ok=True)
    return EncodedVideo(data, count)
