"""The bucket workloads (SESSION_STORE=s3 against a real S3 server, SeaweedFS's `weed mini` on loopback): the
first chart on a machine that has never seen the session (cold: it fetches the session file) against the next
one (warm: a HEAD, no GET), each run on a fresh machine of an empty UPLOAD_DIR.

The parent starts the server and a request runner (`python -m benchmarks request-runner bucket ...`); the runner
ingests on one machine and draws on another, counting the object GETs each chart made.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.workloads import BY_NAME
from harness.object_store import ACCESS_KEY, SECRET_KEY, s3_server

COLD, WARM = "bucket_chart_cold", "bucket_chart_warm"


def run_bucket_workloads(zip_path: Path, tmp: Path, runs: int,
                         run_requests: Callable[[list[str]], tuple[int, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """Start an S3 server, then the request runner that measures; its result lines."""
    with s3_server(tmp / "s3") as server:
        store = {key: value for key, value in server.settings().items() if not key.startswith("AWS")}
        os.environ.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)  # the runner inherits them
        _code, lines = run_requests(["bucket", str(zip_path), str(tmp / "machines"), json.dumps(store), str(runs)])
    return lines


def count_gets(client) -> list[int]:
    """A counter of the GetObject requests the app's session store sends from now on."""
    counted = [0]

    def count(**_kwargs: object) -> None:
        counted[0] += 1
    client.application.extensions["sessions"].objects.client.meta.events.register("before-call.s3.GetObject",
                                                                                   count)
    return counted


def measure_machines(zip_path: str, root: str, store: dict[str, str], runs: int, *,
                     make_client: Callable[..., Any], measured: Callable[..., tuple[dict[str, Any], Any]],
                     upload: Callable[[Any, str], str]) -> list[dict[str, Any]]:
    """Ingest once on one machine, then per run: a fresh machine's first chart (cold) and its second (warm)."""
    Path(root, "ingest").mkdir(parents=True)
    session_id = upload(make_client(str(Path(root, "ingest")), **store), zip_path)
    body = {"session_id": session_id, **BY_NAME[COLD].body}
    results = []
    for run in range(1, runs + 1):
        folder = Path(root, f"run{run}")
        folder.mkdir()
        client = make_client(str(folder), **store)
        gets = count_gets(client)
        timed = {}
        for name in (COLD, WARM):
            before = gets[0]
            timed[name], _response = measured(run, name, partial(client.post, BY_NAME[name].route, json=body))
            timed[name]["object_gets"] = gets[0] - before
        timed[COLD]["over_warm_s"] = timed[COLD]["wall_s"] - timed[WARM]["wall_s"]
        results += [timed[COLD], timed[WARM]]
    return results
