"""The code's layers hold: imports run only downward (routes -> services -> core -> src), without cycles,
and HTTP stays at the web edge.

Walks every import statement of backend/ and src/ with ast (those inside functions too: a lazy import
is still a dependency) and checks the rules docs/design.md's Layout section states.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path

import pytest

from harness.imports import imported_names

ROOT = Path(__file__).resolve().parents[2]
# Lower layers never import higher ones; a module may import its own layer and every layer below.
LAYERS = {"src": 0, "backend.core": 1, "backend.services": 2, "backend.routes": 3, "backend.serving": 3,
          "backend.app": 4, "backend.worker": 4}
WEB_LIBRARIES = ("flask", "flask_cors", "flask_openapi3", "werkzeug")
# Its HTTP clients are modules of their own so that a deployment loads only the library it uses.
IMPORTED_BY_MODULE = {"backend.services.bounded_http"}
# The web edge's HTTP error (backend/routes/refusals.py) and its helper: the domain raises DomainError subclasses.
HTTP_ERROR_MODULE = "backend.routes.refusals"
HTTP_ERRORS = {"ApiError", "bad_request"}


def project_modules() -> dict[str, Path]:
    modules = {}
    for path in [*ROOT.glob("backend/**/*.py"), *ROOT.glob("src/**/*.py")]:
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imports_of(path: Path, module: str, is_package: bool, modules: Collection[str] = ()) -> list[str]:
    """Every module this file imports; `from X import y` is X.y when that is one of `modules`, else X."""
    names = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names += [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
    return names


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        graph[module]
        for name in imports_of(path, module, path.name == "__init__.py", modules):
            if name in modules and name != module:
                graph[module].add(name)
    return graph


def layer_of(module: str) -> int | None:
    matches = [prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")]
    return LAYERS[max(matches, key=len)] if matches else None


def upward_edges(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((source, target) for source, targets in graph.items() for target in targets
                  if None not in (layer_of(source), layer_of(target)) and layer_of(target) > layer_of(source))


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of nodes, or None (depth-first search with colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def services_package(module: str) -> str | None:
    parts = module.split(".")
    return ".".join(parts[:3]) if parts[:2] == ["backend", "services"] and len(parts) > 2 else None


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = defaultdict(set)
    for source, targets in graph.items():
        for target in targets:
            mine, theirs = services_package(source), services_package(target)
            if mine and theirs and mine != theirs:
                packages[mine].add(theirs)
    return packages


def test_the_checks_catch_an_upward_edge_and_a_cycle():
    assert upward_edges({"src.visuals.chart.top_chart_painter": {"backend.core.settings"}}) == [
        ("src.visuals.chart.top_chart_painter", "backend.core.settings")]
    assert upward_edges({"backend.services.jobs.runner": {"backend.routes.params"}}) == [
        ("backend.services.jobs.runner", "backend.routes.params")]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_imports_only_run_downward():
    graph = import_graph()
    assert len(graph) > 60  # the walk found the code
    assert upward_edges(graph) == []


def test_no_module_imports_itself_back():
    assert find_cycle(import_graph()) is None


def test_service_packages_depend_on_each_other_without_a_cycle():
    packages = package_graph(import_graph())
    assert "backend.services.renders" in packages
    assert find_cycle(packages) is None


def test_the_race_data_draws_nothing():
    """Keyframes are data (src/keyframes.py): they import no drawing, neither src/visuals nor an image library."""
    imported = imports_of(ROOT / "src" / "keyframes.py", "src.keyframes", False, project_modules())
    drawing = [name for name in imported if name.split(".")[0] in ("matplotlib", "PIL")
               or name.startswith("src.visuals")]
    assert imported and drawing == []


@pytest.mark.parametrize("layer", ["src", "backend/core", "backend/services"])
def test_flask_stays_in_the_app_and_the_routes(layer):
    web = [(str(path.relative_to(ROOT)), name) for path in (ROOT / layer).glob("**/*.py")
           for name in imports_of(path, "x", False) if name.split(".")[0] in WEB_LIBRARIES]
    assert web == []


def test_other_packages_use_what_a_service_package_exports():
    graph = import_graph()
    reaching_in = sorted((source, target) for source, targets in graph.items() for target in targets
                         if (package := services_package(target)) and target != package
                         and package not in IMPORTED_BY_MODULE and services_package(source) != package
                         and source.startswith("backend."))
    assert reaching_in == []


def test_every_service_package_says_what_it_owns_and_exports_it():
    for folder in sorted(path for path in (ROOT / "backend" / "services").iterdir() if path.is_dir()
                         and path.name != "__pycache__"):
        init = folder / "__init__.py"
        tree = ast.parse(init.read_text(encoding="utf-8"))
        docstring = ast.get_docstring(tree)
        assert docstring and len(docstring.splitlines()) == 1, folder.name
        exported = next(node for node in tree.body if isinstance(node, ast.Assign)
                        and node.targets[0].id == "__all__")
        assert ast.literal_eval(exported.value), folder.name


def _is_http_status(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and 100 <= node.value <= 599


def http_in_domain(source: str) -> list[str]:
    """What in `source` speaks HTTP: an import of the web edge's error, a use of it, or an error raised
    with a status as its first argument."""
    found = []
    for node in ast.walk(ast.parse(source)):
        imported = ([node.module] if isinstance(node, ast.ImportFrom)
                    else [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
        if HTTP_ERROR_MODULE in imported:
            found.append(f"line {node.lineno}: imports {HTTP_ERROR_MODULE}")
        elif isinstance(node, ast.Name) and node.id in HTTP_ERRORS:
            found.append(f"line {node.lineno}: uses {node.id}")
        elif (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args
              and _is_http_status(node.exc.args[0])):
            found.append(f"line {node.lineno}: raises an error with the status {node.exc.args[0].value}")
    return found


def test_the_http_check_catches_a_status_an_import_and_a_use():
    assert http_in_domain("raise ExportError(422, 'no plays')") == ["line 1: raises an error with the status 422"]
    assert http_in_domain("from backend.routes.refusals import ApiError") == ["line 1: imports backend.routes.refusals"]
    assert http_in_domain("raise ApiError(404, 'x')") == ["line 1: raises an error with the status 404",
                                                         "line 1: uses ApiError"]
    assert http_in_domain("import backend.routes.refusals") == ["line 1: imports backend.routes.refusals"]
    assert http_in_domain("def f():\n    raise bad_request('x')") == ["line 2: uses bad_request"]
    assert http_in_domain("raise NothingToDraw('No plays')\nraise ValueError(3)") == []


@pytest.mark.parametrize("layer", ["src", "backend/services"])
def test_the_domain_speaks_no_http(layer):
    """Services and src raise their own errors; backend/routes/error_statuses.py alone gives them statuses."""
    spoken = [(str(path.relative_to(ROOT)), what) for path in sorted((ROOT / layer).glob("**/*.py"))
              for what in http_in_domain(path.read_text(encoding="utf-8"))]
    assert spoken == []


def test_no_test_module_imports_another():
    """What tests share lives in harness/; a test module importing another would run or skew its tests twice."""
    importers = [f"{path.relative_to(ROOT)}: {name}" for path in (ROOT / "tests").rglob("*.py")
                 for name in imported_names(path) if name.split(".")[0] == "tests"]
    assert importers == []
