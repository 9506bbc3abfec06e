"""Read an MP4 back with the same ffmpeg the service uses: stream facts and decoded frames."""
from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass

import numpy as np

from backend.services.encoding.ffmpeg import find_ffmpeg


@dataclass(frozen=True)
class VideoFacts:
    codec: str
    pix_fmt: str
    width: int
    height: int
    fps: float
    frames: np.ndarray  # decoded RGB frames: count x height x width x 3
    has_audio: bool


def probe_video(data: bytes) -> VideoFacts:
    ffmpeg = find_ffmpeg("")
    with tempfile.NamedTemporaryFile(suffix=".mp4") as handle:
        handle.write(data)
        handle.flush()
        info = subprocess.run([ffmpeg, "-hide_banner", "-i", handle.name], capture_output=True, text=True).stderr
        match = re.search(r"Video: (\w+).*?, (yuv\w+|rgb\w+)[(,].*?, (\d+)x(\d+).*?, ([\d.]+) fps", info)
        assert match, info
        width, height = int(match.group(3)), int(match.group(4))
        raw = subprocess.run([ffmpeg, "-loglevel", "error", "-i", handle.name, "-f", "rawvideo",
                              "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, dtype=np.uint8).reshape(-1, height, width, 3)
    return VideoFacts(match.group(1), match.group(2), width, height, float(match.group(5)), frames,
                      "Audio:" in info)


def faststart(data: bytes) -> bool:
    """The moov atom comes before mdat, so a browser can start playing before the download ends."""
    return 0 <= data.find(b"moov") < data.find(b"mdat")
