"""Executing a notebook: cell ids reach the kernel; failures and timeouts name the cell."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from analysis.run.execution import execute_notebook, kernel_peak_mib

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


def _params(out):
    return {"params_file": "", "overrides": {"run.seed": 5}, "output_dir": str(out)}


@pytest.mark.slow
def test_sidecar_names_the_cell_that_saved_the_figure(tmp_path, capfd):
    executed = tmp_path / "alpha.ipynb"
    failure = execute_notebook(
        "fixture_alpha",
        FIXTURES / "fixture_alpha.ipynb",
        executed,
        _params(tmp_path),
        120,
        progress_bar=False,
    )
    assert failure is None
    sidecar = json.loads((tmp_path / "figures" / "alpha-random-walk.json").read_text())
    assert sidecar["cell"] == {"id": "walk-figure", "index": 3}
    assert sidecar["notebook"] == "tests/fixtures/notebooks/fixture_alpha.ipynb"
    assert sidecar["parameters"]["run"]["seed"] == 5
    schema = json.loads((tmp_path / "tables" / "alpha-random-walk.schema.json").read_text())
    assert schema["cell"] == {"id": "walk-table", "index": 4}
    # the kernel ran over local sockets and was not interrupted on its way out
    printed = "".join(capfd.readouterr())
    assert "without encryption" not in printed and "KeyboardInterrupt" not in printed
    outputs = json.loads(executed.read_text())["cells"]
    texts = json.dumps([c.get("outputs", []) for c in outputs])
    assert "SavedFigure(" not in texts and "SavedTable(" not in texts  # no echoed reprs


@pytest.mark.slow
def test_failure_names_source_cell_line_and_exception(tmp_path):
    failure = execute_notebook(
        "fixture_fail",
        FIXTURES / "fixture_fail.ipynb",
        tmp_path / "f.ipynb",
        _params(tmp_path),
        120,
        progress_bar=False,
    )
    assert (failure.cell_index, failure.cell_id) == (4, "planted-failure")
    assert failure.first_line == "total = sum(values)"
    assert failure.error == "ValueError: planted failure after total=6"
    assert failure.message().startswith("notebook fixture_fail failed in cell 4")
    assert (tmp_path / "f.ipynb").is_file()


@pytest.mark.slow
def test_timeout_stops_the_notebook_and_names_the_running_cell(tmp_path, monkeypatch):
    """The sleeping cell is the only one with work in it (the fixture imports nothing
    before it), so it is the running cell at the deadline however slow the machine is."""
    monkeypatch.setenv("FIXTURE_SLEEP", "600")
    failure = execute_notebook(
        "sleep",
        FIXTURES.parent / "sleep.ipynb",
        tmp_path / "b.ipynb",
        _params(tmp_path),
        3,
        progress_bar=False,
    )
    assert failure.cell_id == "wait" and failure.cell_index == 2
    assert "exceeded run.timeout_seconds=3" in failure.error


@pytest.mark.slow
def test_executed_notebook_records_its_kernels_peak_memory(tmp_path):
    """A kernel that held 256 MiB and let it go reports a peak of at least that (the peak,
    not the memory it ends with; its own process, not the runner's)."""
    source = tmp_path / "allocate.ipynb"
    notebook = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Py"}}
    )
    notebook.cells = [
        nbformat.v4.new_code_cell('params_file = ""', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import sys"),
        nbformat.v4.new_code_cell("block = b'x' * (256 * 2**20)\ndel block"),
        nbformat.v4.new_code_cell("print(len(sys.argv))"),
    ]
    nbformat.write(notebook, source)
    executed = tmp_path / "allocate-run.ipynb"
    assert execute_notebook("allocate", source, executed, _params(tmp_path), 120, False) is None
    peak = kernel_peak_mib(executed)
    assert 256 <= peak < 256 + 1024
    cells = json.loads(executed.read_text())["cells"]
    by_cell = [c["metadata"]["discourse_lab"]["kernel_peak_mib"] for c in cells[-3:]]
    assert by_cell[0] < 256 <= by_cell[1] == by_cell[2] == peak  # the step that needed it
