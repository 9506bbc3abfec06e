"""What a Python file imports, read from its syntax tree (the structure tests' one reading of imports)."""
from __future__ import annotations

import ast
from pathlib import Path


def imported_names(path: Path) -> list[str]:
    """Every module `path` imports, as written (`a.b` of `import a.b` and of `from a.b import c`)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append(node.module or "")
    return names
