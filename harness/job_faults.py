"""Faults for render jobs, armed by marker files in UPLOAD_DIR/faults so that they reach Celery workers
on the shared folder as well as the embedded executor: a render that raises (before its first frame or
among its frames), a start or a join of its segments held until the test releases it (the test moves the
job clock on meanwhile: a slow phase without the wait). Each armed fault fires once: the job that takes it
renames its marker to <name>.hit."""
from __future__ import annotations

import errno
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from backend.services.encoding import segments
from backend.services.encoding.ffmpeg import EncoderError
from backend.services.renders import race_video as render_use_case

FOLDER = "faults"
RAISE_BEFORE_FRAMES, RAISE_IN_FRAMES = "raise_before_frames", "raise_in_frames"
HOLD_START, HOLD_JOIN = "hold_start", "hold_join"
HOLD_LIMIT_SECONDS = 60.0
FRAMES_BEFORE_RAISING = 5


def arm(upload_dir: Path, name: str, value: str = "") -> None:
    """Arm a fault; for the raising ones, value names the error (see _error)."""
    (upload_dir / FOLDER).mkdir(exist_ok=True)
    (upload_dir / FOLDER / name).write_text(value, encoding="utf-8")


def was_hit(upload_dir: Path, name: str) -> bool:
    return (upload_dir / FOLDER / f"{name}.hit").exists()


def release(upload_dir: Path, name: str) -> None:
    """Let the render a held fault stopped go on."""
    (upload_dir / FOLDER / f"{name}.release").touch()


def _hold(upload_dir: Path, name: str) -> None:
    """Wait here, if the fault is armed, until the test releases it."""
    if _take(upload_dir, name) is None:
        return
    deadline = time.monotonic() + HOLD_LIMIT_SECONDS
    while not (upload_dir / FOLDER / f"{name}.release").exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} was never released")
        time.sleep(0.01)


def _take(upload_dir: Path, name: str) -> str | None:
    """The armed fault's value, for one job only (None when it is not armed)."""
    marker = upload_dir / FOLDER / name
    try:
        value = marker.read_text(encoding="utf-8")
        marker.rename(marker.with_name(f"{name}.hit"))
    except FileNotFoundError:
        return None
    return value


def _error(kind: str, upload_dir: Path) -> BaseException:
    """An error whose words name a server path and a library's internals, as real ones do."""
    where = upload_dir / "secret" / "session.duckdb"
    errors: dict[str, Callable[[], BaseException]] = {
        "RuntimeError": lambda: RuntimeError(f"internal error in libfoo: segment table corrupt at {where}"),
        "MemoryError": lambda: MemoryError(f"cannot allocate 4294967296 bytes for {where}"),
        "ENOSPC": lambda: OSError(errno.ENOSPC, "No space left on device", str(where)),
        "EncoderError": lambda: EncoderError(f"ffmpeg failed: {where}: Invalid data found when processing input"),
    }
    return errors[kind]()


def patches(upload_dir: Path) -> dict[tuple[Any, str], Callable]:
    """(module, name) -> replacement, each doing what is armed and otherwise the original's work."""
    plan_with_artwork, encode_race = render_use_case.plan_with_artwork, render_use_case.encode_race
    join = segments._join

    def faulty_plan(*args, **kwargs):
        kind = _take(upload_dir, RAISE_BEFORE_FRAMES)
        if kind is not None:
            raise _error(kind, upload_dir)
        _hold(upload_dir, HOLD_START)
        return plan_with_artwork(*args, **kwargs)

    def faulty_encode_race(race, encoding, work_dir, *, wrap, **kwargs):
        kind = _take(upload_dir, RAISE_IN_FRAMES)
        if kind is None:
            return encode_race(race, encoding, work_dir, wrap=wrap, **kwargs)

        def breaking(frames: Iterator[memoryview], share: float) -> Iterator[memoryview]:
            for index, frame in enumerate(wrap(frames, share)):
                if index == FRAMES_BEFORE_RAISING:
                    raise _error(kind, upload_dir)
                yield frame
        return encode_race(race, encoding, work_dir, wrap=breaking, **kwargs)

    def held_join(*args, **kwargs):
        _hold(upload_dir, HOLD_JOIN)
        return join(*args, **kwargs)

    return {(render_use_case, "plan_with_artwork"): faulty_plan, (render_use_case, "encode_race"): faulty_encode_race,
            (segments, "_join"): held_join}


def install(upload_dir: Path) -> None:
    """For a worker process: replace the functions for good."""
    for (module, name), replacement in patches(upload_dir).items():
        setattr(module, name, replacement)
