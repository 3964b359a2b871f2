"""Figure files: kebab-case ids, byte-identical PDF/SVG/PNG, sidecar hashes, no dates."""

from __future__ import annotations

import hashlib
import json

import matplotlib.pyplot as plt
import pytest

from analysis.core.figure_style import new_figure
from analysis.output.figures import FigureError, validate_figure_id, write_figure

STABLE = {"figure": "corpus-demo", "corpus_fingerprint": "f" * 64, "params_sha256": "p" * 64}


def _figure():
    fig, ax = new_figure()
    ax.bar(["a", "b", "c"], [3, 1, 2])
    ax.set_ylabel("count (documents)")
    return fig


@pytest.mark.parametrize("bad", ["Corpus-Demo", "corpus_demo", "corpus demo", "-x", "x-", ""])
def test_figure_ids_must_be_kebab_case(bad):
    with pytest.raises(FigureError, match="kebab-case"):
        validate_figure_id(bad)


def test_same_figure_twice_gives_identical_bytes(tmp_path):
    first = write_figure(_figure(), "corpus-demo", "Bars.", tmp_path / "a", {"x": 1}, STABLE)
    second = write_figure(_figure(), "corpus-demo", "Bars.", tmp_path / "b", {"x": 1}, STABLE)
    for fmt in ("pdf", "svg", "png"):
        assert first.paths[fmt].read_bytes() == second.paths[fmt].read_bytes(), fmt
    assert first.sidecar.read_bytes() == second.sidecar.read_bytes()


def test_sidecar_records_caption_provenance_and_file_hashes(tmp_path):
    saved = write_figure(_figure(), "corpus-demo", " Bars. ", tmp_path, {"notebook": "n"}, STABLE)
    sidecar = json.loads(saved.sidecar.read_text(encoding="utf-8"))
    assert sidecar["caption"] == "Bars." and sidecar["notebook"] == "n"
    for fmt in ("pdf", "svg", "png"):
        digest = hashlib.sha256((tmp_path / f"corpus-demo.{fmt}").read_bytes()).hexdigest()
        assert sidecar["files"][fmt] == {"file": f"corpus-demo.{fmt}", "sha256": digest}


def test_image_files_carry_stable_values_but_no_dates(tmp_path):
    saved = write_figure(_figure(), "corpus-demo", "Bars.", tmp_path, {}, STABLE)
    svg = saved.paths["svg"].read_text(encoding="utf-8")
    pdf = saved.paths["pdf"].read_bytes()
    assert "corpus-demo" in svg and "f" * 64 in svg
    assert "<dc:date>" not in svg
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf
    assert b"corpus-demo" in pdf
    assert b"tIME" not in saved.paths["png"].read_bytes()


def test_figure_is_closed_after_saving(tmp_path):
    fig = _figure()
    write_figure(fig, "corpus-demo", "Bars.", tmp_path, {}, STABLE)
    assert fig.number not in plt.get_fignums()


def test_caption_is_required(tmp_path):
    with pytest.raises(FigureError, match="caption"):
        write_figure(_figure(), "corpus-demo", "  ", tmp_path, {}, STABLE)
