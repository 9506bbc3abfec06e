"""An ffmpeg that reads a little of the frames, then fails the way a crashing encoder does."""
from __future__ import annotations

from pathlib import Path

SCRIPT = """#!/bin/sh
head -c 100000 > /dev/null
echo "x264 [error]: simulated encoder crash" >&2
exit 1
"""


def failing_encoder(folder: Path) -> Path:
    """The failing ffmpeg, written as an executable into `folder`."""
    path = folder / "ffmpeg"
    path.write_text(SCRIPT)
    path.chmod(0o755)
    return path
