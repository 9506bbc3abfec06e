"""python -m benchmarks service-ingest: a large Last.fm CSV ingested, against DuckDB alone reading it, and
added to a session of a Spotify export, against ingesting it alone.

Targets: /process of a 1,000,000-row Last.fm CSV within 1.5x the
time DuckDB alone takes to read the same file into a table; POST /sessions/<id>/uploads of it to a session
holding a 250,000-play Spotify export within 1.5x the time /process of it alone takes. Each figure is the
median of --runs runs; requests go to an app in this process (as the statistics benchmark does).

    .venv/bin/python -m benchmarks service-ingest                  # 1,000,000 rows, 3 runs
    .venv/bin/python -m benchmarks service-ingest --rows 100000 --runs 1
"""
from __future__ import annotations

import argparse
import io
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from benchmarks.export import build_export
from harness import servicegen as sg
from harness.service import offline_app, upload_ok
from src.exports.service_formats import LASTFM

log = logging.getLogger("benchmarks.service_ingest")
TARGET_VS_DUCKDB = 1.5
TARGET_ADD_VS_ALONE = 1.5
SPOTIFY_PLAYS = 250_000


def scrobbles_csv(rows: int) -> bytes:
    """`rows` scrobbles of a hundred artists, as the uts layout writes them."""
    plays = sg.own_plays(rows, "2012-01-01", artists=100)
    return sg.lastfm_csv(plays, "uts")


def duckdb_alone(path: Path, work: Path) -> None:
    """The floor: DuckDB reading the CSV, with the same explicit columns, into a table of a new file."""
    with duckdb.connect(str(work / f"floor-{time.monotonic_ns()}.duckdb")) as con:
        con.execute("CREATE TABLE scrobbles AS SELECT * FROM read_csv(?, header=true, columns=?, auto_detect=false)",
                    [str(path), LASTFM.columns])


def multipart(data: bytes) -> tuple[bytes, str]:
    """The upload form's body and its content type, built once: a client's work, not the service's."""
    stream, _length, boundary = stream_encode_multipart({"file": FileStorage(io.BytesIO(data), "scrobbles.csv")},
                                                      use_tempfile=False)
    return stream.getvalue(), f"multipart/form-data; boundary={boundary}"


def post(client, url: str, form: tuple[bytes, str]) -> None:
    body, content_type = form
    response = client.post(url, data=body, content_type=content_type)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.get_json()}")


def median_seconds(runs: int, work: Callable[[], None]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=1_000_000, help="scrobbles in the CSV (default 1000000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement; the median is reported")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory(prefix="service-ingest-") as folder:
        work = Path(folder)
        data = scrobbles_csv(args.rows)
        csv_path = work / "scrobbles.csv"
        csv_path.write_bytes(data)
        log.info("Last.fm CSV: %d rows, %.0f MB", args.rows, len(data) / 2**20)
        app = offline_app(work / "sessions", MAX_SESSIONS=args.runs * 2 + 2)
        client = app.test_client()
        floor = median_seconds(args.runs, lambda: duckdb_alone(csv_path, work))
        form = multipart(data)
        alone = median_seconds(args.runs, lambda: post(client, "/process", form))
        spotify, _ = build_export(SPOTIFY_PLAYS)
        sessions = iter([upload_ok(client, spotify)["session_id"] for _ in range(args.runs)])
        added = median_seconds(args.runs, lambda: post(client, f"/sessions/{next(sessions)}/uploads", form))
    checks = [("/process vs DuckDB alone", alone / floor, TARGET_VS_DUCKDB),
              ("added to a session vs /process alone", added / alone, TARGET_ADD_VS_ALONE)]
    print(f"DuckDB alone {floor:.2f} s · /process {alone:.2f} s · added to a {SPOTIFY_PLAYS:,}-play session "
          f"{added:.2f} s")
    for label, ratio, target in checks:
        print(f"{label}: {ratio:.2f}x (target <= {target}x) {'ok' if ratio <= target else 'MISSED'}")
    return 0 if all(ratio <= target for _, ratio, target in checks) else 1
