"""Reading back files from folders other processes share (the artwork cache and its state, job records):
whatever such a file turns out to be, it reads as "absent", never as an error, a wait or a memory spike.

A neighbour on the same volume (or a damaged disk) may leave a symlink to a file elsewhere, a FIFO, a
huge sparse file, JSON nested 100,000 deep or a 400-digit number where a small record was written.
So a file is opened without following a symlink and without blocking (a FIFO opens at once and is then
refused), checked to be a regular file on the descriptor itself, refused above its size cap before a
byte is read, and parsed with bounded nesting and number lengths. Lock files are opened the same way,
so a symlinked .lock never creates a file elsewhere.
"""
from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_DEPTH = 32           # the service's own records nest a few levels
MAX_NUMBER_CHARS = 40    # a float's repr is at most ~24 characters; an int of 40 digits is already absurd
_OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_MAX_REMEMBERED = 1024   # paths already logged: a bounded set, so a folder of bad files logs each once
_logged: set[str] = set()
_logged_lock = threading.Lock()


class UnsafeFile(ValueError):
    """A shared file that is not what the service writes there (reads as absent)."""


def _log_once(path: Path, reason: str) -> None:
    key = f"{path}:{reason}"
    with _logged_lock:
        if key in _logged:
            return
        if len(_logged) < _MAX_REMEMBERED:
            _logged.add(key)
    log.warning("Ignoring the shared file %s: %s", path, reason)


def _open_regular(path: Path, flags: int, mode: int = 0o600) -> int:
    """A descriptor on `path` only if it is a regular file reached without a symlink; UnsafeFile otherwise."""
    descriptor = os.open(path, flags | _OPEN_FLAGS, mode)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise UnsafeFile("not a regular file")
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read_shared_bytes(path: Path, max_bytes: int) -> bytes | None:
    """The file's bytes; None when it is missing, a symlink, not a regular file or larger than max_bytes."""
    try:
        descriptor = _open_regular(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except (OSError, UnsafeFile) as error:
        _log_once(path, "a symlink" if getattr(error, "errno", None) == errno.ELOOP else str(error))
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if os.fstat(descriptor).st_size > max_bytes:
            _log_once(path, f"larger than {max_bytes} bytes")
            return None
        try:
            data = handle.read(max_bytes + 1)  # the file may have grown since fstat
        except OSError as error:  # a failing disk reads as absent too
            _log_once(path, str(error))
            return None
    if len(data) > max_bytes:
        _log_once(path, f"larger than {max_bytes} bytes")
        return None
    return data


def parse_bounded_json(raw: bytes) -> Any:
    """JSON with at most MAX_DEPTH levels of nesting and numbers of at most MAX_NUMBER_CHARS characters;
    UnsafeFile (a ValueError) for anything else, as for text that is not JSON at all."""
    try:
        # the decoder stops at the interpreter's recursion limit (a RecursionError, caught here) ...
        value = json.loads(raw, parse_int=_bounded(int), parse_float=_bounded(float), parse_constant=_refuse)
    except (UnicodeDecodeError, RecursionError) as error:
        raise UnsafeFile(str(error)) from None
    _check_depth(value)  # ... and the service's own bound, far below it, is checked without recursing
    return value


def _check_depth(value: Any) -> None:
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise UnsafeFile(f"nested more than {MAX_DEPTH} deep")
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def _bounded(convert):
    def parse(text: str):
        if len(text) > MAX_NUMBER_CHARS:
            raise UnsafeFile(f"a number of {len(text)} characters")
        return convert(text)
    return parse


def _refuse(text: str) -> None:
    raise UnsafeFile(f"{text} is not a number the service writes")


def read_shared_json(path: Path, max_bytes: int) -> Any | None:
    """The file's JSON value; None when read_shared_bytes gives nothing or the JSON is damaged or hostile."""
    raw = read_shared_bytes(path, max_bytes)
    if raw is None:
        return None
    try:
        return parse_bounded_json(raw)
    except ValueError as error:
        _log_once(path, f"not the JSON the service writes ({error})")
        return None


def open_lock_file(path: Path) -> int:
    """A descriptor to flock on, created if need be. Whatever else stands at that name (a symlink, a FIFO)
    is removed and the lock file made afresh: it holds nothing, and a symlink must never create a file
    where it points."""
    for _attempt in range(3):
        try:
            return _open_regular(path, os.O_RDWR | os.O_CREAT)
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
        except UnsafeFile:
            pass
        _log_once(path, "a lock that is not a regular file; made afresh")
        path.unlink(missing_ok=True)
    raise OSError(errno.ELOOP, "the lock file keeps being replaced", str(path))


@contextlib.contextmanager
def opened_lock(path: Path) -> Iterator[int]:
    """open_lock_file's descriptor for the block, closed after it (which releases any flock on it)."""
    descriptor = open_lock_file(path)
    try:
        yield descriptor
    finally:
        os.close(descriptor)


def open_existing(path: Path) -> int | None:
    """A read-only descriptor on an existing regular file (to test its lock), None for anything else."""
    try:
        return _open_regular(path, os.O_RDONLY)
    except (OSError, UnsafeFile):
        return None
