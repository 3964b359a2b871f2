"""figures/README.md gallery."""

from __future__ import annotations

import json

import pandas as pd

from analysis.output.gallery import gallery_markdown, write_gallery
from analysis.output.tables import write_table


def _sidecar(figure_id, notebook, caption):
    return {
        "figure_id": figure_id,
        "caption": caption,
        "notebook": notebook,
        "cell": {"id": "prevalence-figure", "index": 5},
        "corpus_fingerprint": "abcdef1234567890",
    }


def test_gallery_lists_every_figure_with_image_caption_and_origin(tmp_path):
    (tmp_path / "topics-b.json").write_text(json.dumps(_sidecar("topics-b", "n/10.ipynb", "B.")))
    (tmp_path / "corpus-a.json").write_text(json.dumps(_sidecar("corpus-a", "n/00.ipynb", "A.")))
    (tmp_path / "unrelated.json").write_text("[1, 2]")
    text = write_gallery(tmp_path, "discourse-lab run").read_text(encoding="utf-8")
    assert text.index("## `corpus-a`") < text.index("## `topics-b`")
    assert "![corpus-a](corpus-a.png)" in text and "\nB.\n" in text
    assert "Made by `n/10.ipynb`, cell 5 (`prevalence-figure`)" in text
    assert "```sh\ndiscourse-lab run\n```" in text
    assert "abcdef123456`" in text and "unrelated" not in text


def test_gallery_is_deterministic():
    sidecars = [_sidecar("corpus-a", "n/00.ipynb", "A.")]
    assert gallery_markdown(sidecars, "x", False) == gallery_markdown(sidecars, "x", False)
    assert "No figures were produced." in gallery_markdown([], "x", True)


def test_gallery_names_the_tables_published_as_parquet(tmp_path):
    (tmp_path / "corpus-a.json").write_text(json.dumps(_sidecar("corpus-a", "n/00.ipynb", "A.")))
    tables = tmp_path / "run-tables"
    long = pd.DataFrame({"unit": [f"u{i}" for i in range(12)]})
    write_table(long, "topics-units", "One row per unit.", {"unit": "unit id"}, tables, {}, 10)
    write_table(long.head(3), "corpus-few", "Rows.", {"unit": "unit id"}, tables, {}, 10)
    text = write_gallery(tmp_path, "discourse-lab run", tables).read_text(encoding="utf-8")
    assert "The tables behind the figures are in [tables/](tables/SCHEMA.md)." in text
    assert (
        "- [`topics-units.parquet`](tables/topics-units.parquet): 12 rows; "
        "[`topics-units.csv`](tables/topics-units.csv): the first 10"
    ) in text
    assert "corpus-few.parquet" not in text
    plain = write_gallery(tmp_path, "discourse-lab run").read_text(encoding="utf-8")
    assert "tables/" not in plain  # no tables beside the figures: nothing to point to
