"""The package layout: stages import one way, no cycles, no oversized modules."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "analysis"
# Each stage may import only from the stages before it (and from itself).
STAGES = ("core", "scale", "corpus", "stats", "topics", "framing", "sources", "output", "run")
MAX_LINES = 450


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(("analysis", *parts)).removesuffix(".__init__")
        modules[name] = path
    return modules


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """(imported analysis module, column of the import statement) for every import."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.append((full if full in modules else node.module, node.col_offset))
        elif isinstance(node, ast.Import):
            found += [
                (a.name, node.col_offset) for a in node.names if a.name.startswith("analysis")
            ]
    return [(name, column) for name, column in found if name in modules]


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in STAGES else None


def test_every_module_belongs_to_a_stage():
    loose = [
        name
        for name, path in _modules().items()
        if path.parent == PACKAGE and path.name not in ("__init__.py", "__main__.py")
    ]
    assert loose == [], f"modules outside a stage subpackage: {loose}"


def test_stages_import_one_way_and_only_at_the_top():
    modules = _modules()
    upward, inner = [], []
    for name, path in modules.items():
        for imported, column in _imports(path, modules):
            if column > 0:
                inner.append(f"{name} imports {imported} inside a function")
            here, there = _stage(name), _stage(imported)
            if here and there and STAGES.index(there) > STAGES.index(here):
                upward.append(f"{name} -> {imported}")
    assert upward == [] and inner == [], upward + inner


def test_the_import_graph_has_no_cycle():
    modules = _modules()
    graph = {m: {i for i, _ in _imports(p, modules) if i != m} for m, p in modules.items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for other in sorted(graph[node]):
            if state.get(other) == 1:
                return [*path, node, other]
            if other not in state and (cycle := visit(other, [*path, node])):
                return cycle
        state[node] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            assert visit(module, []) is None


def test_no_module_is_oversized():
    sizes = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in _modules().items()}
    assert {m: n for m, n in sizes.items() if n > MAX_LINES} == {}


def test_each_stage_documents_its_public_api():
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"{init}: add a one-paragraph docstring"
