"""Stand-ins for ffmpeg: an encoder that reads part of its input, says why it failed, and exits 1."""

# reads a little of the frames, then fails the way a crashing encoder does
FAILING_FFMPEG = """#!/bin/sh
head -c 100000 > /dev/null
echo "x264 [error]: simulated encoder crash" >&2
exit 1
"""
