"""Test files a newcomer finds: each name starts with a subject prefix from the table in tests/README.md (read
here, so the map cannot go stale), no two files share a name across tests/unit, tests/api and tests/live, and no
two names differ only by a plural or a near-synonym (test_encoding/test_encodings, test_images/test_pictures).
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LEVELS = ("unit", "api", "live")
# Words that name one thing in a test's name; each maps to the spelling kept.
NEAR_SYNONYMS = {
    "image": "picture", "img": "picture", "animation": "video", "movie": "video", "mp4": "video",
    "failure": "error", "fault": "error", "curation": "filter", "export_format": "format",
    "upload_limit": "upload_budget", "statistics": "stats",
}


def subject_prefixes(readme: str) -> set[str]:
    """The prefixes of the Subjects table: every `name` in the second column of its rows."""
    table = readme.split("## Subjects", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("|") and not line.startswith("|---")]
    return {prefix for row in rows[1:] for prefix in re.findall(r"`([a-z_]+)`", row.split("|")[2])}


def files_of_tests(tests: Path) -> list[Path]:
    return sorted(path for level in LEVELS for path in (tests / level).glob("test_*.py"))


def without_prefix(stems: list[str], prefixes: set[str]) -> list[str]:
    """The test file names (without .py) that start with no subject prefix."""
    def has_prefix(stem: str) -> bool:
        return any(stem == f"test_{prefix}" or stem.startswith(f"test_{prefix}_") for prefix in prefixes)
    return [stem for stem in stems if not has_prefix(stem)]


def normal_form(stem: str) -> str:
    """A name with every near-synonym spelt one way and every word singular: two files alike here look alike."""
    name = stem.removeprefix("test_")
    for word, kept in sorted(NEAR_SYNONYMS.items(), key=lambda item: -len(item[0])):
        name = re.sub(rf"(?<![a-z]){word}s?(?![a-z])", kept, name)
    return "_".join(word[:-1] if word.endswith("s") and not word.endswith("ss") else word
                    for word in name.split("_"))


def look_alikes(paths: list[Path]) -> dict[str, list[str]]:
    """Test files whose names are the same or alike, by the normal form they share."""
    paths_by_form: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        paths_by_form[normal_form(path.stem)].append(f"{path.parent.name}/{path.name}")
    return {form: names for form, names in paths_by_form.items() if len(names) > 1}


def test_every_test_file_starts_with_a_subject_prefix_of_the_map():
    prefixes = subject_prefixes((REPO / "tests" / "README.md").read_text(encoding="utf-8"))
    assert {"race", "chart", "wrapped", "jobs", "ingest"} <= prefixes
    stems = [path.stem for path in files_of_tests(REPO / "tests")]
    assert not without_prefix(stems, prefixes), (
        f"name these after a subject of tests/README.md's table (or add the subject): "
        f"{without_prefix(stems, prefixes)}")


def test_no_two_test_files_share_or_nearly_share_a_name():
    alike = look_alikes(files_of_tests(REPO / "tests"))
    assert not alike, f"test files with names alike, merge or rename them: {sorted(alike.values())}"


def test_the_tests_sit_only_in_the_three_levels():
    stray = sorted(path.relative_to(REPO).as_posix() for path in (REPO / "tests").rglob("test_*.py")
                   if path.parent.name not in LEVELS or path.parent.parent != REPO / "tests")
    assert not stray, f"tests outside tests/unit, tests/api and tests/live: {stray}"


def test_the_map_s_prefixes_are_read_from_its_table():
    readme = ("# The tests\n\n## Subjects\n\n| Subject | Prefixes | What |\n|---|---|---|\n"
              "| Race | `race` | `not_a_prefix` |\n| Edge | `edge`, `openapi` | x |\n\n## Next\n| A | `nope` | x |\n")
    assert subject_prefixes(readme) == {"race", "edge", "openapi"}
    assert without_prefix(["test_race", "test_race_plan", "test_racetrack", "test_openapi_statuses", "test_misc"],
                          {"race", "openapi"}) == ["test_racetrack", "test_misc"]


def test_names_alike_by_plural_or_near_synonym_are_found(tmp_path):
    for level, name in (("unit", "test_ingest_encoding.py"), ("api", "test_ingest_encodings.py"),
                        ("api", "test_chart_images.py"), ("live", "test_chart_pictures.py"),
                        ("unit", "test_race_plan.py"), ("live", "test_race_plan.py"),
                        ("api", "test_ingest_export_formats.py"), ("unit", "test_ingest_formats.py"),
                        ("api", "test_race_videos.py"), ("unit", "test_race_segments.py")):
        (tmp_path / level).mkdir(exist_ok=True)
        (tmp_path / level / name).write_text("")
    assert sorted(look_alikes(files_of_tests(tmp_path)).values()) == [
        ["api/test_chart_images.py", "live/test_chart_pictures.py"],
        ["api/test_ingest_encodings.py", "unit/test_ingest_encoding.py"],
        ["api/test_ingest_export_formats.py", "unit/test_ingest_formats.py"],
        ["live/test_race_plan.py", "unit/test_race_plan.py"],
    ]
