"""One segment of a race, painted in a process of its own (the child side of segments.py).

    python -m backend.services.encoding.segment_helper RACE START STOP PARENT_PID -- FFMPEG ARGUMENTS...

RACE is the pickled `Race` the parent wrote once for all its helpers; frames START..STOP go down a pipe
into the ffmpeg that the arguments after `--` describe, and the helper exits with that ffmpeg's status.
Its stderr (and its encoder's) is the segment's log, which the parent reads when the segment fails.

A fresh interpreter started by subprocess replaces a fork of the web process: forking a process that
runs threads (gunicorn's, the job pool's, DuckDB's) may copy a lock some other thread holds, and Python
3.12 warns about it. Only this module, the race's classes and their libraries are imported here.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys

from backend.services.encoding.ffmpeg import start_encoder

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_GONE = 71


def die_with_parent(parent_pid: int) -> None:
    """Be killed by the kernel when the parent dies (Linux), so a killed web worker or Celery child
    leaves no painter behind; exit at once if the parent died before that was in place.

    The kernel sends the signal when the thread that started this process ends: that thread is the
    render's, and it waits for its helpers, so it ends with the render or with the process.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent_pid:
        sys.exit(PARENT_GONE)


def paint_segment(race_file: str, start: int, stop: int, ffmpeg_arguments: list[str]) -> int:
    """Paint frames start..stop of the pickled race into ffmpeg; its exit status."""
    with open(race_file, "rb") as handle:
        race = pickle.load(handle)
    process = start_encoder(ffmpeg_arguments, sys.stderr)
    try:
        for frame in race.frames(start, stop):
            process.stdin.write(frame)
        process.stdin.close()
    except BaseException:
        process.kill()  # an encoder fed half a segment must not finish it as if it were whole
        raise
    return process.wait()


def main(argv: list[str]) -> int:
    race_file, start, stop, parent_pid, separator, *ffmpeg_arguments = argv
    if separator != "--" or not ffmpeg_arguments:
        raise SystemExit("usage: segment_helper RACE START STOP PARENT_PID -- FFMPEG ARGUMENTS...")
    die_with_parent(int(parent_pid))
    return paint_segment(race_file, int(start), int(stop), ffmpeg_arguments)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
