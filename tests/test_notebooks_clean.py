"""Notebooks are committed clean and narrative: no outputs, one standard `parameters` cell,
stable cell ids, and no code that belongs in the package (definitions, loops, plotting).

Checked: the pipeline's notebooks (DECLARED_NOTEBOOKS), not whatever else lies in
notebooks/: a researcher's copy (`10_topics-Copy1.ipynb`, `scratch/`) is git-ignored and
may carry outputs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from analysis.run.pipeline import DECLARED_NOTEBOOKS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [spec.path for spec in DECLARED_NOTEBOOKS if spec.path.is_file()]
PARAMETERS = {"params_file": "", "overrides": {}, "output_dir": ""}
CELL_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
GENERATED_ID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){0,3}(-[0-9a-f]{12})?$")
LOOPS = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def python_of(cell: nbformat.NotebookNode) -> ast.Module:
    """The cell as Python (IPython magics translated), parsed."""
    return ast.parse(TransformerManager().transform_cell(cell.source))


def narrative_violations(tree: ast.Module) -> list[str]:
    """What a notebook cell must not contain, by line: definitions, loops, plotting code."""
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", "?")
        if isinstance(node, DEFINITIONS):
            found.append(f"line {line}: {type(node).__name__} (define it in analysis/)")
        elif isinstance(node, LOOPS):
            found.append(f"line {line}: loop {type(node).__name__} (move it into analysis/)")
        elif isinstance(node, ast.Name) and node.id == "plt":
            found.append(f"line {line}: plt (plotting belongs in an analysis *_plots module)")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names]
            if any(n.split(".")[0] in {"matplotlib", "seaborn"} for n in names):
                found.append(f"line {line}: imports plotting library (use analysis plots)")
    return found


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks in {PROJECT_ROOT / 'notebooks'}"


def test_narrative_checker_catches_each_kind_of_code():
    bad = ast.parse(
        "import matplotlib.pyplot as plt\n"
        "def f():\n    pass\n"
        "for x in y:\n    plt.plot(x)\n"
        "z = [a for a in b]\n"
        "g = lambda v: v\n"
    )
    kinds = " ".join(narrative_violations(bad))
    for word in ("plotting library", "FunctionDef", "loop For", "plt", "ListComp", "Lambda"):
        assert word in kinds, word
    ok = ast.parse('run.save_figure(plots.prevalence(table), "topics-x", caption="c")\n')
    assert narrative_violations(ok) == []


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request) -> tuple[Path, nbformat.NotebookNode]:
    path = request.param
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return path, nb


def test_no_outputs_and_no_execution_counts(notebook):
    path, nb = notebook
    dirty = [
        c.get("id") or i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} carry outputs or execution counts; clear all outputs "
        "before committing (JupyterLab: Edit > Clear Outputs of All Cells)"
    )


def test_every_code_cell_has_a_stable_meaningful_id(notebook):
    path, nb = notebook
    ids = [c.get("id") for c in code_cells(nb)]
    missing = [i for i, cell_id in enumerate(ids) if not cell_id]
    assert not missing, f"{path.name}: code cells {missing} have no id"
    bad = [i for i in ids if not CELL_ID.match(i) or GENERATED_ID.match(i)]
    assert not bad, (
        f"{path.name}: cell ids {bad} are not meaningful kebab-case names "
        '(e.g. "prevalence-figure"); figures cite the cell that made them by id'
    )
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicated, f"{path.name}: duplicated cell ids {duplicated}"


def test_one_parameters_cell_with_the_standard_variables_and_defaults(notebook):
    path, nb = notebook
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'; need one"
    cell = tagged[0]
    assert cell.cell_type == "code", f"{path.name}: the 'parameters' cell is not a code cell"
    assert cell is code_cells(nb)[0], f"{path.name}: the 'parameters' cell must come first"
    values = {}
    for node in python_of(cell).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, (
            f"{path.name}: the parameters cell should hold plain assignments only"
        )
        values[node.targets[0].id] = ast.literal_eval(node.value)
    assert values == PARAMETERS, (
        f"{path.name}: the parameters cell assigns {values}; papermill and JupyterLab must "
        f"share the defaults {PARAMETERS}"
    )


def test_the_run_is_opened_under_the_notebooks_own_name(notebook):
    path, nb = notebook
    calls = [
        node
        for cell in code_cells(nb)
        for node in ast.walk(python_of(cell))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "open_notebook_run"
    ]
    assert len(calls) == 1, f"{path.name}: call open_notebook_run exactly once"
    call = calls[0]
    name = ast.literal_eval(call.args[0]) if call.args else None
    assert name == path.stem, (
        f"{path.name}: open_notebook_run({name!r}, ...) should name the notebook "
        f"({path.stem!r}), or figures will cite the wrong source"
    )
    assert [getattr(a, "id", None) for a in call.args[1:]] == list(PARAMETERS), (
        f"{path.name}: pass params_file, overrides, output_dir to open_notebook_run"
    )


def test_code_cells_are_narrative(notebook):
    path, nb = notebook
    problems = []
    for cell in code_cells(nb):
        problems += [f"cell {cell.get('id')!r} {p}" for p in narrative_violations(python_of(cell))]
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


# What would load the whole prepared corpus into the kernel (issue 16): notebooks read it
# partition by partition through the package instead.
WHOLE_CORPUS_CALLS = ("in_memory", "load_segments", "iter_segments", "token_lists")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_loads_the_whole_corpus(path):
    nb = nbformat.read(path, as_version=4)
    calls = [
        f"cell {cell.id}: {node.func.attr}"
        for cell in code_cells(nb)
        for node in ast.walk(ast.parse(TransformerManager().transform_cell(cell.source)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in WHOLE_CORPUS_CALLS
    ]
    assert calls == [], calls
