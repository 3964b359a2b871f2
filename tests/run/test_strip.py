"""Tests of analysis/run/strip.py, the git clean filter: committed notebooks pass through
unchanged, and in a real git repository a notebook full of outputs shows as unmodified."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis.run.pipeline import DECLARED_NOTEBOOKS
from analysis.run.strip import pre_save_hook, strip_text

ROOT = Path(__file__).resolve().parents[2]
FILTER = ROOT / "analysis" / "run" / "strip.py"


def with_outputs(text: str) -> str:
    """The notebook as JupyterLab autosaves it after a run."""
    nb = json.loads(text)
    for count, cell in enumerate(nb["cells"], start=1):
        cell["metadata"]["execution"] = {"iopub.status.busy": "2026-12-01T10:00:00Z"}
        if cell["cell_type"] == "code":
            cell["execution_count"] = count
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}]
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.2"}
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("spec", DECLARED_NOTEBOOKS, ids=lambda s: s.name)
def test_committed_notebooks_are_fixed_points(spec):
    text = spec.path.read_text(encoding="utf-8")
    assert strip_text(text) == text
    assert strip_text(with_outputs(text)) == text  # outputs, counts, widget state removed
    nbformat.validate(nbformat.reads(strip_text(with_outputs(text)), as_version=4))


def test_the_filter_passes_anything_else_through():
    run = subprocess.run([sys.executable, str(FILTER)], input=b"not json", capture_output=True)
    assert run.returncode == 0 and run.stdout == b"not json"


def test_git_status_stays_clean_when_a_notebook_gains_outputs(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=tmp_path, check=True, capture_output=True, text=True
        ).stdout

    git("init", "-q")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "t")
    # what `make notebook-filter` configures, with this checkout's filter script
    git("config", "filter.discourse-lab-notebook.clean", f"{sys.executable} {FILTER}")
    git("config", "filter.discourse-lab-notebook.smudge", "cat")
    shutil.copyfile(ROOT / ".gitattributes", tmp_path / ".gitattributes")
    (tmp_path / "notebooks").mkdir()
    notebook = tmp_path / "notebooks" / "10_topics.ipynb"
    clean = (ROOT / "notebooks" / "10_topics.ipynb").read_text(encoding="utf-8")
    notebook.write_text(clean, encoding="utf-8")
    git("add", ".")
    git("commit", "-qm", "clean notebook")
    notebook.write_text(with_outputs(clean), encoding="utf-8")  # saved by another editor
    assert git("diff", "--stat") == ""  # no change to see
    assert "hi" in notebook.read_text()  # the file keeps its outputs
    git("add", "notebooks/10_topics.ipynb")  # staging stages nothing new
    assert git("status", "--porcelain") == ""
    assert git("show", ":notebooks/10_topics.ipynb") == clean


def test_jupyterlab_saves_the_pipeline_notebooks_stripped_and_copies_whole():
    text = with_outputs((ROOT / "notebooks" / "00_corpus.ipynb").read_text(encoding="utf-8"))
    for path, stripped in [
        ("notebooks/00_corpus.ipynb", True),
        ("/notebooks/00_corpus.ipynb", True),
        ("notebooks/00_corpus-Copy1.ipynb", False),
        ("notebooks/scratch/00_corpus.ipynb", False),
        ("elsewhere/00_corpus.ipynb", False),
    ]:
        model = {"type": "notebook", "content": json.loads(text)}
        pre_save_hook(model=model, path=path, contents_manager=None)
        outputs = [c.get("outputs") for c in model["content"]["cells"] if c.get("outputs")]
        assert (not outputs) == stripped, path
    plain = {"type": "file", "content": "x"}
    pre_save_hook(model=plain, path="notebooks/notes.txt")
    assert plain["content"] == "x"


def test_make_lab_installs_both_guards():
    dry = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True)
    assert "--ContentsManager.pre_save_hook=analysis.run.strip.pre_save_hook" in dry.stdout
    assert "filter.discourse-lab-notebook.clean" in dry.stdout
    assert "filter=discourse-lab-notebook" in (ROOT / ".gitattributes").read_text()
