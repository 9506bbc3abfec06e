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


@dataclass(frozen=True)
class ColourTags:
    range: str | None      # "tv" or "pc"
    matrix: str | None     # e.g. "bt709", "smpte170m"; None when the stream says nothing

    def decoding_matrix(self, height: int) -> str:
        """The matrix a browser decodes with: the tagged one, else BT.709 for HD and BT.601 below it."""
        return self.matrix or ("bt709" if height >= 720 else "smpte170m")


LUMA_WEIGHTS = {"bt709": (0.2126, 0.0722), "smpte170m": (0.299, 0.114), "bt470bg": (0.299, 0.114)}


def colour_tags(data: bytes) -> ColourTags:
    """What the stream says about its colours, as ffmpeg reports it: 'yuv420p(tv, bt709, progressive)'."""
    with tempfile.NamedTemporaryFile(suffix=".mp4") as handle:
        handle.write(data)
        handle.flush()
        info = subprocess.run([find_ffmpeg(""), "-hide_banner", "-i", handle.name], capture_output=True,
                              text=True).stderr
    match = re.search(r"yuv420p\(([^)]*)\)", info)
    words = [word.strip() for word in match.group(1).split(",")] if match else []
    colour_range = next((w for w in words if w in ("tv", "pc")), None)
    matrix = next((w.split("/")[0] for w in words if w.split("/")[0] in LUMA_WEIGHTS), None)
    return ColourTags(colour_range, matrix)


def decode_as_browser(data: bytes) -> np.ndarray:
    """The video's frames (count x height x width x 3 sRGB) as a browser shows them: the 4:2:0 planes
    decoded with the matrix and range the stream is tagged with (untagged: BT.709 for HD, else BT.601;
    limited range), chroma repeated over its block."""
    facts, tags = probe_video(data), colour_tags(data)
    kr, kb = LUMA_WEIGHTS[tags.decoding_matrix(facts.height)]
    with tempfile.NamedTemporaryFile(suffix=".mp4") as handle:
        handle.write(data)
        handle.flush()
        raw = subprocess.run([find_ffmpeg(""), "-loglevel", "error", "-i", handle.name, "-f", "rawvideo",
                              "-pix_fmt", "yuv420p", "-"], capture_output=True, check=True).stdout
    width, height = facts.width, facts.height
    planes = np.frombuffer(raw, dtype=np.uint8).reshape(-1, width * height * 3 // 2).astype(np.float64)
    luma = planes[:, :width * height].reshape(-1, height, width)
    chroma = [planes[:, width * height + k * width * height // 4:width * height + (k + 1) * width * height // 4]
              .reshape(-1, height // 2, width // 2).repeat(2, axis=1).repeat(2, axis=2) for k in (0, 1)]
    full = tags.range == "pc"
    y = luma if full else (luma - 16) * 255 / 219
    cb, cr = ((c - 128) * (1 if full else 255 / 224) for c in chroma)
    r = y + 2 * (1 - kr) * cr
    b = y + 2 * (1 - kb) * cb
    g = (y - kr * r - kb * b) / (1 - kr - kb)
    return np.clip(np.round(np.stack([r, g, b], axis=-1)), 0, 255).astype(np.uint8)
