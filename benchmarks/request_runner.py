"""The requests of `python -m benchmarks requests`, made in a subprocess (`python -m benchmarks request-runner`,
an internal subcommand that --help does not list), so the memory it measures is the server's alone, never
the generator's.

`ingest ZIP UPLOAD_DIR`: a fresh process that loads the ZIP's bytes and posts them to /process.
`serve UPLOAD_DIR OUT_DIR SESSIONS WORKLOADS`: one long-lived process (like a gunicorn worker)
that makes run k's chart requests against session k and writes each race's MP4 to OUT_DIR.
`bucket ZIP ROOT STORE_JSON RUNS`: the bucket workloads (benchmarks/bucket_workloads.py), machines in folders of ROOT.
Each result is one stdout line "BENCH <json>"; anything else the app prints is not parsed.
"""
from __future__ import annotations

import argparse
import base64
import gc
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, stream_encode_multipart

from backend.app import create_app
from benchmarks.artwork_standins import artwork_settings
from benchmarks.bucket_workloads import measure_machines
from benchmarks.measure import RssSampler
from benchmarks.truth import race_truth
from benchmarks.workloads import BY_NAME, FILTERS, Workload

PREFIX = "BENCH "
log = logging.getLogger("benchmarks.request_runner")


def make_app(upload_dir: str, **settings: object) -> Flask:
    # Optional services are switched off explicitly: the benchmark never touches the network (the artwork
    # workloads name their local stand-ins in `settings`).
    return create_app({"TESTING": True, "UPLOAD_DIR": upload_dir, "MAX_SESSIONS": 50, "SUPABASE_URL": "",
                       "SUPABASE_KEY": "", "SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": "",
                       "ARTWORK_SOURCES": "none", **settings})


def emit(result: dict[str, Any]) -> None:
    print(PREFIX + json.dumps(result), flush=True)


def _measured(run: int, name: str, send: Any) -> tuple[dict[str, Any], TestResponse]:
    gc.collect()
    with RssSampler() as sampler:
        started = time.perf_counter()
        response = send()
        wall = time.perf_counter() - started
    peaks = sampler.peaks
    result = {"name": name, "run": run, "status": response.status_code, "wall_s": wall,
              "baseline_mb": peaks.baseline_mb, "peak_server_mb": peaks.server_mb,
              "increase_mb": peaks.increase_mb, "peak_children_mb": peaks.children_mb,
              "peak_total_mb": peaks.total_mb, "children": sorted(peaks.child_names), "samples": peaks.samples}
    if response.status_code != 200:
        result["error"] = response.get_data(as_text=True)[:500]
    return result, response


def _upload(client: FlaskClient, zip_path: str) -> str:
    with open(zip_path, "rb") as upload:
        response = client.post("/process", data={"file": FileStorage(upload, "my_spotify_data.zip")})
    return response.get_json()["session_id"]


def bucket(zip_path: str, root: str, store: str, runs: int) -> int:
    make_client = lambda folder, **settings: make_app(folder, **settings).test_client()  # noqa: E731
    results = measure_machines(zip_path, root, json.loads(store), runs, make_client=make_client,
                               measured=_measured, upload=_upload)
    for result in results:
        emit(result)
    return 0 if all(result["status"] == 200 for result in results) else 1


def ingest(zip_path: str, upload_dir: str, run: int) -> int:
    client = make_app(upload_dir).test_client()
    # The body waits in a temporary file and is read as a stream, as gunicorn reads it from the socket:
    # what is measured is the server's memory, not a copy of the upload held by the client.
    with open(zip_path, "rb") as upload:
        body, length, boundary = stream_encode_multipart({"file": FileStorage(upload, "my_spotify_data.zip")},
                                                         use_tempfile=True, threshold=0)
    body.seek(0)
    with body:
        result, response = _measured(run, "ingest", lambda: client.post(
            "/process", input_stream=body, content_length=length,
            content_type=f"multipart/form-data; boundary={boundary}"))
    if response.status_code == 200:
        answer = response.get_json()
        result["session_id"] = answer["session_id"]
        result["output_bytes"] = (Path(upload_dir) / f"{answer['session_id']}.duckdb").stat().st_size
        result["rows_stored"] = answer["summary"].get("rows_stored")
    emit(result)
    return 0 if response.status_code == 200 else 1


def _chart(client: FlaskClient, workload: Workload, session_id: str, run: int, out_dir: Path,
           *, upload_dir: Path) -> dict[str, Any]:
    if workload.kept_filters:
        kept = client.put(f"/sessions/{session_id}/filters", json=FILTERS)
        if kept.status_code != 200:
            raise RuntimeError(f"the filters were refused: {kept.get_json()}")
    if workload.kind == "stats":
        route = workload.route.format(session_id=session_id)
        result, response = _measured(run, workload.name, lambda: client.get(route, query_string=workload.body))
    else:
        body = {"session_id": session_id, **workload.body}
        result, response = _measured(run, workload.name, lambda: client.post(workload.route, json=body))
    if workload.kept_filters:
        client.delete(f"/sessions/{session_id}/filters")
    if response.status_code != 200:
        return result
    answer = response.get_json()
    if workload.kind == "stats":
        result["output_bytes"] = len(response.data)
    elif workload.kind in ("image", "wrapped", "artwork"):
        result["output_bytes"] = len(base64.b64decode(answer["image"]))
    else:
        video = base64.b64decode(answer["video"])
        path = out_dir / f"{workload.name}_run{run}.mp4"
        path.write_bytes(video)
        result.update(output_bytes=len(video), frames=answer["frames"], fps=answer["fps"],
                      width=answer["width"], height=answer["height"], mp4=str(path))
        result.update(race_truth(upload_dir, body))
    return result


def _client_for(workload: Workload, upload_dir: str, run: int, out_dir: Path, plain: FlaskClient) -> FlaskClient:
    """The plain app's client, or for an artwork workload one whose only source is the workload's."""
    if workload.kind != "artwork":
        return plain
    source = workload.name.split("_")[1]
    return make_app(upload_dir, **artwork_settings(source, run, out_dir)).test_client()


def serve(upload_dir: str, out_dir: str, sessions: list[str], names: list[str]) -> int:
    plain = make_app(upload_dir).test_client()
    failed = False
    for run, session_id in enumerate(sessions, 1):
        for name in names:
            client = _client_for(BY_NAME[name], upload_dir, run, Path(out_dir), plain)
            result = _chart(client, BY_NAME[name], session_id, run, Path(out_dir), upload_dir=Path(upload_dir))
            failed |= result["status"] != 200
            emit(result)
    return 1 if failed else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="runner_command", required=True)
    one = commands.add_parser("ingest")
    one.add_argument("zip")
    one.add_argument("upload_dir")
    one.add_argument("--run", type=int, default=1)
    many = commands.add_parser("serve")
    many.add_argument("upload_dir")
    many.add_argument("out_dir")
    many.add_argument("sessions", help="comma-separated session ids, one per run")
    many.add_argument("workloads", help="comma-separated workload names")
    objects = commands.add_parser("bucket")
    for name in ("zip", "root", "store"):
        objects.add_argument(name)
    objects.add_argument("runs", type=int)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    if args.runner_command == "bucket":
        return bucket(args.zip, args.root, args.store, args.runs)
    if args.runner_command == "ingest":
        return ingest(args.zip, args.upload_dir, args.run)
    return serve(args.upload_dir, args.out_dir, args.sessions.split(","), args.workloads.split(","))
