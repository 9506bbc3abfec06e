"""No function or dataclass of the service or the benchmarks takes more than five positional parameters:
the rest are keyword-only, so a call reads as what it passes (`prepare_race(..., fps=12, width=540)`), not as
a row of numbers whose order must be remembered.

LEFT_AS_THEY_ARE lists the few not yet changed, each in code whose owners are reworking it; the list only
shrinks: a name on it that already holds fails too, so that it is taken off.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CODE = ("backend", "src", "benchmarks")
MOST_POSITIONAL = 5
LEFT_AS_THEY_ARE = {
    "backend/services/charts/choices.py:Attribute",
    "backend/services/charts/race_preparation.py:PreparedRace",
    "backend/services/charts/requests.py:ChartRequest",
    "backend/services/encoding/ffmpeg.py:ffmpeg_arguments",
    "backend/services/encoding/ffmpeg.py:encode_animation",
    "backend/services/encoding/segments.py:Encoding",
    "backend/services/encoding/segments.py:_start_helper",
    "backend/services/encoding/segments.py:encode_race",
    "backend/services/ingest/plays.py:IngestSummary",
    "backend/services/jobs/record.py:JobRecord",
    "backend/services/jobs/store.py:JobLimits",
    "src/exports/row_formats.py:RowFormat",
    "src/visuals/text/wrap.py:wrap",
}


def positional_parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    names = [argument.arg for argument in node.args.posonlyargs + node.args.args]
    return len(names) - (1 if names and names[0] in ("self", "cls") else 0)


def positional_fields(node: ast.ClassDef) -> int | None:
    """How many fields a dataclass takes by position (those before `_: KW_ONLY`); None for other classes."""
    decorators = [ast.unparse(decorator) for decorator in node.decorator_list]
    if not any(decorator.split("(")[0] in ("dataclass", "dataclasses.dataclass") for decorator in decorators):
        return None
    if any("kw_only=True" in decorator for decorator in decorators):
        return 0
    count = 0
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign):
            annotation = ast.unparse(statement.annotation)
            if annotation.endswith("KW_ONLY"):
                break
            if not annotation.startswith("ClassVar"):
                count += 1
    return count


@functools.cache
def too_many_positional() -> frozenset[str]:
    found = set()
    for folder in CODE:
        for path in (REPO / folder).rglob("*.py"):
            where = path.relative_to(REPO).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    count = positional_parameters(node)
                elif isinstance(node, ast.ClassDef):
                    count = positional_fields(node)
                else:
                    continue
                if count is not None and count > MOST_POSITIONAL:
                    found.add(f"{where}:{node.name}")
    return frozenset(found)


def test_no_new_function_or_dataclass_takes_more_than_five_positional_parameters():
    assert sorted(too_many_positional() - LEFT_AS_THEY_ARE) == []


def test_the_list_of_those_left_only_shrinks():
    assert sorted(LEFT_AS_THEY_ARE - too_many_positional()) == []
