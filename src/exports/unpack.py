"""Open an uploaded export safely and copy its listening-history members to a private folder.

Nothing from a member name is ever used as a path: members are written as <index>.<json|jsonl|csv>.
Sizes, ratios and member counts are checked from the central directory before inflating,
and inflation itself is capped (inflate.py) in case the directory lies.
"""
from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from src.exports.encodings import UTF8, detect_encoding
from src.exports.errors import ExportTooLarge, ExportUnreadable, ExportUnusable
from src.exports.inflate import MB, InflateBudget, copy_as_utf8, inflate_members, open_zip
from src.exports.recognise import (
    ACCOUNT_PACKAGE_MARKERS,
    CSV_MEMBER,
    EXPECTED_FILES,
    format_of_csv_head,
    format_of_member,
    format_of_text_head,
    is_companion,
    row_keys_described,
)
from src.exports.row_formats import RowFormat, base_name

# Members declaring less than this may claim any ratio (a short file of repeated rows compresses very
# well): each is cut off at its declared size, so together they write at most 64 KiB x MAX_ZIP_MEMBERS,
# and the upload's shared budget bounds them anyway. Every larger member is held to the ratio.
RATIO_CHECKED_FROM = 64 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
JSON_HEAD_BYTES = 64 * 1024
# Enough of a CSV member to read its header line.
CSV_HEAD_BYTES = 4096
SUFFIXES = {"json": ".json", "jsonl": ".jsonl", "csv": ".csv"}
# Takeout writes YouTube's history as HTML unless asked for JSON; its times there are local, in the
# account's language, with ambiguous zone abbreviations, so only the JSON is read.
TAKEOUT_HTML = ("This is an HTML page (Google Takeout writes YouTube's watch-history.html unless asked otherwise). "
                "Export it again choosing JSON for the history (Takeout: 'Multiple formats', history: JSON) and "
                "upload watch-history.json or the Takeout ZIP.")


@dataclass(frozen=True)
class Limits:
    max_extracted_bytes: int
    max_members: int
    max_ratio: int


@dataclass
class UnpackedExport:
    row_format: RowFormat
    paths: list[Path]
    member_names: list[str]     # base names, as messages and the summary show them
    companion: Path | None = None   # Apple Music's Daily Tracks file, where the format needs it


def unpack_upload(upload: Path, dest: Path, limits: Limits, display_name: str = "upload.json") -> UnpackedExport:
    """Copy the history files of `upload` (a ZIP or one history .json) into `dest`, as UTF-8.

    display_name is what the person called the file; it only ever appears in messages. A lone UTF-8 file
    is moved into dest, not copied.

    Raises ExportUnreadable, ExportTooLarge (once inflated) or ExportUnusable (no usable history).
    """
    with open(upload, "rb") as handle:
        head = handle.read(JSON_HEAD_BYTES)
    budget = InflateBudget(limits.max_extracted_bytes)
    if head[:4] in ZIP_MAGIC:
        return _unpack_zip(upload, dest, limits, budget)
    return _unpack_single_json(upload, dest, head, budget, display_name)


def _unpack_single_json(upload: Path, dest: Path, head: bytes, budget: InflateBudget,
                        display_name: str) -> UnpackedExport:
    encoding, mark = detect_encoding(head)
    # The head may end inside a character: its text is only looked at, never stored.
    text = head[mark:].decode(encoding, errors="replace")
    row_format = format_of_text_head(text)
    if row_format is None:
        raise _not_history(text.lstrip())
    target = dest / f"0{SUFFIXES[row_format.reader]}"
    if encoding == UTF8 and not mark and _moved(upload, target, budget):
        return UnpackedExport(row_format, [target], [display_name])
    with open(upload, "rb") as source, open(target, "wb") as sink:
        copy_as_utf8(source, sink, budget.limit, budget, display_name)
    return UnpackedExport(row_format, [target], [display_name])


def _moved(upload: Path, target: Path, budget: InflateBudget) -> bool:
    """Move a UTF-8 file without a byte-order mark into place: already what DuckDB reads (it checks the UTF-8
    itself), so a copy would only cost time. False when the two are on different file systems."""
    try:
        upload.replace(target)
    except OSError:
        return False
    budget.take(target.stat().st_size)
    return True


def _not_history(text: str) -> Exception:
    """Why a lone file that is no ZIP is not one of the accepted histories."""
    if text.startswith("["):
        return ExportUnusable("This JSON file is not Spotify listening history: its rows hold none of "
                              f"{row_keys_described()}, and it is no YouTube Music watch-history.json.")
    if text.startswith("{"):
        return ExportUnusable("This JSON file is not a listening history: ListenBrainz exports hold one listen "
                              "with 'listened_at' a line; Spotify's history files are JSON arrays.")
    if text[:1] == "<":
        return ExportUnusable(TAKEOUT_HTML)
    first_line = text.split("\n", 1)[0]
    if "," in first_line and "\ufffd" not in first_line and "\x00" not in first_line:
        return ExportUnusable("This CSV file is not one of the accepted exports: a Last.fm scrobbles CSV has the "
                              "header uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid or "
                              "utc_time,artist,album,track, or no header and rows of artist,album,track,date "
                              "(31 Jan 2021 14:05); Apple Music's is Apple Music Play Activity.csv.")
    return ExportUnreadable("The upload is neither a ZIP file nor a JSON listening-history file; "
                            "upload my_spotify_data.zip as Spotify sent it, or another service's export "
                            "(see docs/exports.md).")


def _unpack_zip(upload: Path, dest: Path, limits: Limits, budget: InflateBudget) -> UnpackedExport:
    with open_zip(upload) as archive:
        members = archive.infolist()
        _check_members(members, limits)
        history = _history_members(archive, [info for info in members if not info.is_dir()])
        if not history:
            raise ExportUnusable(_describe_without_history(members))
        found = {fmt.key: fmt for _, fmt in history}
        if len(found) > 1:
            raise ExportUnusable(f"This ZIP mixes two export generations ({' and '.join(found)}). Upload one "
                                 "package (the extended history has everything), then add the others to the "
                                 "session with POST /sessions/<id>/uploads.")
        row_format = next(iter(found.values()))
        infos = [info for info, _ in history]
        companions = [info for info in members if is_companion(info.filename)] if row_format.needs_companion else []
        _check_sizes(infos + companions[:1], limits)
    suffix = SUFFIXES[row_format.reader]
    paths = [dest / f"{index}{suffix}" for index in range(len(infos))]
    companion = dest / "companion.csv" if companions else None
    inflate_members(upload, infos + companions[:1], paths + ([companion] if companion else []), budget)
    return UnpackedExport(row_format, paths, [base_name(info.filename) for info in infos], companion)


def _history_members(archive: zipfile.ZipFile,
                     members: list[zipfile.ZipInfo]) -> list[tuple[zipfile.ZipInfo, RowFormat]]:
    """The members holding plays, with their formats: JSON by name, CSV by its header line."""
    history = []
    for info in members:
        fmt = format_of_member(info.filename)
        if fmt is None and CSV_MEMBER.search(info.filename) and not is_companion(info.filename):
            fmt = _csv_member_format(archive, info)
        if fmt is not None:
            history.append((info, fmt))
    return history


def _csv_member_format(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> RowFormat | None:
    """A CSV member's format from its first bytes; None for any other CSV (or one that cannot be opened)."""
    try:
        with archive.open(info) as member:
            head = member.read(CSV_HEAD_BYTES)
    except (NotImplementedError, RuntimeError, zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    encoding, mark = detect_encoding(head)
    return format_of_csv_head(head[mark:].decode(encoding, errors="replace"))


def _check_members(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(members) > limits.max_members:
        raise ExportTooLarge(f"The ZIP has {len(members)} entries; at most {limits.max_members} are accepted. "
                             "Upload the ZIP Spotify sent you, unchanged.")
    for info in members:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in name.split("/"):
            raise ExportUnreadable("The ZIP contains an entry with an unsafe path; upload the ZIP Spotify sent you.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ExportUnreadable("The ZIP contains a symbolic link; upload the ZIP Spotify sent you.")
        if name.lower().endswith(".zip"):
            raise ExportUnusable(f"The ZIP contains another ZIP ({base_name(name)}); "
                                 "unpack it and upload the inner my_spotify_data.zip instead.")


def _check_sizes(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = sum(info.file_size for info in members)
    if total > limits.max_extracted_bytes:
        raise ExportTooLarge(f"The listening history would unpack to {total // MB} MB; the limit is "
                             f"{limits.max_extracted_bytes // MB} MB.")
    for info in members:
        if info.flag_bits & 0x1:
            raise ExportUnusable(f"{base_name(info.filename)} is encrypted; upload the ZIP without a password.")
        if info.file_size >= RATIO_CHECKED_FROM and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ExportTooLarge(f"{base_name(info.filename)} claims a compression ratio above {limits.max_ratio}:1, "
                                 "which no real export has; upload the ZIP Spotify sent you.")


def _describe_without_history(members: list[zipfile.ZipInfo]) -> str:
    names = [base_name(info.filename) for info in members if not info.is_dir()]
    if any(name.lower() == "watch-history.html" for name in names):
        return TAKEOUT_HTML
    markers = [name for name in names if name in ACCOUNT_PACKAGE_MARKERS]
    if markers:
        return ("This is the Account data package without streaming history (it holds "
                f"{', '.join(markers[:4])}). Request 'Extended streaming history' in your Spotify privacy "
                "settings and upload that ZIP.")
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return (f"No listening history in this ZIP (it holds {shown or 'nothing'}). Expected files named "
            f"{EXPECTED_FILES}.")
