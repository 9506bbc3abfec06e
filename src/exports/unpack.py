"""Open an uploaded export safely and copy its listening-history members to a private folder.

Nothing from a member name is ever used as a path: members are written as <index>.json.
Sizes, ratios and member counts are checked from the central directory before inflating,
and inflation itself is capped in case the directory lies.
"""
from __future__ import annotations

import os
import stat
import threading
import zlib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from src.exports.formats import ACCOUNT_PACKAGE_MARKERS, RowFormat, format_of_json_head, format_of_member

# Inflated in pieces below glibc's mmap threshold as the service sets it (256 KB): larger pieces would
# each be a fresh mapping, zeroed page by page, which nearly doubled the time to unpack an export.
CHUNK = 128 * 1024
RATIO_CHECKED_ABOVE = 1 << 20  # members smaller than this may compress as well as they like
UTF8_BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# zlib and crc32 let go of the GIL, so members inflate side by side, one per core (up to 4).
INFLATE_THREADS = min(os.cpu_count() or 1, 4)


class ExportError(Exception):
    """An upload that cannot be used, with the HTTP status and a message for the person."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_extracted_bytes: int
    max_members: int
    max_ratio: int


@dataclass
class UnpackedExport:
    row_format: RowFormat
    paths: list[Path]
    member_names: list[str]
    extracted_bytes: int
    ignored_members: int = 0
    notes: list[str] = field(default_factory=list)


def unpack_upload(upload: Path, dest: Path, limits: Limits, display_name: str = "upload.json") -> UnpackedExport:
    """Copy the history files of `upload` (a ZIP or one history .json) into `dest`.

    display_name is what the person called the file; it only ever appears in messages.

    Raises ExportError (400 unreadable, 413 too large once inflated, 422 no usable history).
    """
    with open(upload, "rb") as handle:
        head = handle.read(4)
    if head in ZIP_MAGIC:
        return _unpack_zip(upload, dest, limits)
    return _unpack_single_json(upload, dest, limits, display_name)


def _unpack_single_json(upload: Path, dest: Path, limits: Limits, display_name: str) -> UnpackedExport:
    with open(upload, "rb") as handle:
        head = handle.read(64 * 1024)
    text = head.removeprefix(UTF8_BOM).decode("utf-8", errors="replace").lstrip()
    if not text.startswith("["):
        raise ExportError(400, "The upload is neither a ZIP file nor a JSON listening-history file; "
                               "upload my_spotify_data.zip as Spotify sent it.")
    row_format = format_of_json_head(text)
    if row_format is None:
        raise ExportError(422, "This JSON file is not Spotify listening history: it has neither 'ts'/'ms_played' "
                               "(extended history) nor 'endTime'/'msPlayed' (account data) rows.")
    target = dest / "0.json"
    with open(upload, "rb") as source, open(target, "wb") as sink:
        size = _copy_capped(source, sink, limits.max_extracted_bytes, "the uploaded file")
    return UnpackedExport(row_format, [target], [display_name], size)


def _open_zip(upload: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ExportError(400, f"The ZIP file is damaged or incomplete ({error}); download it again from "
                               "Spotify and upload it unchanged.") from error


def _unpack_zip(upload: Path, dest: Path, limits: Limits) -> UnpackedExport:
    with _open_zip(upload) as archive:
        members = archive.infolist()
        _check_members(members, limits)
        history = [(info, format_of_member(info.filename)) for info in members if not info.is_dir()]
        history = [(info, fmt) for info, fmt in history if fmt is not None]
        if not history:
            raise ExportError(422, _describe_without_history(members))
        formats = {fmt.key: fmt for _, fmt in history}
        if len(formats) > 1:
            raise ExportError(422, "This ZIP mixes two export generations (extended streaming history and "
                                   "account data). Upload one package: the extended history has everything.")
        row_format = next(iter(formats.values()))
        infos = [info for info, _ in history]
        _check_sizes(infos, limits)
    paths = [dest / f"{index}.json" for index in range(len(infos))]
    extracted = _inflate_members(upload, infos, paths)
    return UnpackedExport(row_format, paths, [info.filename for info in infos], extracted,
                          len(members) - len(history))


def _inflate_members(upload: Path, infos: list[zipfile.ZipInfo], paths: list[Path]) -> int:
    """Inflate each member into its path, several at once; returns the bytes written.

    Each thread opens the ZIP once and takes the next member until none is left, or until one
    has failed. Each member is capped at its declared size, and the declared sizes were checked
    against the limit, so the total stays within it even when the directory lies.
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
            with _open_zip(upload) as archive:
                while (member := next_member()) is not None:
                    info, target = member
                    with _open_member(archive, info) as source, open(target, "wb") as sink:
                        written += _copy_capped(source, sink, info.file_size, info.filename)
        except BaseException:
            failed.set()
            raise
        return written

    threads = min(INFLATE_THREADS, len(infos))
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="inflate") as pool:
        workers = [pool.submit(inflate_until_done) for _ in range(threads)]
    return sum(worker.result() for worker in workers)


def _check_members(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(members) > limits.max_members:
        raise ExportError(413, f"The ZIP has {len(members)} entries; at most {limits.max_members} are accepted. "
                               "Upload the ZIP Spotify sent you, unchanged.")
    for info in members:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in name.split("/"):
            raise ExportError(400, "The ZIP contains an entry with an unsafe path; upload the ZIP Spotify sent you.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ExportError(400, "The ZIP contains a symbolic link; upload the ZIP Spotify sent you.")
        if name.lower().endswith(".zip"):
            raise ExportError(422, f"The ZIP contains another ZIP ({name.rsplit('/', 1)[-1]}); "
                                   "unpack it and upload the inner my_spotify_data.zip instead.")


def _check_sizes(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = sum(info.file_size for info in members)
    if total > limits.max_extracted_bytes:
        raise ExportError(413, f"The listening history would unpack to {total // 2**20} MB; the limit is "
                               f"{limits.max_extracted_bytes // 2**20} MB.")
    for info in members:
        if info.flag_bits & 0x1:
            raise ExportError(422, f"{info.filename} is encrypted; upload the ZIP without a password.")
        if info.file_size > RATIO_CHECKED_ABOVE and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ExportError(413, f"{info.filename} claims a compression ratio above {limits.max_ratio}:1, "
                                   "which no real export has; upload the ZIP Spotify sent you.")


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    try:
        return archive.open(info)
    except (NotImplementedError, RuntimeError, zipfile.BadZipFile) as error:
        raise ExportError(422, f"{info.filename} cannot be read ({error}).") from error


def _copy_capped(source, sink, cap: int, what: str) -> int:
    """Copy at most `cap` bytes, dropping a leading UTF-8 BOM; refuse anything longer."""
    copied, first = 0, True
    try:
        while chunk := source.read(CHUNK):
            if first:
                chunk, first = chunk.removeprefix(UTF8_BOM), False
            copied += len(chunk)
            if copied > cap:
                raise ExportError(413, f"{what} inflates beyond its declared size or the upload limit; "
                                       "upload the ZIP Spotify sent you.")
            sink.write(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as error:
        raise ExportError(400, f"{what} is damaged inside the ZIP ({error}); download the export again.") from error
    return copied


def _describe_without_history(members: list[zipfile.ZipInfo]) -> str:
    names = [info.filename.rsplit("/", 1)[-1] for info in members if not info.is_dir()]
    markers = [name for name in names if name in ACCOUNT_PACKAGE_MARKERS]
    if markers:
        return ("This is the Account data package without streaming history (it holds "
                f"{', '.join(markers[:4])}). Request 'Extended streaming history' in your Spotify privacy "
                "settings and upload that ZIP.")
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return (f"No Spotify listening history in this ZIP (it holds {shown or 'nothing'}). Expected files named "
            "Streaming_History_Audio_*.json, endsong_*.json or StreamingHistory*.json.")
