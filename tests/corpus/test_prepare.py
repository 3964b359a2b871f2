"""The prepared corpus: cache and fingerprint."""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pandas.testing as pd_testing
import pytest

from analysis.core.params import Params, build_params
from analysis.corpus.prepare import corpus_fingerprint, partitioned_corpus
from tests.conftest import PROJECT_ROOT


@pytest.fixture()
def seed_copy(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", folder)
    return folder


def params_at(folder, cache, **sections) -> Params:
    raw = {"corpus": {"path": str(folder / "manifest.csv")}, "run": {"cache_dir": str(cache)}}
    raw["cleaning"] = {"rules_file": str(folder / "cleaning.yaml")}
    for section, values in sections.items():
        raw.setdefault(section, {}).update(values)
    return build_params(raw)


def test_seed_segments_have_tokens_and_vocabulary(tmp_path):
    prepared = partitioned_corpus(params_at(PROJECT_ROOT / "seeds", tmp_path)).in_memory()
    assert prepared.groups == ["Al-Monitor", "Breitbart", "Chinese wire", "UN"]
    assert len(prepared.segments) > 60  # paragraphs of five documents
    assert "security_council" in prepared.dictionary.token2id
    bow = prepared.bow()
    assert len(bow) == len(prepared.segments)
    vocabulary = prepared.dictionary.token2id
    in_vocabulary = sum(t in vocabulary for ts in prepared.segments["tokens"] for t in ts)
    assert sum(n for doc in bow for _, n in doc) == in_vocabulary


def test_tokens_are_whole_and_only_the_topic_vocabulary_is_pruned(tmp_path):
    """min_df / max_df prune the dictionary (the topic model's vocabulary), not the tokens
    that keyness and the other counts use."""
    texts = ["Peace talks resumed in Geneva.", "Peace talks stalled.", "Peace returned."]
    corpus = tmp_path / "talks.csv"
    pd.DataFrame({"doc_id": ["a", "b", "c"], "source": "S", "text": texts}).to_csv(corpus)
    params = build_params(
        {
            "corpus": {"path": str(corpus)},
            "cleaning": {"rules_file": ""},
            "segments": {"unit": "document"},
            "preprocess": {"min_df": 2, "max_df": 0.9, "phrases": False},
            "run": {"cache_dir": str(tmp_path / "cache")},
        }
    )
    prepared = partitioned_corpus(params).in_memory()
    assert prepared.segments["tokens"].map(list).tolist() == [
        ["peace", "talks", "resumed", "geneva"], ["peace", "talks", "stalled"],
        ["peace", "returned"],
    ]  # fmt: skip
    assert sorted(prepared.dictionary.token2id) == ["talks"]  # peace: every unit; geneva: one


def test_fingerprint_changes_with_content_and_settings_only(seed_copy, tmp_path):
    base = partitioned_corpus(params_at(seed_copy, tmp_path / "c")).fingerprint
    # Settings that do not shape the prepared corpus leave it alone, as does the cache.
    assert (
        partitioned_corpus(params_at(seed_copy, tmp_path / "c", topics={"passes": 3})).fingerprint
        == base
    )
    assert partitioned_corpus(params_at(seed_copy, tmp_path / "other")).fingerprint == base
    # A moved corpus with the same content keeps its fingerprint.
    moved = tmp_path / "moved"
    shutil.copytree(seed_copy, moved)
    assert partitioned_corpus(params_at(moved, tmp_path / "c")).fingerprint == base
    changes = [
        params_at(seed_copy, tmp_path / "c", segments={"unit": "document"}),
        params_at(seed_copy, tmp_path / "c", preprocess={"extra_stopwords": ["guterres"]}),
    ]
    fingerprints = {partitioned_corpus(p).fingerprint for p in changes}
    assert base not in fingerprints and len(fingerprints) == 2
    text_file = seed_copy / "001_098ab49ddfba2e9c.txt"
    text_file.write_text(text_file.read_text(encoding="utf-8") + "\nOne more sentence.\n")
    edited_text = partitioned_corpus(params_at(seed_copy, tmp_path / "c")).fingerprint
    rules = seed_copy / "cleaning.yaml"
    rules.write_text(rules.read_text().replace("- name: urls", "- name: urls-renamed"))
    edited_rules = partitioned_corpus(params_at(seed_copy, tmp_path / "c")).fingerprint
    manifest = seed_copy / "manifest.csv"
    manifest.write_text(manifest.read_text().replace("news analysis", "analysis"))
    edited_meta = partitioned_corpus(params_at(seed_copy, tmp_path / "c")).fingerprint
    assert len({base, edited_text, edited_rules, edited_meta}) == 4


def test_corrupt_cache_is_detected_and_rebuilt(tmp_path):
    params = params_at(PROJECT_ROOT / "seeds", tmp_path)
    first = partitioned_corpus(params).in_memory()
    entry = next(p for p in (tmp_path / "prepared").iterdir() if not p.name.startswith("."))
    (entry / "segments" / "part-00000.parquet").write_bytes(b"truncated")
    again = partitioned_corpus(params).in_memory()
    assert again.fingerprint == first.fingerprint
    assert again.segments["tokens"].tolist() == first.segments["tokens"].tolist()
    shutil.rmtree(entry)
    assert partitioned_corpus(params).fingerprint == first.fingerprint


def test_params_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Params().corpus.path = "x"  # type: ignore[misc]


def seeds_as_table(folder, path) -> None:
    """The seed corpus as one CSV table (text inline), like a researcher's export."""
    import pandas as pd

    manifest = pd.read_csv(folder / "manifest.csv", dtype=str, keep_default_na=False)
    manifest["text"] = [(folder / name).read_text(encoding="utf-8") for name in manifest["file"]]
    manifest.drop(columns=["file"]).to_csv(path, index=False)


def test_a_table_in_many_partitions_equals_the_manifest_folder(seed_copy, tmp_path):
    """The same texts as a manifest of .txt files (one partition) and as a CSV table cut
    into partitions of two documents: the same tokens, vocabulary, cleaning and fingerprint
    inputs, through the one preparation stage."""
    seeds_as_table(seed_copy, tmp_path / "seeds.csv")
    folder = partitioned_corpus(params_at(seed_copy, tmp_path / "a")).in_memory()
    table_params = params_at(
        seed_copy,
        tmp_path / "b",
        corpus={"path": str(tmp_path / "seeds.csv")},
        run={"batch_rows": 2},
    )
    table = partitioned_corpus(table_params).in_memory()
    assert list(table.segments["tokens"].map(list)) == list(folder.segments["tokens"].map(list))
    assert table.dictionary.token2id == folder.dictionary.token2id
    same = ["doc_id", "group", "text", "date", "n_chars", "n_words"]
    pd_testing.assert_frame_equal(table.documents[same], folder.documents[same])
    for name in ("cleaning_report", "cleaning_steps", "rejected"):
        pd_testing.assert_frame_equal(
            getattr(table, name), getattr(folder, name), check_dtype=False, obj=name
        )
    assert table.cleaning_steps["chars_removed"].sum() > 0  # the Breitbart rules fired
    assert corpus_fingerprint(table_params) == table.fingerprint
    tokens = [t for ts in table.segments["tokens"] for t in ts]
    assert len({id(t) for t in tokens}) == len(set(tokens))  # one string per word, shared


def test_cached_tokens_share_one_string_per_vocabulary_word(tmp_path):
    params = build_params({"run": {"cache_dir": str(tmp_path)}})
    fresh = partitioned_corpus(params).in_memory()
    cached = partitioned_corpus(params).in_memory()
    assert [list(t) for t in cached.segments["tokens"]] == [
        list(t) for t in fresh.segments["tokens"]
    ]
    tokens = [t for ts in cached.segments["tokens"] for t in ts]
    assert len(tokens) > 1000
    assert len({id(t) for t in tokens}) == len(set(tokens))
