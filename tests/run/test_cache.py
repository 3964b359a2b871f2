"""Incremental runs: what counts as a notebook's inputs, and the cache entry."""

from __future__ import annotations

import json

from analysis.core.params import load_params
from analysis.core.provenance import code_hash
from analysis.run.cache import NotebookCache, input_hash
from analysis.run.registry import BASE_SECTIONS, NotebookSpec


def _package(tmp_path):
    package = tmp_path / "pkg"
    (package / "resources").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "resources" / "frames.yaml").write_text("a: [b]\n")
    return package


def test_code_hash_follows_python_and_resource_bytes(tmp_path):
    package = _package(tmp_path)
    before = code_hash(package)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.pyc").write_bytes(b"compiled")
    (package / "notes.txt").write_text("not code")
    assert code_hash(package) == before
    (package / "resources" / "frames.yaml").write_text("a: [c]\n")
    after_resource = code_hash(package)
    assert after_resource != before
    (package / "a.py").write_text("x = 2\n")
    assert code_hash(package) not in (before, after_resource)


def test_input_hash_depends_only_on_declared_sections(tmp_path):
    notebook = tmp_path / "00_corpus.ipynb"
    notebook.write_text("{}")
    corpus = NotebookSpec("00_corpus", BASE_SECTIONS, notebook)
    topics = NotebookSpec("10_topics", (*BASE_SECTIONS, "topics"), notebook)
    base, more = load_params(), load_params(overrides={"topics.passes": 2})
    assert input_hash(corpus, base, "f", "c") == input_hash(corpus, more, "f", "c")
    assert input_hash(topics, base, "f", "c") != input_hash(topics, more, "f", "c")
    assert input_hash(corpus, base, "f", "c") != input_hash(corpus, base, "g", "c")
    assert input_hash(corpus, base, "f", "c") != input_hash(corpus, base, "f", "d")
    notebook.write_text('{"cells": []}')
    assert input_hash(corpus, base, "f", "c") != input_hash(topics, base, "f", "c")


def test_cache_store_and_restore(tmp_path):
    run_a = tmp_path / "runs" / "run-a"
    (run_a / "outputs" / "nb" / "figures").mkdir(parents=True)
    (run_a / "outputs" / "nb" / "figures" / "x.png").write_bytes(b"png")
    (run_a / "notebooks").mkdir()
    (run_a / "notebooks" / "nb.ipynb").write_text("{}")
    cache = NotebookCache(tmp_path / "runs", "nb")
    assert not cache.matches("k1")
    cache.store("k1", run_a, "nb")
    assert cache.matches("k1") and not cache.matches("k2") and cache.run_id() == "run-a"
    run_b = tmp_path / "runs" / "run-b"
    cache.restore(run_b, "nb")
    assert (run_b / "outputs" / "nb" / "figures" / "x.png").read_bytes() == b"png"
    assert (run_b / "notebooks" / "nb.ipynb").read_text() == "{}"
    cache.store("k2", run_a, "nb")  # replacing an entry keeps exactly one
    assert cache.matches("k2")
    assert sorted(p.name for p in (tmp_path / "runs" / "cache").iterdir()) == ["nb"]


def _notebook(source: str, outputs: list | None = None) -> str:
    cell = {"cell_type": "code", "metadata": {}, "source": [source], "outputs": outputs or []}
    return json.dumps({"cells": [cell], "metadata": {"kernelspec": {"name": "x"}}})


def test_input_hash_follows_cell_sources_not_outputs(tmp_path):
    """JupyterLab's autosave writes outputs and counts: they must not trigger a re-run."""
    notebook = tmp_path / "00_corpus.ipynb"
    spec = NotebookSpec("00_corpus", BASE_SECTIONS, notebook)
    params = load_params()
    notebook.write_text(_notebook("x = 1"))
    clean = input_hash(spec, params, "f", "c")
    notebook.write_text(_notebook("x = 1", [{"output_type": "stream", "text": ["1"]}]))
    assert input_hash(spec, params, "f", "c") == clean
    notebook.write_text(_notebook("x = 2"))
    assert input_hash(spec, params, "f", "c") != clean


def test_a_cached_file_missing_added_or_changed_is_damage(tmp_path):
    run = tmp_path / "runs" / "20250101T000000.000Z-abcdef"
    figures = run / "outputs" / "nb" / "figures"
    figures.mkdir(parents=True)
    (figures / "a.png").write_bytes(b"\x89PNG complete")
    cache = NotebookCache(tmp_path / "runs", "nb")
    cache.store("key", run, "nb")
    assert cache.matches("key") and cache.damage() == ""
    stored = cache.folder / "outputs" / "figures" / "a.png"
    stored.write_bytes(b"\x89PNG")  # truncated
    assert cache.damage() == "outputs/figures/a.png differs from the file recorded"
    assert not cache.matches("key")
    stored.unlink()
    assert cache.damage() == "outputs/figures/a.png is missing"
    stored.write_bytes(b"\x89PNG complete")
    (stored.parent / "b.png").write_bytes(b"extra")
    assert cache.damage() == "outputs/figures/b.png was added"
    (stored.parent / "b.png").unlink()
    assert cache.matches("key")
    (cache.folder / "meta.json").write_text(json.dumps({"input_hash": "key"}))
    assert cache.damage() == "no file hashes recorded" and not cache.matches("key")
