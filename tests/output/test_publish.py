"""Publishing: exact set, stale files removed, and SIGKILL at any point is recoverable."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from analysis.output.publish import JOURNAL, managed_files, publish, recover
from analysis.output.tables import write_table

OLD = {"a.png": b"old a", "b.png": b"old b", "stale.svg": b"stale", "tables/t.csv": b"x\n1\n"}
NEW = {"a.png": b"new a", "b.png": b"old b", "c.png": b"new c", "tables/t.csv": b"x\n2\n"}


def _sources(tmp_path, files, name):
    folder = tmp_path / name
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return {rel: folder / rel for rel in files}


def _state(figures):
    return {rel: (figures / rel).read_bytes() for rel in sorted(managed_files(figures))}


def test_publish_makes_the_folder_hold_exactly_the_new_set(tmp_path):
    figures = tmp_path / "figures"
    publish(_sources(tmp_path, OLD, "old"), figures)
    (figures / "notes.txt").write_text("not ours")
    report = publish(_sources(tmp_path, NEW, "new"), figures)
    assert _state(figures) == NEW
    assert set(report.replaced) == {"a.png", "c.png", "tables/t.csv"}
    assert report.deleted == ("stale.svg",) and report.unchanged == ("b.png",)
    assert (figures / "notes.txt").read_text() == "not ours"
    assert not (figures / JOURNAL).exists() and not list(figures.glob(".staging-*"))


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import analysis.output.publish as publish
    calls = {"n": 0}
    real = os.replace
    def replace(src, dst):
        if calls["n"] == int(sys.argv[3]):
            os.kill(os.getpid(), signal.SIGKILL)
        calls["n"] += 1
        real(src, dst)
    publish.os.replace = replace
    folder = Path(sys.argv[1])
    files = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    publish.publish(files, Path(sys.argv[2]))
    """
)


@pytest.mark.parametrize("kill_at", range(6))
def test_sigkill_during_publish_then_recover_gives_old_or_new_never_mixed(tmp_path, kill_at):
    figures = tmp_path / "figures"
    publish(_sources(tmp_path, OLD, "old"), figures)
    _sources(tmp_path, NEW, "new")
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(tmp_path / "new"), str(figures), str(kill_at)],
        capture_output=True,
        text=True,
    )
    # os.replace call 0 writes the journal; calls 1.. move files (3 of them)
    assert done.returncode in (-signal.SIGKILL, 0), done.stderr
    recover(figures)
    expected = OLD if kill_at == 0 else NEW
    assert _state(figures) == expected
    assert not (figures / JOURNAL).exists() and not list(figures.glob(".staging-*"))


def test_journal_roll_forward_is_idempotent(tmp_path):
    figures = tmp_path / "figures"
    publish(_sources(tmp_path, OLD, "old"), figures)
    staging = figures / ".staging-test"
    (staging / "tables").mkdir(parents=True)
    (staging / "a.png").write_bytes(b"new a")
    (figures / "c.png").write_bytes(b"new c")  # already moved before the crash
    (staging / "tables" / "t.csv").write_bytes(b"x\n2\n")
    journal = {"staging": staging.name, "replace": ["a.png", "c.png", "tables/t.csv"]}
    journal["delete"] = ["stale.svg"]
    (figures / JOURNAL).write_text(json.dumps(journal))
    assert "rolled forward" in recover(figures)
    assert _state(figures) == NEW
    assert recover(figures) is None


def test_staging_without_journal_is_discarded(tmp_path):
    figures = tmp_path / "figures"
    publish(_sources(tmp_path, OLD, "old"), figures)
    (figures / ".staging-abc").mkdir()
    (figures / ".staging-abc" / "a.png").write_bytes(b"half")
    assert "discarded" in recover(figures)
    assert _state(figures) == OLD


def test_a_folder_of_someone_elses_files_is_refused_and_left_alone(tmp_path):
    from analysis.output.publish import OutputFolderError

    user = tmp_path / "user"
    theirs = {"thesis.pdf": b"%PDF", "config.json": b"{}", "README.md": b"# mine",
              "tables/interview-data.csv": b"a\n1\n"}  # fmt: skip
    for rel, data in theirs.items():
        (user / rel).parent.mkdir(parents=True, exist_ok=True)
        (user / rel).write_bytes(data)
    with pytest.raises(OutputFolderError, match=r"holds 4 file\(s\) Discourse Lab did not write"):
        publish(_sources(tmp_path, NEW, "new"), user)
    assert {p.relative_to(user).as_posix() for p in user.rglob("*") if p.is_file()} == set(theirs)
    assert recover(user) is None  # nothing of ours to recover there either


def test_only_files_in_the_manifest_are_ever_replaced_or_deleted(tmp_path):
    from analysis.output.publish import MANIFEST

    figures = tmp_path / "figures"
    publish(_sources(tmp_path, OLD, "old"), figures)
    manifest = json.loads((figures / MANIFEST).read_text())
    assert manifest == {"files": sorted(OLD), "format": 1}
    (figures / "mine.png").write_bytes(b"added by hand")  # not in the manifest
    (figures / "tables" / "mine.csv").write_bytes(b"x\n")
    publish(_sources(tmp_path, NEW, "new"), figures)
    assert (figures / "mine.png").read_bytes() == b"added by hand"
    assert (figures / "tables" / "mine.csv").read_bytes() == b"x\n"
    assert managed_files(figures) == set(NEW)


@pytest.mark.parametrize("listed", [["../outside.txt"], ["/etc/passwd"], ["a/b/c.png"], "x"])
def test_a_forged_manifest_is_refused(tmp_path, listed):
    from analysis.output.publish import MANIFEST, OutputFolderError

    figures = tmp_path / "figures"
    figures.mkdir()
    (tmp_path / "outside.txt").write_text("keep me")
    (figures / MANIFEST).write_text(json.dumps({"format": 1, "files": listed}))
    with pytest.raises(OutputFolderError, match=r"not a file inside the folder"):
        publish(_sources(tmp_path, NEW, "new"), figures)
    assert (tmp_path / "outside.txt").read_text() == "keep me"


def test_a_failure_while_staging_leaves_no_staging_folder(tmp_path, monkeypatch):
    import errno

    import analysis.output.publish as module

    figures = tmp_path / "figures"
    publish(_sources(tmp_path, OLD, "old"), figures)

    def full(staged, data):
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(data[:1])  # half a file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(module, "write_staged", full)
    with pytest.raises(OSError, match="No space left"):
        publish(_sources(tmp_path, NEW, "new"), figures)
    assert _state(figures) == OLD
    assert not list(figures.glob(".staging-*")) and not (figures / JOURNAL).exists()


def test_a_parquet_table_is_published_listed_and_compared_by_content(tmp_path):
    out = tmp_path / "run"
    df = pd.DataFrame({"unit": [f"u{i}" for i in range(5)]})
    write_table(df, "topics-units", "One row per unit.", {"unit": "unit id"}, out, {}, 2)
    files = {f"tables/{p.name}": p for p in sorted(out.iterdir())}
    figures = tmp_path / "figures"
    first = publish(files, figures)
    assert "tables/topics-units.parquet" in first.replaced
    assert "tables/topics-units.parquet" in managed_files(figures)
    assert pd.read_parquet(figures / "tables" / "topics-units.parquet").equals(df)
    again = publish(files, figures)  # the same bytes: nothing to replace
    assert again.replaced == () and "tables/topics-units.parquet" in again.unchanged
