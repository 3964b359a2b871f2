"""Progress of a run: kernel bars relayed to the terminal and run.log, cells named; and a
capped table (Parquet + CSV preview) through a whole run, publication and verify."""

from __future__ import annotations

import io
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.run.pipeline import RunOptions, notebooks_in, run_pipeline
from analysis.run.progress import (
    CellProgress,
    ProgressLog,
    StageLog,
    bar_summary,
    final_state,
    is_bar_update,
)
from analysis.run.verify import verify_published

BAR = "fit:  50%|█████     | 2/4 [00:01<00:01,  1.9 tasks/s]"


class _Bar:
    """Records what CellProgress shows (a tqdm bar's set_postfix_str and refresh)."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.refreshed = 0

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self.shown.append(text)

    def refresh(self) -> None:
        self.refreshed += 1


def test_a_bar_is_summarised_without_its_graphic():
    assert bar_summary(f"\r{BAR}") == "fit: 50% 2/4 [00:01<00:01, 1.9 tasks/s]"
    assert bar_summary("\rimport: 0 docs\rimport: 2000 docs [00:01]\n") == (
        "import: 2000 docs [00:01]"
    )
    assert bar_summary("x" * 80) == "x" * 59 + "…"
    assert is_bar_update(f"\r{BAR}") and not is_bar_update("UserWarning: careful\n")


def test_the_log_gets_the_final_state_of_each_bar_and_every_other_line():
    log = io.StringIO()
    relay = ProgressLog(log)
    relay.write("\rfit:   0%|          | 0/4\rfit:  50%|█████     | 2/4")
    relay.write("\rfit: 100%|██████████| 4/4\nwarning: a\nwarning: b\n\rlast: 1/2")
    assert log.getvalue() == "fit: 100%|██████████| 4/4\nwarning: a\nwarning: b\n"
    relay.close()
    assert log.getvalue().endswith("warning: b\nlast: 1/2\n")
    assert final_state("\r\r") == ""


def test_the_running_cell_and_then_the_kernel_bar_are_shown_and_time_ticks():
    bar = _Bar()
    progress = CellProgress(bar, refresh_seconds=0.01)
    progress.start()
    progress.cell("\n# fit the model\nmodel = fit(corpus)\n")
    progress.kernel_output("UserWarning: not a bar\n")
    progress.kernel_output(f"\r{BAR}")
    while bar.refreshed < 2:
        pass
    progress.stop()
    assert bar.shown == ["# fit the model", "fit: 50% 2/4 [00:01<00:01, 1.9 tasks/s]"]
    CellProgress(None).cell("x = 1")  # no bar drawn (--no-progress): nothing to show


def test_stage_log_says_each_preparation_stage():
    said: list[str] = []
    log = StageLog(said.append)
    log("tokenise", {"cpu_seconds": 1})
    log("bow", {})
    assert said[0].startswith("preparing the corpus: every partition cleaned, segmented")
    assert said[1].startswith("preparing the corpus: bag of words written (")


def _progress_notebook(folder: Path) -> Path:
    cells = [
        nbformat.v4.new_code_cell(
            'params_file = ""\noverrides = {}\noutput_dir = ""',
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_code_cell(
            "from analysis.run.notebook import open_notebook_run\n"
            'run = open_notebook_run("fixture_progress", params_file, overrides, output_dir)'
        ),
        nbformat.v4.new_code_cell(
            "import sys\nimport time\nfrom tqdm.auto import tqdm\n"
            'for _ in tqdm(range(3), desc="fixture bar", mininterval=0):\n'
            "    time.sleep(0.05)\n"
            'print("bar class from", tqdm.__mro__[1].__module__)'
        ),
        nbformat.v4.new_code_cell(
            "import pandas as pd\n"
            'long = pd.DataFrame({"unit": [f"u{i}" for i in range(12)], "n": range(12)})\n'
            'run.save_table(long, "fixture-units", description="One row per unit.",\n'
            '               columns={"unit": "unit id", "n": "a count"})'
        ),
    ]
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.metadata["language_info"] = {"name": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / "fixture_progress.ipynb")
    return folder


@pytest.mark.slow
def test_a_run_relays_kernel_bars_and_publishes_a_capped_table_verify_accepts(tmp_path, capsys):
    nb = _progress_notebook(tmp_path / "nb")
    published = tmp_path / "published"
    overrides = {"run.table_preview_rows": 10}
    options = RunOptions(overrides=overrides, figures_dir=str(published),
                         runs_dir=str(tmp_path / "runs"), notebooks=notebooks_in(nb))  # fmt: skip
    assert run_pipeline(options) == 0
    terminal = capsys.readouterr()
    assert "fixture bar: 100% 3/3" in terminal.err  # after papermill's bar of the cells
    assert "for _ in tqdm(range(3)" not in terminal.err  # a cell's first line only
    assert "import sys" in terminal.err
    (run,) = [p for p in (tmp_path / "runs").iterdir() if p.name[0].isdigit()]
    log = (run / "run.log").read_text(encoding="utf-8")
    assert "bar class from tqdm.std" in log  # text bars in the kernel, not widgets
    (line,) = [line for line in log.splitlines() if line.startswith("fixture bar")]
    assert "\r" not in line and "3/3" in line
    tables = published / "tables"
    assert pd.read_parquet(tables / "fixture-units.parquet")["n"].tolist() == list(range(12))
    assert len((tables / "fixture-units.csv").read_text().splitlines()) == 1 + 10
    assert "## `fixture-units.parquet`" in (tables / "SCHEMA.md").read_text()
    assert "[`fixture-units.parquet`](tables/fixture-units.parquet): 12 rows" in (
        published / "README.md"
    ).read_text(encoding="utf-8")
    code = verify_published("", overrides, str(published), notebooks=notebooks_in(nb))
    assert code == 0, capsys.readouterr().out
