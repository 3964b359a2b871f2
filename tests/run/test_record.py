"""The run folder: record, log, merged outputs."""

from __future__ import annotations

import json
import time

import pytest

from analysis.core.params import Params
from analysis.run.pipeline import RunOptions
from analysis.run.record import RunFolder, new_run_id


def test_run_id_is_sortable_time_plus_random():
    first = new_run_id()
    time.sleep(0.002)
    second = new_run_id()
    assert first != second and first[:8].isdigit() and first[8] == "T" and first[19] == "Z"
    assert sorted([second, first]) == [first, second]  # folders sort in start order


def test_record_log_and_merged_outputs(tmp_path, capsys):
    folder = RunFolder.create(tmp_path / "r1", RunOptions(overrides={"run.seed": 1}), Params())
    for name, figure in (("a", "x.png"), ("b", "y.png")):
        (folder.outputs(name) / "figures").mkdir(parents=True)
        (folder.outputs(name) / "figures" / figure).write_bytes(name.encode())
    (folder.outputs("b") / "tables").mkdir()
    (folder.outputs("b") / "tables" / "t.csv").write_text("x\n")
    files = folder.collect_outputs(["a", "b"])
    assert sorted(files) == ["tables/t.csv", "x.png", "y.png"]
    assert files["y.png"].read_bytes() == b"b"
    folder.notebook("a", status="ok")
    folder.finish("ok", 0.0)
    record = json.loads((tmp_path / "r1" / "run.json").read_text())
    assert record["status"] == "ok" and record["notebooks"] == {"a": {"status": "ok"}}
    assert record["overrides"] == {"run.seed": 1} and "commit" in record
    assert "record and log" in (tmp_path / "r1" / "run.log").read_text()
    assert "record and log" in capsys.readouterr().out


def test_two_notebooks_writing_one_figure_is_an_error(tmp_path):
    folder = RunFolder.create(tmp_path / "r1", RunOptions(), Params())
    for name in ("a", "b"):
        (folder.outputs(name) / "figures").mkdir(parents=True)
        (folder.outputs(name) / "figures" / "same.png").write_bytes(b"1")
    with pytest.raises(ValueError, match="same.png is written by both a and b"):
        folder.collect_outputs(["a", "b"])


def test_records_left_running_by_a_dead_run_are_closed(tmp_path):
    import json

    from analysis.run.record import close_abandoned

    for name, status in (
        ("20250101T000000.000Z-aaaaaa", "running"),
        ("20250102T000000.000Z-bbbbbb", "ok"),
    ):
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.json").write_text(json.dumps({"status": status}))
    assert close_abandoned(tmp_path) == ["20250101T000000.000Z-aaaaaa"]
    record = json.loads((tmp_path / "20250101T000000.000Z-aaaaaa" / "run.json").read_text())
    assert record["status"] == "failed" and "killed" in record["reason"]
    assert json.loads((tmp_path / "20250102T000000.000Z-bbbbbb" / "run.json").read_text()) == {
        "status": "ok"
    }
    assert close_abandoned(tmp_path) == []
