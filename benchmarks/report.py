"""The results: one row per workload (medians over runs, every run's wall time) and a target summary."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from benchmarks.export import ExportStats
from benchmarks.workloads import Workload

MB = 2**20


@dataclass
class WorkloadResult:
    workload: Workload
    runs: list[dict[str, Any]]

    @property
    def failed(self) -> bool:
        return not self.runs or any(r.get("status") != 200 for r in self.runs)

    def median(self, metric: str) -> float | None:
        values = [r[metric] for r in self.runs if r.get("status") == 200 and r.get(metric) is not None]
        return statistics.median(values) if values else None

    def verdict(self) -> str:
        if self.failed:
            return "ERROR"
        if not self.workload.targets:
            return "-"
        held = [t.holds(self.median(t.metric)) for t in self.workload.targets]
        if None in held:
            return "n/a"
        return "PASS" if all(held) else "FAIL"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _size(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / MB:.2f} MB" if value >= 100 * 1024 else f"{value / 1024:.0f} KB"


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths)))


def print_export(stats: ExportStats) -> None:
    print(f"\nExport: {stats.rows:,} rows ({stats.duplicates:,} exact duplicates), "
          f"JSON {stats.json_bytes / MB:.1f} MB, ZIP {stats.zip_bytes / MB:.1f} MB, "
          f"built in {stats.build_s:.1f} s (not part of any target)")


def print_results(results: list[WorkloadResult], runs: int) -> None:
    print(f"\nResults: median of {runs} run(s); RSS peaks sampled every 5 ms; "
          "server = the app's process (+ increase over its pre-request RSS) plus the private memory (USS) of the "
          "segment painters it starts, ffmpeg = its encoders, "
          "total = both at the same instant")
    headers = ["workload", "wall s", "peak RSS server MB", "peak RSS ffmpeg MB", "total MB", "output",
               "frames", "frames/s", "floor s", "wall/floor", "wall/rgb0 floor", "target", "ok?", "wall s of each run"]
    rows = []
    for res in results:
        server, increase = res.median("peak_server_mb"), res.median("increase_mb")
        frames = res.median("frames")
        rows.append([
            res.workload.name, _num(res.median("wall_s"), 3),
            "-" if server is None else f"{server:.0f} (+{increase:.0f})",
            _num(res.median("peak_children_mb"), 0), _num(res.median("peak_total_mb"), 0),
            _size(res.median("output_bytes")), "-" if frames is None else f"{frames:.0f}",
            _num(res.median("frames_per_s"), 1), _num(res.median("floor_s"), 2),
            _num(res.median("floor_ratio"), 2), _num(res.median("rgb_floor_ratio"), 2),
            "; ".join(t.describe() for t in res.workload.targets) or "-", res.verdict(),
            ", ".join("ERR" if r.get("status") != 200 else f"{r['wall_s']:.3f}" for r in res.runs),
        ])
    print_table(headers, rows)
    for res in results:
        for r in res.runs:
            if r.get("status") != 200:
                print(f"  {res.workload.name} run {r.get('run')}: status {r.get('status')}: {r.get('error', '')}")
            elif r.get("floor_note"):
                print(f"  {res.workload.name} run {r['run']}: {r['floor_note']}")


def target_rows(results: list[WorkloadResult]) -> list[list[str]]:
    """Each target of each workload: its median and whether it held."""
    rows = []
    for res in results:
        for target in res.workload.targets:
            value = None if res.failed else res.median(target.metric)
            held = target.holds(value)
            rows.append([res.workload.name, target.describe(), _num(value, 3),
                         "ERROR" if res.failed else {True: "PASS", False: "FAIL", None: "n/a"}[held]])
    return rows


def print_summary(results: list[WorkloadResult]) -> None:
    print("\nSummary of targets (medians)")
    print_table(["workload", "target", "measured", "result"], target_rows(results))


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows])


def results_markdown(results: list[WorkloadResult], runs: int, machine: str) -> str:
    """The run's figures for docs/benchmarks.md: each workload's medians, then each target and whether it held."""
    rows = []
    for res in results:
        frames = res.median("frames")
        rows.append([res.workload.name, _num(res.median("wall_s"), 3), _num(res.median("peak_total_mb"), 0),
                     _size(res.median("output_bytes")), "-" if frames is None else f"{frames:.0f}",
                     _num(res.median("frames_per_s"), 1), _num(res.median("floor_ratio"), 2),
                     _num(res.median("rgb_floor_ratio"), 2), res.verdict()])
    targets = target_rows(results)
    return "\n\n".join([
        f"{machine}; median of {runs} run(s).",
        markdown_table(["workload", "wall s", "peak MB (server + ffmpeg)", "output", "frames", "frames/s",
                        "wall / encode floor", "wall / rgb0 floor", "ok?"], rows),
        markdown_table(["workload", "target", "measured", "result"], targets)])
