"""No two modules of the service or the benchmarks share a file name unless they play one role per package:
a reader who meets `race_video.py` in a traceback knows which of the race's modules it is, without its path.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CODE = ("backend", "src", "benchmarks")
# Names that mean the same role in every package that has one, so sharing them says what they are.
ONE_ROLE_PER_PACKAGE = {
    "__init__.py",   # what the package exports
    "__main__.py",   # its `python -m` entry point
    "errors.py",     # the domain errors the package raises
    "settings.py",   # the settings the package reads
    "store.py",      # where the package keeps its records
    "queries.py",    # the package's SQL
    "cache.py",      # the package's bounded copy of what it fetched
}


def shared_file_names(root: Path, folders: tuple[str, ...]) -> dict[str, list[str]]:
    """Each file name outside ONE_ROLE_PER_PACKAGE held by more than one module, with the paths holding it."""
    paths_by_name: dict[str, list[str]] = defaultdict(list)
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            if path.name not in ONE_ROLE_PER_PACKAGE:
                paths_by_name[path.name].append(path.relative_to(root).as_posix())
    return {name: paths for name, paths in paths_by_name.items() if len(paths) > 1}


def clash_message(clashes: dict[str, list[str]]) -> str:
    lines = [f"{name} is the file name of {', '.join(paths)}" for name, paths in sorted(clashes.items())]
    return ("modules doing different work share a file name; name each by its role:\n  " + "\n  ".join(lines))


def test_no_two_modules_share_a_file_name_outside_the_one_role_names():
    clashes = shared_file_names(REPO, CODE)
    assert not clashes, clash_message(clashes)


def test_a_shared_name_is_found_and_named_with_its_paths(tmp_path):
    for module in ("backend/services/renders/race.py", "src/visuals/race.py", "backend/services/jobs/errors.py",
                   "backend/services/charts/errors.py", "benchmarks/race_load.py"):
        (tmp_path / module).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / module).write_text("")
    clashes = shared_file_names(tmp_path, CODE)
    assert clashes == {"race.py": ["backend/services/renders/race.py", "src/visuals/race.py"]}
    assert clash_message(clashes).endswith(
        "race.py is the file name of backend/services/renders/race.py, src/visuals/race.py")
