"""python -m benchmarks parallel-stats: peak memory of parallel statistics, Wrapped cards and charts.

Builds one session of --plays plays (a 250,000-play export ingested, then its plays repeated a few
seconds apart inside the session file, so the names and their spread stay realistic), then sends
--parallel requests of one kind at once to an app in this process and reports the peak resident set
of the process (sampled every 5 ms) above what it held before. Each kind runs in a fresh process, so
one kind's caches never lower another's figure.

    .venv/bin/python -m benchmarks parallel-stats --kind stats
    .venv/bin/python -m benchmarks parallel-stats --kind all      # stats, wrapped and chart, one after another
"""
from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import psutil

from backend.services.curation import record_releases
from backend.services.sessions import read_summary
from benchmarks.export import build_export
from benchmarks.workloads import FILTERS
from harness.service import offline_app, upload_ok

log = logging.getLogger("benchmarks.parallel_stats")
BASE_PLAYS = 250_000
SAMPLE_SECONDS = 0.005
KINDS = ("stats", "stats_filtered", "wrapped", "chart")
# stats_filtered: the filtered workloads' FILTERS kept with the session for the run (and cleared after): what
# 20 filtered statistics hold.


def build_session(upload_dir: Path, plays: int) -> str:
    """A session of about `plays` plays in upload_dir; returns its id."""
    app = offline_app(upload_dir)
    data, _ = build_export(BASE_PLAYS)
    session = upload_ok(app.test_client(), data)["session_id"]
    copies = max(0, round(plays / BASE_PLAYS) - 1)
    with duckdb.connect(str(upload_dir / f"{session}.duckdb")) as con:
        con.execute("CREATE TEMP TABLE original AS SELECT * FROM plays")
        for copy in range(1, copies + 1):
            con.execute(f"INSERT INTO plays SELECT * REPLACE (ts + INTERVAL {copy * 7} SECOND AS ts) FROM original")
        if copies:
            # the releases count their plays, copies included (what the filters say they set aside)
            record_releases(con, read_summary(con)["format"])
        con.execute("CHECKPOINT")
        stored = con.execute("SELECT count(*) FROM plays").fetchone()[0]
    log.info("session %s holds %d plays", session, stored)
    return session


def request_once(app, kind: str, session: str) -> int:
    client = app.test_client()
    if kind in ("stats", "stats_filtered"):
        return client.get(f"/sessions/{session}/stats").status_code
    if kind == "wrapped":
        return client.post("/generate_wrapped", json={"session_id": session, "year": 2023}).status_code
    return client.post("/generate_image", json={"session_id": session, "selected_attribute": "track_name"}).status_code


def peak_during(work: threading.Thread) -> int:
    process, peak = psutil.Process(), 0
    work.start()
    while work.is_alive():
        peak = max(peak, process.memory_info().rss)
        time.sleep(SAMPLE_SECONDS)
    return peak


def measure(upload_dir: Path, session: str, kind: str, parallel: int) -> None:
    app = offline_app(upload_dir)
    if kind == "stats_filtered":
        kept = app.test_client().put(f"/sessions/{session}/filters", json=FILTERS)
        if kept.status_code != 200:
            raise RuntimeError(f"the filters were refused: {kept.get_json()}")
    request_once(app, kind, session)            # fonts, caches and DuckDB's first connection
    before = psutil.Process().memory_info().rss
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(request_once(app, kind, session)))
               for _ in range(parallel)]
    started = time.perf_counter()
    peak = peak_during(threading.Thread(target=lambda: [t.start() for t in threads] + [t.join() for t in threads]))
    seconds = time.perf_counter() - started
    if kind == "stats_filtered":
        app.test_client().delete(f"/sessions/{session}/filters")
    print(f"{kind}: {parallel} parallel, statuses {sorted(set(statuses))}, {seconds:.1f} s, "
          f"RSS before {before / 2**20:.0f} MB, peak {peak / 2**20:.0f} MB (+{(peak - before) / 2**20:.0f} MB)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plays", type=int, default=1_000_000)
    parser.add_argument("--parallel", type=int, default=20)
    parser.add_argument("--kind", choices=(*KINDS, "all"), default="all")
    parser.add_argument("--upload-dir", type=Path, help="reuse a folder holding one session (built when empty)")
    parser.add_argument("--session", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO)
    if args.session:
        measure(args.upload_dir, args.session, args.kind, args.parallel)
        return 0
    upload_dir = args.upload_dir or Path(tempfile.mkdtemp(prefix="parallel-stats-"))
    stored = sorted(upload_dir.glob("*.duckdb"))
    session = stored[0].stem if stored else build_session(upload_dir, args.plays)
    for kind in KINDS if args.kind == "all" else (args.kind,):
        subprocess.run([sys.executable, "-m", "benchmarks", "parallel-stats", "--upload-dir", str(upload_dir),
                        "--session", session, "--kind", kind, "--parallel", str(args.parallel)], check=True)
    return 0
