"""The benchmark's export: a realistic Extended Streaming History ZIP built in memory."""
from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass

from harness.exportgen import extended_rows, extended_zip, make_catalog

START, END = "2015-01-01", "2024-12-31"


@dataclass(frozen=True)
class ExportStats:
    rows: int
    duplicates: int
    json_bytes: int
    zip_bytes: int
    build_s: float


def build_export(rows: int) -> tuple[bytes, ExportStats]:
    """`rows` distinct plays over ten years plus rows//500 exact duplicates, zipped as Spotify does."""
    started = time.perf_counter()
    duplicates = rows // 500
    plays = extended_rows(make_catalog(), rows, start=START, end=END, duplicates=duplicates)
    data = extended_zip(plays)
    total_rows = len(plays)
    del plays
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        json_bytes = sum(i.file_size for i in archive.infolist() if i.filename.endswith(".json"))
    return data, ExportStats(total_rows, duplicates, json_bytes, len(data), time.perf_counter() - started)
