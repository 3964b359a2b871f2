"""verify: regenerate and compare byte for byte; sidecars compared except commit/versions."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from analysis.run.pipeline import RunOptions, notebooks_in, run_pipeline
from analysis.run.verify import Difference, compare_folders, verify_published

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"


def _folder(path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    return path


SIDECAR = {"figure_id": "a", "caption": "A.", "code": {"analysis_sha256": "1" * 64},
           "versions": {"pandas": "3"}}  # fmt: skip


def test_identical_folders_have_no_differences(tmp_path):
    files = {"a.png": "png", "a.json": json.dumps(SIDECAR), "tables/t.csv": "x\n1\n"}
    assert compare_folders(_folder(tmp_path / "a", files), _folder(tmp_path / "b", files)) == []


def test_versions_may_differ_but_nothing_else(tmp_path):
    other = {**SIDECAR, "versions": {"pandas": "4"}}
    a = _folder(tmp_path / "a", {"a.json": json.dumps(SIDECAR), "README.md": "x"})
    b = _folder(tmp_path / "b", {"a.json": json.dumps(other), "README.md": "y"})
    assert compare_folders(a, b) == []
    _folder(b, {"a.json": json.dumps({**other, "caption": "B."})})
    assert compare_folders(a, b) == [Difference("a.json", "content differs")]
    _folder(b, {"a.json": json.dumps({**other, "code": {"analysis_sha256": "2" * 64}})})
    assert compare_folders(a, b) == [Difference("a.json", "content differs")]


def test_every_differing_missing_and_extra_file_is_listed(tmp_path):
    a = _folder(tmp_path / "a", {"a.png": "1", "b.svg": "2", "tables/t.csv": "x\n1\n"})
    b = _folder(tmp_path / "b", {"a.png": "1", "c.pdf": "3", "tables/t.csv": "x\n2\n"})
    assert compare_folders(a, b) == [
        Difference("b.svg", "published but no longer produced"),
        Difference("c.pdf", "produced but not published"),
        Difference("tables/t.csv", "content differs"),
    ]


@pytest.mark.slow
def test_verify_passes_on_fresh_output_and_names_a_tampered_figure(tmp_path, capsys):
    nb = tmp_path / "nb"
    nb.mkdir()
    shutil.copyfile(FIXTURES / "fixture_alpha.ipynb", nb / "fixture_alpha.ipynb")
    published = tmp_path / "published"

    options = RunOptions(figures_dir=str(published), runs_dir=str(tmp_path / "runs"),
                         notebooks=notebooks_in(nb), progress_bar=False)  # fmt: skip
    assert run_pipeline(options) == 0
    png = published / "alpha-random-walk.png"
    png.write_bytes(png.read_bytes() + b"\0")
    assert verify_published("", {}, str(published), notebooks=notebooks_in(nb)) == 1
    out = capsys.readouterr().out
    assert "DIFFERS alpha-random-walk.png: content differs" in out
    assert "verify: 1 file(s) differ" in out


@pytest.mark.slow
def test_committed_figures_match_a_regeneration(capsys, tmp_path):
    """The CI guard: a change that alters a figure without re-committing it fails here.

    The pipeline runs with the project's own runs/ cache, whose keys hold the code, the
    notebooks, the parameters, the corpus and the versions: in a fresh clone (CI) this is a
    full regeneration, and the README's `make figures` then reuses it instead of running
    every notebook a second time."""
    committed = _committed_figures(tmp_path / "committed")
    if not list(committed.glob("*.json")):
        pytest.skip("figures/ holds no published figures yet (run `make figures` and commit)")
    fresh = tmp_path / "fresh"
    options = RunOptions(figures_dir=str(fresh), runs_dir="runs", progress_bar=False)
    assert run_pipeline(options) == 0, capsys.readouterr().out
    assert compare_folders(committed, fresh) == []


def _committed_figures(tmp_path: Path) -> Path:
    """The figures as committed (not as a test may have republished them), or as they are
    in the working tree outside a git checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "figures"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0 or not listed.stdout.strip():
        return ROOT / "figures"
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD", "figures"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "figures"


def test_a_parquet_table_is_compared_byte_for_byte(tmp_path):
    a = _folder(tmp_path / "a", {"tables/t.parquet": "PAR1 one", "tables/t.csv": "x\n1\n"})
    b = _folder(tmp_path / "b", {"tables/t.parquet": "PAR1 two", "tables/t.csv": "x\n1\n"})
    assert compare_folders(a, b) == [Difference("tables/t.parquet", "content differs")]
