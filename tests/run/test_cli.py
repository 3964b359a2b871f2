"""Command line parsing: overrides, --corpus, the params command, usage errors (exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from analysis.core.params import Params
from analysis.run.cli import build_parser, main, overrides_from

ROOT = Path(__file__).resolve().parents[2]


def test_set_and_corpus_become_dotted_overrides():
    args = build_parser().parse_args(
        ["run", "--set", "topics.num_topics=6", "--set", "preprocess.extra_stopwords=[said, mr]",
         "--corpus", "/data/speeches"]
    )  # fmt: skip
    assert overrides_from(args) == {
        "topics.num_topics": 6,
        "preprocess.extra_stopwords": ["said", "mr"],
        "corpus.path": "/data/speeches",
    }


def test_params_command_prints_resolved_parameters(capsys):
    assert main(["params", "--set", "segments.unit=document"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    expected = Params().to_dict()
    expected["segments"]["unit"] = "document"
    assert printed == expected


def test_usage_errors_exit_2_with_one_line(capsys):
    assert main(["params", "--set", "topics.num_topics"]) == 2
    assert "write it as section.name=value" in capsys.readouterr().err
    assert main(["run", "--only", "99_nothing"]) == 2
    assert "--only '99_nothing': not a pipeline notebook" in capsys.readouterr().err
    assert main(["run", "--corpus", "/no/such/corpus"]) == 2
    assert "corpus.path: /no/such/corpus does not exist" in capsys.readouterr().err
    assert main(["run", "--notebooks", "/no/such/folder"]) == 2


def test_python_dash_m_analysis_is_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "params", "--set", "run.seed=1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0 and yaml.safe_load(done.stdout)["run"]["seed"] == 1
