"""A small tmpfs the tests mount (they run as root) and fill, to see what the service does on a full disk."""
from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def mounted(mount_point: Path, size_mb: int) -> Iterator[Path]:
    """A tmpfs of size_mb at mount_point (made if need be) for the block, unmounted after it."""
    mount_point.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


@contextlib.contextmanager
def filled(disk: Path, keep_free_kb: int) -> Iterator[None]:
    """Fill the disk until keep_free_kb are left; free it again after the block."""
    filler = disk / "filler"
    status = os.statvfs(disk)
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, status.f_bavail * status.f_frsize - keep_free_kb * 1024))
    try:
        yield
    finally:
        filler.unlink()
