"""python -m benchmarks requests: time and measure the API's heavy requests on a realistic export.

The export is generated here; every request is made in a subprocess (request_runner.py)
that never held the generated rows, so its RSS is the server's own: ingest in a fresh process
per run, the chart and race requests in one long-lived process, as a gunicorn worker would be.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from backend.core.settings import load_settings
from backend.services.encoding.ffmpeg import find_ffmpeg
from benchmarks.artwork_standins import running_standins
from benchmarks.bucket_workloads import run_bucket_workloads
from benchmarks.export import build_export
from benchmarks.floor import RGB_PIX_FMT, encode_floor, save_frames
from benchmarks.report import WorkloadResult, print_export, print_results, print_summary, results_markdown
from benchmarks.request_runner import PREFIX
from benchmarks.workloads import WORKLOADS, Workload, select

REPO = Path(__file__).resolve().parents[1]
REQUEST_RUNNER = "request-runner"   # the internal subcommand (benchmarks/__main__.py) that runs request_runner.py
log = logging.getLogger("benchmarks")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=250_000, help="distinct plays in the export (default 250000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each workload; the median is reported")
    parser.add_argument("--only", help="comma-separated workloads or prefixes: " + ", ".join(w.name for w in WORKLOADS))
    parser.add_argument("--quick", action="store_true", help="only ingest, the images, stats and race_full_default")
    parser.add_argument("--save-frames", type=Path, metavar="DIR",
                        help="save PNGs of the first second, the middle and the last frame of each race (first run)")
    parser.add_argument("--render-workers", type=int, metavar="N",
                        help="RENDER_WORKERS for the server (default: its own default, 1)")
    parser.add_argument("--write-docs", type=Path, metavar="PAGE",
                        help="write the benchmarks page (benchmarks/page.md with this run's figures) to PAGE")
    parser.add_argument("--floor-segment-mb", type=int, default=1024,
                        help="raw frames decoded per encode-floor segment (default 1024)")


def run_requests(args: list[str]) -> tuple[int, list[dict[str, Any]]]:
    """Run the request runner; collect its result lines as they arrive (its stderr passes through)."""
    process = subprocess.Popen([sys.executable, "-m", "benchmarks", REQUEST_RUNNER, *args], cwd=REPO,
                               stdout=subprocess.PIPE, text=True)
    results = []
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(PREFIX):
            result = json.loads(line[len(PREFIX):])
            log.info("%s run %d: status %s, %.3f s, peak RSS %.0f MB", result["name"], result["run"],
                     result["status"], result["wall_s"], result["peak_server_mb"])
            results.append(result)
    return process.wait(), results


def ingest_sessions(zip_path: Path, upload_dir: Path, count: int) -> tuple[list[dict[str, Any]], list[str]]:
    results, sessions = [], []
    for run in range(1, count + 1):
        code, lines = run_requests(["ingest", str(zip_path), str(upload_dir), "--run", str(run)])
        result = lines[0] if lines else {"name": "ingest", "run": run, "status": None, "wall_s": 0.0,
                                         "error": f"the ingest runner exited with {code}"}
        results.append(result)
        if result.get("status") == 200:
            sessions.append(result["session_id"])
    return results, sessions


def add_floors(races: list[WorkloadResult], segment_bytes: int) -> None:
    ffmpeg = find_ffmpeg("")
    for res in races:
        for r in res.runs:
            if r.get("status") != 200 or ffmpeg is None:
                continue
            log.info("encode floor: %s run %d (%d frames)", res.workload.name, r["run"], r["frames"])
            floor = encode_floor(Path(r["mp4"]), ffmpeg, r["width"], r["height"], r["fps"], segment_bytes=segment_bytes)
            r.update(floor_s=floor.seconds, floor_ratio=r["wall_s"] / floor.seconds)
            notes = [f"the MP4 decoded to {floor.frames} frames, the API said {r['frames']}"] \
                if floor.frames != r["frames"] else []
            if floor.segments > 1:
                notes.append(f"floor summed over {floor.segments} segments of raw frames")
            r["floor_note"] = "; ".join(notes)
        # The floor of the same frames fed as rgb0, once per race: what the targets set before races were
        # painted in Y'CbCr were measured against.
        first = next((r for r in res.runs if r.get("status") == 200), None)
        if first is not None and ffmpeg is not None:
            log.info("rgb0 encode floor: %s run %d", res.workload.name, first["run"])
            rgb = encode_floor(Path(first["mp4"]), ffmpeg, first["width"], first["height"], first["fps"],
                               segment_bytes=segment_bytes, pix_fmt=RGB_PIX_FMT)
            first.update(rgb_floor_s=rgb.seconds, rgb_floor_ratio=first["wall_s"] / rgb.seconds)


def write_frames(races: list[WorkloadResult], dest: Path) -> None:
    ffmpeg = find_ffmpeg("")
    for res in races:
        first = next((r for r in res.runs if r.get("status") == 200), None)
        if first and ffmpeg:
            for path in save_frames(Path(first["mp4"]), first["frames"], first["fps"], ffmpeg, dest,
                                     stem=res.workload.name):
                log.info("saved %s", path)


def measure(workloads: list[Workload], zip_path: Path, tmp: Path, args: argparse.Namespace) -> list[WorkloadResult]:
    upload_dir, out_dir = tmp / "sessions", tmp / "videos"
    upload_dir.mkdir()
    out_dir.mkdir()
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with_ingest = any(w.kind == "ingest" for w in workloads)
    charts = [w.name for w in workloads if w.kind not in ("ingest", "bucket")]
    if any(w.kind == "bucket" for w in workloads):
        for r in run_bucket_workloads(zip_path, tmp, args.runs, run_requests):
            by_name[r["name"]].append(r)
    ingests, sessions = ingest_sessions(zip_path, upload_dir, args.runs if with_ingest else 1) \
        if with_ingest or charts else ([], [])
    if with_ingest:
        by_name["ingest"] = ingests
    if charts and sessions:
        per_run = [sessions[k % len(sessions)] for k in range(args.runs)]
        upstreams = running_standins() if any(w.kind == "artwork" for w in workloads) else contextlib.nullcontext()
        with upstreams:
            code, lines = run_requests(["serve", str(upload_dir), str(out_dir), ",".join(per_run), ",".join(charts)])
        for r in lines:
            by_name[r["name"]].append(r)
        if code != 0 and not lines:
            log.error("the serve runner exited with %d and no results", code)
    results = [WorkloadResult(w, by_name[w.name]) for w in workloads]
    for res in results:
        for r in res.runs:
            if r.get("status") == 200 and r.get("frames"):
                r["frames_per_s"] = r["frames"] / r["wall_s"]
    compare_with_references(results)
    races = [res for res in results if res.workload.kind == "race"]
    add_floors(races, args.floor_segment_mb * 2**20)
    if args.save_frames:
        write_frames(races, args.save_frames)
    return results


def compare_with_references(results: list[WorkloadResult]) -> None:
    """wall_vs_reference for each run of a workload that names a reference measured in the same run."""
    medians = {res.workload.name: res.median("wall_s") for res in results}
    for res in results:
        base = medians.get(res.workload.reference)
        for r in res.runs:
            if base and r.get("status") == 200:
                r["wall_vs_reference"] = r["wall_s"] / base


def write_page(page: Path, results: list[WorkloadResult], runs: int) -> None:
    machine = (f"{date.today().isoformat()}, {os.cpu_count()} cores, "
               f"RENDER_WORKERS {load_settings().render_workers}, {platform.python_implementation()} "
               f"{platform.python_version()}")
    template = (REPO / "benchmarks" / "page.md").read_text(encoding="utf-8")
    page.write_text(template.replace("{results}", results_markdown(results, runs, machine)), encoding="utf-8")
    log.info("wrote %s", page)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.rows < 200 or args.runs < 1:
        log.error("--rows must be at least 200 and --runs at least 1")
        return 2
    if args.render_workers is not None:
        os.environ["RENDER_WORKERS"] = str(args.render_workers)  # read by the request runner's create_app
    try:
        workloads = select(args.only, args.quick)
    except ValueError as error:
        log.error("%s", error)
        return 2
    log.info("building the export: %d rows", args.rows)
    data, stats = build_export(args.rows)
    print_export(stats)
    print(f"Render workers (RENDER_WORKERS): {load_settings().render_workers}, on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        zip_path = Path(tmp) / "my_spotify_data.zip"
        zip_path.write_bytes(data)
        del data
        gc.collect()
        results = measure(workloads, zip_path, Path(tmp), args)
    print_results(results, args.runs)
    print_summary(results)
    if args.write_docs:
        write_page(args.write_docs, results, args.runs)
    return 1 if any(res.failed for res in results) else 0

