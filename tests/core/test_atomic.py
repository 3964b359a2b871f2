"""Folders are replaced whole or not at all."""

from __future__ import annotations

import pytest

from analysis.core.atomic import atomic_directory


def test_folder_appears_whole_and_replaces_the_old_one(tmp_path):
    target = tmp_path / "entry"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with atomic_directory(target) as tmp:
        (tmp / "a.txt").write_text("a")
        assert not (target / "a.txt").exists()  # nothing visible before the end
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["entry"]  # no temporary folder left


def test_failure_leaves_the_old_folder_and_no_leftovers(tmp_path):
    target = tmp_path / "entry"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_directory(target) as tmp:
        (tmp / "half.txt").write_text("half")
        raise RuntimeError("killed half-way")
    assert sorted(p.name for p in target.iterdir()) == ["old.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["entry"]
