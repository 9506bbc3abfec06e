"""python -m benchmarks soak: keep a real gunicorn busy and report errors, latency and memory growth.

The server is started as the live-server tests start it (harness.live_server: the Dockerfile's gunicorn
options, on loopback). Two exports are uploaded, a warm-up loads fonts and caches in both workers, then:

  --seconds N   N seconds of mixed requests from --threads threads: mostly images, some small races,
                some GET /sessions and some bad requests (which must get their 4xx, nothing else);
  --images N    N image requests; memory growth over them should stay under IMAGE_GROWTH_TARGET_MB.

Memory is the resident set of the gunicorn workers together, after the warm-up and at the end.
Exit status 1 when a request got an unexpected status or the memory target was missed.
"""
from __future__ import annotations

import argparse
import logging
import queue
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Any

import requests

from benchmarks.report import print_table
from harness import exportgen as eg
from harness.live_server import LiveServer, live_server

log = logging.getLogger("benchmarks.soak")
IMAGE_GROWTH_TARGET_MB = 50.0
WARM_UP_IMAGES = 100
SETTLE_SECONDS = 2.0
SMALL_RACE = {"figsize": [3.2, 4.0], "dpi": 100, "days": 60, "interp_steps": 2, "speed_for_bar_animation": 5}
ATTRIBUTES = ("artist_name", "track_name", "album_name")
METRICS = ("Streams", "duration_ms")
UNKNOWN_SESSION = "00000000-0000-4000-8000-000000000000"
TIMEOUT = 300


@dataclass(frozen=True)
class Call:
    route: str
    method: str
    path: str
    expected: int
    body: dict[str, Any] | None = None
    _: KW_ONLY   # from here on by keyword only
    raw: bytes | None = None


@dataclass
class Outcome:
    route: str
    seconds: float
    error: str | None


@dataclass
class Results:
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)


def image_call(rng: random.Random, session_id: str) -> Call:
    year = rng.randint(2016, 2023)
    body = {"session_id": session_id, "selected_attribute": rng.choice(ATTRIBUTES),
            "analysis_metric": rng.choice(METRICS), "top_n": rng.randint(5, 20)}
    if rng.random() < 0.5:
        body.update(start_date=f"{year}-01-01", end_date=f"{year}-12-31")
    return Call("POST /generate_image", "POST", "/generate_image", 200, body)


def race_call(rng: random.Random, session_id: str) -> Call:
    return Call("POST /generate_animation", "POST", "/generate_animation", 200,
                {"session_id": session_id, "top_n": rng.randint(5, 10), **SMALL_RACE})


def session_call(rng: random.Random, session_id: str) -> Call:
    return Call("GET /sessions/<id>", "GET", f"/sessions/{session_id}", 200)


def bad_call(rng: random.Random, session_id: str) -> Call:
    return rng.choice([
        Call("bad: unknown session", "POST", "/generate_image", 404, {"session_id": UNKNOWN_SESSION}),
        Call("bad: malformed id", "GET", "/sessions/not-a-session-id", 400),
        Call("bad: field", "POST", "/generate_image", 400, {"session_id": session_id, "top_n": 500}),
        Call("bad: not JSON", "POST", "/generate_animation", 400, raw=b"{not json"),
        Call("bad: range", "POST", "/generate_image", 422, {"session_id": session_id, "start_date": "2040-01-01"}),
    ])


MIX: list[tuple[Callable[[random.Random, str], Call], float]] = [
    (image_call, 0.62), (race_call, 0.08), (session_call, 0.15), (bad_call, 0.15)]


def send(http: requests.Session, server: LiveServer, call: Call) -> Outcome:
    started = time.perf_counter()
    try:
        headers = {"Content-Type": "application/json"} if call.raw is not None else None
        response = http.request(call.method, server.url + call.path, json=call.body, data=call.raw,
                                headers=headers, timeout=TIMEOUT)
        error = None if response.status_code == call.expected else \
            f"status {response.status_code}, expected {call.expected}: {response.text[:200]}"
        if error is None and response.headers.get("Content-Type", "").startswith("application/json"):
            response.json()
    except (requests.RequestException, ValueError) as problem:
        error = f"{type(problem).__name__}: {problem}"
    return Outcome(call.route, time.perf_counter() - started, error)


def run_threads(threads: int, work: Callable[[requests.Session, random.Random], None]) -> None:
    def worker(seed: int) -> None:
        with requests.Session() as http:
            work(http, random.Random(seed))

    pool = [threading.Thread(target=worker, args=(seed,), name=f"soak-{seed}") for seed in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def mixed_for(server: LiveServer, sessions: list[str], seconds: float, threads: int) -> Results:
    results, deadline = Results(), time.monotonic() + seconds
    makers, weights = zip(*MIX)

    def work(http: requests.Session, rng: random.Random) -> None:
        while time.monotonic() < deadline:
            make = rng.choices(makers, weights)[0]
            results.add(send(http, server, make(rng, rng.choice(sessions))))

    run_threads(threads, work)
    return results


def run_calls(server: LiveServer, calls: list[Call], threads: int) -> Results:
    """Send every call once, from `threads` threads."""
    results, pending = Results(), queue.SimpleQueue()
    for call in calls:
        pending.put(call)

    def work(http: requests.Session, _: random.Random) -> None:
        while True:
            try:
                call = pending.get_nowait()
            except queue.Empty:
                return
            results.add(send(http, server, call))

    run_threads(threads, work)
    return results


def images(server: LiveServer, sessions: list[str], count: int, threads: int) -> Results:
    rng = random.Random(count)
    return run_calls(server, [image_call(rng, sessions[k % len(sessions)]) for k in range(count)], threads)


def upload(server: LiveServer, rows: int, seed: int) -> str:
    plays = eg.extended_rows(eg.make_catalog(seed=seed, artists=80 + 40 * seed), rows, seed=seed,
                             start="2015-01-01", end="2024-12-31")
    response = requests.post(f"{server.url}/process", timeout=TIMEOUT,
                             files={"file": ("my_spotify_data.zip", eg.extended_zip(plays))})
    response.raise_for_status()
    return response.json()["session_id"]


def warm_up(server: LiveServer, sessions: list[str], threads: int, races: bool) -> None:
    """The run's kinds of request at its concurrency, until the workers' memory has reached the level
    that those renders keep (fonts, caches, the allocator's high-water mark): growth measured from
    there is what the run adds, not what the first requests of a process cost."""
    rng = random.Random(1)
    calls = [image_call(rng, sessions[k % len(sessions)]) for k in range(WARM_UP_IMAGES)]
    if races:
        calls += [race_call(rng, session_id) for session_id in sessions for _ in range(2)]
        rng.shuffle(calls)
    for outcome in run_calls(server, calls, threads).outcomes:
        if outcome.error:
            log.warning("warm-up %s: %s", outcome.route, outcome.error)


def settled_rss(server: LiveServer) -> float:
    time.sleep(SETTLE_SECONDS)
    return server.worker_rss_mb()


class RssSampler:
    """The workers' RSS every half second while a run lasts: its peak, and its trend (a leak climbs
    from the first quarter of the run to the last; memory that concurrent renders keep only swings)."""

    def __init__(self, server: LiveServer):
        self.server, self.samples = server, [server.worker_rss_mb()]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-rss")

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.samples.append(self.server.worker_rss_mb())

    def quarters(self) -> tuple[float, float]:
        """Median RSS over the first and the last quarter of the run."""
        quarter = max(1, len(self.samples) // 4)
        return statistics.median(self.samples[:quarter]), statistics.median(self.samples[-quarter:])

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


@dataclass(frozen=True)
class Memory:
    """Worker RSS (MB, the workers together): settled after the warm-up, peak during the run, settled
    after it, and the medians over the run's first and last quarters."""
    before: float
    peak: float
    after: float
    first_quarter: float
    last_quarter: float


def print_results(results: Results, seconds: float, memory: Memory, target_mb: float | None) -> bool:
    by_route: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in results.outcomes:
        by_route[outcome.route].append(outcome)
    rows = []
    for route, outcomes in sorted(by_route.items()):
        times = [o.seconds for o in outcomes]
        rows.append([route, str(len(outcomes)), str(sum(1 for o in outcomes if o.error)),
                     f"{percentile(times, 0.50):.3f}", f"{percentile(times, 0.95):.3f}", f"{max(times):.3f}"])
    errors = [o for o in results.outcomes if o.error]
    print(f"\n{len(results.outcomes)} requests in {seconds:.1f} s, {len(errors)} errors")
    print_table(["route", "requests", "errors", "p50 s", "p95 s", "max s"], rows)
    for outcome in errors[:10]:
        print(f"  {outcome.route}: {outcome.error}")
    growth = memory.after - memory.before
    verdict = "" if target_mb is None else \
        f" (target under {target_mb:.0f} MB: {'PASS' if growth < target_mb else 'FAIL'})"
    print(f"\nServer RSS (gunicorn workers together, each settled {SETTLE_SECONDS:.0f} s): "
          f"{memory.before:.1f} MB after warm-up, {memory.after:.1f} MB at the end, peak {memory.peak:.1f} MB; "
          f"growth {growth:+.1f} MB{verdict}")
    print(f"Trend: median {memory.first_quarter:.1f} MB over the run's first quarter, "
          f"{memory.last_quarter:.1f} MB over its last")
    return not errors and (target_mb is None or growth < target_mb)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--seconds", type=float, help="run mixed requests for this long")
    mode.add_argument("--images", type=int, help="run this many image requests")
    parser.add_argument("--threads", type=int, default=6, help="client threads (default 6)")
    parser.add_argument("--rows", type=int, default=20_000, help="plays in each of the two exports")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.threads < 1 or args.rows < 200 or (args.seconds or args.images or 1) <= 0:
        log.error("--threads must be at least 1, --rows at least 200, --seconds/--images positive")
        return 2
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        upload_dir = Path(tmp) / "sessions"
        upload_dir.mkdir()
        with live_server(upload_dir, Path(tmp) / "gunicorn.log") as server:
            log.info("server up at %s; uploading two exports of %d rows", server.url, args.rows)
            sessions = [upload(server, args.rows, seed) for seed in (1, 2)]
            log.info("warming up")
            warm_up(server, sessions, args.threads, races=args.seconds is not None)
            rss_before, started = settled_rss(server), time.monotonic()
            with RssSampler(server) as sampler:
                if args.seconds is not None:
                    log.info("mixed requests for %.0f s from %d threads", args.seconds, args.threads)
                    results = mixed_for(server, sessions, args.seconds, args.threads)
                else:
                    log.info("%d image requests from %d threads", args.images, args.threads)
                    results = images(server, sessions, args.images, args.threads)
            elapsed = time.monotonic() - started
            memory = Memory(rss_before, max(sampler.samples), settled_rss(server), *sampler.quarters())
            target = IMAGE_GROWTH_TARGET_MB if args.images is not None else None
            ok = print_results(results, elapsed, memory, target)
    return 0 if ok else 1

