"""The notebook helper: parameters, output folders, provenance, and params/default.yaml."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
import yaml

from analysis.core.figure_style import new_figure
from analysis.core.params import ParameterError, Params, load_params
from analysis.core.paths import PROJECT_ROOT
from analysis.output.html_view import HtmlView
from analysis.run.notebook import (
    cell_index,
    executing_notebook,
    notebook_source_path,
    open_notebook_run,
    parameters_of,
    run_name,
)

DEFAULT_YAML = PROJECT_ROOT / "params" / "default.yaml"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "notebooks"


def test_default_yaml_equals_params_defaults():
    assert load_params(DEFAULT_YAML) == Params()
    # every parameter is written out, not merely defaulted
    assert yaml.safe_load(DEFAULT_YAML.read_text(encoding="utf-8")) == Params().to_dict()


def test_every_default_parameter_line_has_a_comment():
    for line in DEFAULT_YAML.read_text(encoding="utf-8").splitlines():
        if re.match(r"^  [a-z_]+:", line):
            assert " # " in line, f"params/default.yaml: no comment on {line.strip()!r}"


def test_defaults_and_overrides(tmp_path):
    run = open_notebook_run("10_topics", "", {"topics.passes": 3}, tmp_path / "out")
    assert run.params.topics.passes == 3
    assert run.params.corpus == Params().corpus
    assert run.output_dir == tmp_path / "out"


def test_interactive_output_folder_is_under_runs():
    run = open_notebook_run("fixture_alpha")
    assert run.output_dir == PROJECT_ROOT / "runs" / "interactive" / "fixture_alpha"


def test_bad_override_is_a_parameter_error(tmp_path):
    with pytest.raises(ParameterError, match="topics.nope"):
        open_notebook_run("10_topics", "", {"topics.nope": 1}, tmp_path)


def test_save_figure_and_table_outside_a_kernel(tmp_path):
    run = open_notebook_run("fixture_alpha", "", {"run.seed": 7}, tmp_path)
    run._fingerprint = "c" * 64  # no corpus needed for this test
    fig, ax = new_figure()
    ax.plot([0, 1], [1, 0])
    run.save_figure(fig, "alpha-line", caption="A falling line.")
    sidecar = json.loads((tmp_path / "figures" / "alpha-line.json").read_text())
    assert sidecar["notebook"] == "fixture_alpha"  # no notebooks/fixture_alpha.ipynb
    assert sidecar["cell"] == {"id": None, "index": None}
    assert sidecar["parameters"]["run"]["seed"] == 7
    assert sidecar["corpus_fingerprint"] == "c" * 64
    assert {"code", "versions", "params_sha256"} <= set(sidecar)
    assert "commit" not in sidecar and "dirty" not in sidecar  # the run record keeps those
    run.save_table(pd.DataFrame({"x": [1]}), "alpha-x", "one row", {"x": "a number"})
    schema = json.loads((tmp_path / "tables" / "alpha-x.schema.json").read_text())
    assert schema["corpus_fingerprint"] == "c" * 64 and "parameters" not in schema


def test_cell_index_finds_cell_by_id():
    source = FIXTURES / "fixture_alpha.ipynb"
    assert cell_index(source, "walk-figure") == 3
    assert cell_index(source, "no-such-cell") is None
    assert cell_index(None, "walk-figure") is None


def test_notebook_source_path_for_declared_notebooks():
    assert notebook_source_path("no_such_notebook") is None
    if (PROJECT_ROOT / "notebooks" / "00_corpus.ipynb").is_file():
        assert notebook_source_path("00_corpus") == PROJECT_ROOT / "notebooks" / "00_corpus.ipynb"


def test_a_copy_of_a_notebook_runs_under_its_own_name(tmp_path, monkeypatch):
    """JupyterLab's "Duplicate" (10_topics-Copy1.ipynb) and a scratch copy get their own
    name in provenance and their own runs/interactive/<name>/."""
    copy = PROJECT_ROOT / "notebooks" / "10_topics-Copy1.ipynb"
    if copy.exists():
        pytest.skip(f"{copy} exists: a researcher's copy, left alone")
    scratch = PROJECT_ROOT / "notebooks" / "scratch" / "10_topics.ipynb"
    assert run_name(copy) == "10_topics-Copy1"
    assert run_name(scratch) == "scratch-10_topics"
    assert run_name(PROJECT_ROOT / "notebooks" / "10_topics.ipynb") == "10_topics"
    assert run_name(PROJECT_ROOT / "elsewhere" / "x.ipynb") == "elsewhere-x"
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/10_topics-Copy1.ipynb")
    assert executing_notebook() is None  # the copy does not exist (yet)
    copy.write_text((PROJECT_ROOT / "notebooks" / "10_topics.ipynb").read_text())
    try:
        assert executing_notebook() == copy
        run = open_notebook_run("10_topics", "", {}, tmp_path / "out")
        assert run.notebook == "10_topics-Copy1"
        assert notebook_source_path(run.notebook) == copy
        assert "topics" in run_params_sections(run)  # outside the pipeline: every section
        default = open_notebook_run("10_topics", "", {}, "")
        assert default.output_dir == PROJECT_ROOT / "runs" / "interactive" / "10_topics-Copy1"
    finally:
        copy.unlink()
        shutil.rmtree(PROJECT_ROOT / "runs" / "interactive" / "10_topics-Copy1", ignore_errors=True)


def run_params_sections(run) -> set[str]:
    return set(parameters_of(run.notebook, run.params))


def test_save_view_writes_one_self_contained_file_with_provenance(tmp_path):
    run = open_notebook_run("30_sources", "", {}, tmp_path / "out")
    saved = run.save_view(HtmlView("Demo", {"x": [1, 2]}, "keyness.js"), "sources-demo-view")
    assert saved.path == tmp_path / "out" / "figures" / "sources-demo-view.html"
    page = saved.path.read_text(encoding="utf-8")
    data = json.loads(page.split('id="dl-data">')[1].split("</script>")[0])
    assert data["provenance"]["notebook"] == "notebooks/30_sources.ipynb"
    assert data["provenance"]["view"] == "sources-demo-view"
    assert {"params_sha256", "corpus_fingerprint", "code"} <= set(data["provenance"])
    again = run.save_view(HtmlView("Demo", {"x": [1, 2]}, "keyness.js"), "sources-demo-view")
    assert again.sha256 == saved.sha256  # byte-identical on a rerun
