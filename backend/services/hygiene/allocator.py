"""Keep glibc's allocator from holding on to what renders have freed.

A render allocates frame-sized buffers (several MB each) and frees them at the end. By default glibc
gives every thread that allocates at the same time an arena of its own (up to 8 per core), raises its
mmap threshold after the first large free so that later frame buffers come from those arenas, and
keeps freed arena memory for reuse. A worker serving several renders at once then stays at its
high-water mark. Few arenas, a fixed mmap threshold (large buffers go back to the system on free)
and a trim after each heavy request keep a worker's resident memory near what it is using.

Elsewhere than glibc (musl, macOS) every function here does nothing.
"""
from __future__ import annotations

import ctypes
import functools
import logging
import platform

log = logging.getLogger(__name__)

# mallopt parameter numbers from glibc's malloc.h
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

ARENAS = 2
MMAP_THRESHOLD_BYTES = 256 * 1024


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


@functools.cache
def tune_allocator() -> bool:
    """Cap the arenas and fix the mmap threshold for this process (once); False where not glibc."""
    libc = _glibc()
    if libc is None:
        return False
    applied = libc.mallopt(M_ARENA_MAX, ARENAS) == 1 and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
    if not applied:
        log.warning("glibc refused the allocator settings; memory after renders may stay high")
    return applied


def release_free_memory() -> None:
    """Give the pages freed since the last call back to the system (glibc's malloc_trim)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
