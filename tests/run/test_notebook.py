"""The notebook helper: parameters, output folders, provenance, and params/default.yaml."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import yaml

from analysis.core.figure_style import new_figure
from analysis.core.params import ParameterError, Params, load_params
from analysis.core.paths import PROJECT_ROOT
from analysis.run.notebook import cell_index, notebook_source_path, open_notebook_run

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
