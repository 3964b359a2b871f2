"""The whole run, end to end, on tiny fixture notebooks: byte-identical output across
processes, incremental skips, failures, concurrent runs, SIGKILL and recovery."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.core.provenance import sha256_file
from analysis.output.publish import MANIFEST
from analysis.run.pipeline import DECLARED_NOTEBOOKS, RunOptions, notebooks_in, run_pipeline

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"


def _notebooks(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "nb"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copyfile(FIXTURES / f"{name}.ipynb", folder / f"{name}.ipynb")
    return folder


def _cli_args(nb: Path, out: Path, runs: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "analysis", "run", "--notebooks", str(nb), "--out", str(out),
            "--runs-dir", str(runs), "--no-progress", *extra]  # fmt: skip


def _cli(*args: str, sleep: float = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "FIXTURE_SLEEP": str(sleep)}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_declared_notebooks_and_their_parameter_sections():
    assert [s.name for s in DECLARED_NOTEBOOKS] == [
        "00_corpus",
        "10_topics",
        "20_framing",
        "30_sources",
    ]
    sections = {s.name: set(s.sections) for s in DECLARED_NOTEBOOKS}
    assert sections["00_corpus"] == {"corpus", "cleaning", "segments", "preprocess", "run"}
    assert sections["20_framing"] - sections["00_corpus"] == {"framing", "topics"}
    assert sections["30_sources"] - sections["00_corpus"] == {"sources"}


@pytest.mark.slow
def test_two_runs_in_separate_processes_give_identical_bytes(tmp_path):
    nb = _notebooks(tmp_path, "fixture_alpha")
    for n in (1, 2):
        done = _cli(*_cli_args(nb, tmp_path / f"out{n}", tmp_path / f"runs{n}"))
        assert done.returncode == 0, done.stdout + done.stderr
    first, second = _snapshot(tmp_path / "out1"), _snapshot(tmp_path / "out2")
    expected = {f"alpha-random-walk.{e}" for e in ("pdf", "svg", "png", "json")}
    expected |= {"README.md", "tables/SCHEMA.md", "tables/alpha-random-walk.csv"}
    expected |= {"tables/alpha-random-walk.schema.json", ".discourse-lab-manifest.json"}
    assert set(first) == expected
    assert first == second
    sidecar = json.loads(first["alpha-random-walk.json"])
    assert sidecar["files"]["png"]["sha256"] == sha256_file(tmp_path / "out1/alpha-random-walk.png")
    (run,) = [p for p in (tmp_path / "runs1").iterdir() if p.name[0].isdigit()]
    record = json.loads((run / "run.json").read_text())
    assert record["status"] == "ok" and record["corpus_fingerprint"]
    assert record["notebooks"]["fixture_alpha"]["status"] == "ok"
    assert (run / "notebooks" / "fixture_alpha.ipynb").is_file()
    assert (run / "notebooks" / "fixture_alpha.html").is_file()
    assert "alpha-random-walk.csv" in (run / "tables" / "SCHEMA.md").read_text()
    assert "[1/1] fixture_alpha ..." in (run / "run.log").read_text()


@pytest.mark.slow
def test_second_unchanged_run_skips_every_notebook(tmp_path, capsys):
    package = tmp_path / "pkg"  # stands for analysis/, which others may be editing now
    package.mkdir()
    (package / "code.py").write_text("x = 1\n")
    options = RunOptions(
        figures_dir=str(tmp_path / "out"),
        runs_dir=str(tmp_path / "runs"),
        notebooks=notebooks_in(_notebooks(tmp_path, "fixture_alpha")),
        progress_bar=False,
        package_dir=package,
    )
    assert run_pipeline(options) == 0
    published = _snapshot(tmp_path / "out")
    assert run_pipeline(options) == 0
    assert "fixture_alpha: unchanged, reusing outputs" in capsys.readouterr().out
    assert _snapshot(tmp_path / "out") == published
    assert _statuses(tmp_path / "runs") == [{"fixture_alpha": "ok"}, {"fixture_alpha": "skipped"}]
    (package / "code.py").write_text("x = 2\n")  # a code change re-runs the notebook
    assert run_pipeline(options) == 0
    assert _statuses(tmp_path / "runs")[-1] == {"fixture_alpha": "ok"}


def _statuses(runs: Path) -> list[dict[str, str]]:
    records = [json.loads(p.read_text()) for p in sorted(runs.glob("2*/run.json"))]
    return [{n: s["status"] for n, s in r["notebooks"].items()} for r in records]


@pytest.mark.slow
def test_failing_notebook_names_cell_keeps_notebook_and_leaves_figures(tmp_path):
    out, runs = tmp_path / "out", tmp_path / "runs"
    nb = _notebooks(tmp_path, "fixture_alpha")
    assert _cli(*_cli_args(nb, out, runs)).returncode == 0
    published = _snapshot(out)
    _notebooks(tmp_path, "fixture_fail")
    done = _cli(*_cli_args(nb, out, runs))
    assert done.returncode == 1
    assert (
        "error: notebook fixture_fail failed in cell 4 (id 'planted-failure'): "
        "`total = sum(values)`: ValueError: planted failure after total=6"
    ) in done.stdout
    assert _snapshot(out) == published
    failed = sorted(runs.glob("2*/notebooks/fixture_fail.ipynb"))[-1]
    assert f"failed notebook is kept in {failed}" in done.stdout
    record = json.loads((failed.parents[1] / "run.json").read_text())
    assert (
        record["status"] == "failed" and record["notebooks"]["fixture_fail"]["status"] == "failed"
    )


@pytest.mark.slow
def test_concurrent_run_refused_then_sigkill_then_recovery(tmp_path):
    out, runs = tmp_path / "out", tmp_path / "runs"
    nb = _notebooks(tmp_path, "fixture_beta")
    assert _cli(*_cli_args(nb, out, runs)).returncode == 0
    published = _snapshot(out)
    env = {**os.environ, "FIXTURE_SLEEP": "60"}
    first = subprocess.Popen(
        _cli_args(nb, out, runs, "--force"), cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_log(runs, "[1/1] fixture_beta ...", first)
        second = _cli(*_cli_args(nb, out, runs))
        assert second.returncode == 3
        assert f"another discourse-lab run (pid {first.pid})" in second.stderr
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert _snapshot(out) == published  # killed mid-run: published figures as they were
    again = _cli(*_cli_args(nb, out, runs))  # the killed run left the cache intact
    assert again.returncode == 0, again.stdout + again.stderr
    assert _snapshot(out) == published  # same inputs, same bytes; nothing left over
    assert [p.name for p in out.glob(".*")] == [MANIFEST]  # no staging, journal or lock file
    statuses = [json.loads(p.read_text())["status"] for p in sorted(runs.glob("2*/run.json"))]
    assert "running" not in statuses and statuses.count("failed") == 1  # the killed run
    assert "which never finished" in again.stdout


def _wait_for_log(runs: Path, text: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        logs = sorted(runs.glob("2*/run.log"))
        if len(logs) >= 2 and text in logs[-1].read_text():
            return
        assert proc.poll() is None, "the first run ended early"
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared in the run log")


def test_bad_parameters_exit_2_before_any_notebook(tmp_path):
    nb = _notebooks(tmp_path, "fixture_alpha")
    runs = tmp_path / "runs"
    done = _cli(*_cli_args(nb, tmp_path / "out", runs, "--set", "topics.bogus=1"))
    assert done.returncode == 2
    assert (
        done.stderr.strip().startswith("error: ")
        and "topics.bogus: unknown parameter" in done.stderr
    )
    assert len(done.stderr.strip().splitlines()) == 1
    done = _cli(*_cli_args(nb, tmp_path / "out", runs, "--set", "segments.min_words=many"))
    assert done.returncode == 2 and "segments.min_words: 'many' is not a int" in done.stderr
    assert not runs.exists() and not (tmp_path / "out").exists()


def test_a_bad_coded_file_is_refused_before_any_notebook(tmp_path):
    from analysis.core.params import ParameterError
    from analysis.run.pipeline import resolve_params

    coded = tmp_path / "coded.csv"
    coded.write_text("segment_id,frame,present,coder\nu1,conflict,maybe,a\n")
    with pytest.raises(ParameterError, match=r"coded.csv, line 2: present = 'maybe'"):
        resolve_params(RunOptions(overrides={"framing.coded_sample_file": str(coded)}))
    quotes = tmp_path / "quotes.csv"
    quotes.write_text("doc_id,kind\nd,direct\n")
    with pytest.raises(ParameterError, match="missing column"):
        resolve_params(RunOptions(overrides={"framing.coded_quotes_file": str(quotes)}))
    assert run_pipeline(RunOptions(overrides={"framing.coded_sample_file": str(coded)},
                                   runs_dir=str(tmp_path / "runs"))) == 2  # fmt: skip
    assert not (tmp_path / "runs").exists()
