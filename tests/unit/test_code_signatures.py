"""No function or dataclass of the service or the benchmarks takes more than five positional parameters:
the rest are keyword-only, so a call reads as what it passes (`prepare_race(..., fps=12, width=540)`), not as
a row of numbers whose order must be remembered.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CODE = ("backend", "src", "benchmarks")
MOST_POSITIONAL = 5


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


def test_no_function_or_dataclass_takes_more_than_five_positional_parameters():
    assert sorted(too_many_positional()) == []


def test_the_count_sees_a_sixth_positional_parameter_and_stops_at_the_keyword_only_ones():
    module = ast.parse('''
def six(a, b, c, d, e, f): ...
def five_then_keywords(self, a, b, c, d, e, *, f): ...
@dataclass(frozen=True)
class SixFields:
    a: int
    b: int
    c: int
    d: int
    e: int
    f: int = 0
@dataclass
class FiveThenKeywords:
    a: int
    b: int
    c: int
    d: int
    e: int
    _: KW_ONLY
    f: int = 0
@dataclass(kw_only=True)
class AllKeywords:
    a: int
''')
    functions = {node.name: positional_parameters(node) for node in module.body if isinstance(node, ast.FunctionDef)}
    classes = {node.name: positional_fields(node) for node in module.body if isinstance(node, ast.ClassDef)}
    assert functions == {"six": 6, "five_then_keywords": 5}
    assert classes == {"SixFields": 6, "FiveThenKeywords": 5, "AllKeywords": 0}
