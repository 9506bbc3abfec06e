"""Inflate history members to disk within one budget for the whole upload.

Two caps hold while bytes are written, whatever the ZIP's directory claims: each member stops at the
size it declared, and every member of the upload, small ones included, draws on one shared total.
The directory's own figures were checked before (unpack.py); these caps are what hold when it lies.
"""
from __future__ import annotations

import logging
import os
import threading
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from src.exports.encodings import NotText, ToUtf8
from src.exports.errors import ExportTooLarge, ExportUnreadable, ExportUnusable
from src.exports.row_formats import base_name
from src.resource_errors import ServerOutOfSpace, is_out_of_space

log = logging.getLogger(__name__)

MB = 2**20
# Inflated in pieces below glibc's mmap threshold as the service sets it (256 KB): larger pieces would
# each be a fresh mapping, zeroed page by page, which nearly doubled the time to unpack an export.
CHUNK = 128 * 1024
# zlib and crc32 let go of the GIL, so members inflate side by side, one per core (up to 4).
INFLATE_THREADS = min(os.cpu_count() or 1, 4)


class InflateBudget:
    """The bytes all members of one upload may write together; shared by the inflating threads."""

    def __init__(self, limit_bytes: int):
        self.limit = limit_bytes
        self.used = 0
        self._lock = threading.Lock()

    def take(self, size: int) -> None:
        with self._lock:
            self.used += size
            over = self.used > self.limit
        if over:
            raise ExportTooLarge(f"The listening history unpacks to more than {self.limit // MB} MB; the limit "
                                 f"is {self.limit // MB} MB. Upload the ZIP Spotify sent you, unchanged.")


def copy_as_utf8(source: BinaryIO, sink: BinaryIO, member_cap: int, budget: InflateBudget, what: str) -> int:
    """Copy one history file as UTF-8; returns the bytes written.

    Refuses as too large a file that reads longer than member_cap or writes past the shared budget, and
    as unusable one that is not text in the encoding it starts in. Library errors are logged, not shown.
    """
    read = written = 0
    to_utf8 = ToUtf8()
    try:
        while piece := source.read(CHUNK):
            read += len(piece)
            if read > member_cap:
                raise ExportTooLarge(f"{what} inflates beyond its declared size or the upload limit; "
                                     "upload the ZIP Spotify sent you.")
            written += _write(sink, to_utf8.feed(piece), budget)
        written += _write(sink, to_utf8.feed(b"", final=True), budget)
    except NotText as error:
        raise ExportUnusable(f"{what} starts as {error.label} text but is not valid {error.label}; history files "
                             "must be text in UTF-8, UTF-16 or UTF-32, as Spotify sends them.") from error
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as error:
        if is_out_of_space(error):  # writing the copy failed, not reading the person's file
            raise ServerOutOfSpace from error
        log.info("Unreadable member: %s", error)
        raise ExportUnreadable(f"{what} is damaged inside the ZIP; download the export again.") from error
    return written


def _write(sink: BinaryIO, data: bytes, budget: InflateBudget) -> int:
    if data:
        budget.take(len(data))
        sink.write(data)
    return len(data)


def open_zip(upload: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        log.info("Unreadable ZIP: %s", error)
        raise ExportUnreadable("The ZIP file is damaged or incomplete; download it again from Spotify and "
                               "upload it unchanged.") from error


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    try:
        return archive.open(info)
    except (NotImplementedError, RuntimeError, zipfile.BadZipFile, ValueError, OSError) as error:
        log.info("Member cannot be opened: %s", error)
        raise ExportUnusable(f"{base_name(info.filename)} cannot be read (an unknown compression method or a damaged "
                             "entry); upload the ZIP Spotify sent you.") from error


def inflate_members(upload: Path, infos: list[zipfile.ZipInfo], paths: list[Path], budget: InflateBudget) -> int:
    """Inflate each member into its path, several at once; returns the bytes written.

    Each thread opens the ZIP once and takes the next member until none is left, or until one
    has failed; then the others stop at their next member.
    """
    pending = iter(zip(infos, paths))
    taking = threading.Lock()
    failed = threading.Event()

    def next_member() -> tuple[zipfile.ZipInfo, Path] | None:
        with taking:
            return None if failed.is_set() else next(pending, None)

    def inflate_until_done() -> int:
        written = 0
        try:
            with open_zip(upload) as archive:
                while (member := next_member()) is not None:
                    info, target = member
                    with _open_member(archive, info) as source, open(target, "wb") as sink:
                        written += copy_as_utf8(source, sink, info.file_size, budget, base_name(info.filename))
        except BaseException:
            failed.set()
            raise
        return written

    threads = min(INFLATE_THREADS, len(infos))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="inflate") as pool:
        workers = [pool.submit(inflate_until_done) for _ in range(threads)]
    return sum(worker.result() for worker in workers)
