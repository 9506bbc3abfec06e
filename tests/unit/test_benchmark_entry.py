"""The benchmarks have one entry point, `python -m benchmarks <subcommand>`, whose --help names every
subcommand, and no benchmark module shares its name with a module or package of the service."""
from __future__ import annotations

import ast
from pathlib import Path

from benchmarks.__main__ import SUBCOMMANDS, build_parser
from harness.imports import imported_names

REPO = Path(__file__).resolve().parents[2]
MEASUREMENTS = {"requests", "soak", "parallel-stats", "service-ingest"}


def runs_as_script(path: Path) -> bool:
    """Whether the module has an `if __name__ == "__main__":` block."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == "__name__":
            return True
    return False


def test_help_names_every_measurement():
    assert set(SUBCOMMANDS) == MEASUREMENTS
    text = build_parser().format_help()
    for name in MEASUREMENTS:
        assert f"  {name} " in text, name


def test_each_subcommand_parses_its_own_options():
    parser = build_parser()
    assert parser.parse_args(["requests", "--quick", "--runs", "1"]).quick
    assert parser.parse_args(["soak", "--images", "3"]).images == 3
    assert parser.parse_args(["parallel-stats", "--kind", "stats"]).kind == "stats"
    assert parser.parse_args(["service-ingest", "--rows", "1000"]).rows == 1000


def test_only_the_entry_point_runs_as_a_script():
    scripts = sorted(path.name for path in (REPO / "benchmarks").glob("*.py") if runs_as_script(path))
    assert scripts == ["__main__.py"]


def test_no_benchmark_module_shares_a_name_with_the_service():
    service = set()
    for folder in ("backend", "src"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix == ".py" or (path.is_dir() and path.name != "__pycache__"):
                service.add(path.stem)
    benchmarks = {path.stem for path in (REPO / "benchmarks").glob("*.py")} - {"__init__", "__main__"}
    assert sorted(benchmarks & service) == []


def test_no_benchmark_module_imports_the_tests():
    """What both use (generated exports, stand-ins, the live service) lives in harness/, so the benchmark runs
    from a tree without tests/."""
    importers = [f"{path.name}: {name}" for path in (REPO / "benchmarks").glob("*.py")
                 for name in imported_names(path) if name.split(".")[0] == "tests"]
    assert importers == []
