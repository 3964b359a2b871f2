"""Tests for analysis.scale.streaming: streamed preparation equals prepare_corpus, caches
rebuild."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from gensim.corpora import Dictionary, MmCorpus

from analysis.core.params import load_params
from analysis.corpus import prepare
from analysis.corpus.read import spec_from_params
from analysis.scale import streaming
from analysis.scale.store import import_corpus

WORDS = "peace talks border trade election water refugees budget army court".split()


def _corpus(tmp_path) -> pd.DataFrame:
    """60 articles; 'security council' planted often enough to become a phrase."""
    rng = np.random.default_rng(7)
    rows = []
    for i in range(60):
        paragraphs = []
        for _ in range(1 + i % 3):
            words = list(rng.choice(WORDS, size=12))
            if i % 4 == 0:
                words[3:3] = ["security", "council"]
            paragraphs.append("The " + " ".join(words) + " and the minister's plans.")
        rows.append({"doc_id": f"n{i:03d}", "outlet": "AB"[i % 2], "text": "\n".join(paragraphs)})
    frame = pd.DataFrame(rows)
    frame.to_csv(tmp_path / "news.csv", index=False)
    return frame


def _params(tmp_path, **overrides):
    base = {
        "corpus.path": str(tmp_path / "news.csv"),
        "corpus.group_by": "outlet",
        "cleaning.rules_file": "",
        "segments.min_words": 3,
        "run.cache_dir": str(tmp_path / "cache"),
        "run.scheduler": "synchronous",
    }
    return load_params(overrides={**base, **overrides})


def test_streamed_preparation_equals_prepare_corpus(tmp_path):
    _corpus(tmp_path)
    params = _params(tmp_path)
    store = import_corpus(spec_from_params(params.corpus), tmp_path / "store", batch_rows=7)
    assert store.n_row_groups == 9
    streamed = streaming.prepare_streamed(store, params)
    reference = prepare.build_prepared_corpus(spec_from_params(params.corpus), params)
    segments = streamed.load_segments()
    assert list(segments["segment_id"]) == list(reference.segments["segment_id"])
    assert [list(t) for t in segments["tokens"]] == [list(t) for t in reference.segments["tokens"]]
    assert "security_council" in streamed.dictionary.token2id
    assert streamed.dictionary.token2id == reference.dictionary.token2id
    bow = [[(int(i), int(n)) for i, n in doc] for doc in streamed.bow()]
    assert bow == reference.bow()
    assert streamed.n_segments == len(reference.segments) == len(streamed.bow())
    docs = streamed.documents()
    assert list(docs["doc_id"]) == list(reference.documents["doc_id"])
    assert list(docs["n_words"]) == list(reference.documents["n_words"])


def test_cache_hit_then_corrupt_part_is_rebuilt(tmp_path, monkeypatch):
    _corpus(tmp_path)
    params = _params(tmp_path)
    store = import_corpus(spec_from_params(params.corpus), tmp_path / "store", batch_rows=20)
    first = streaming.prepare_streamed(store, params)
    real_build = streaming._build

    def fail(*args, **kwargs):
        raise AssertionError("an unchanged corpus was prepared again")

    monkeypatch.setattr(streaming, "_build", fail)
    assert streaming.prepare_streamed(store, params).fingerprint == first.fingerprint
    part = first.segment_paths()[1]
    part.write_bytes(part.read_bytes()[:-10])
    assert streaming.open_streamed(first.root) is None
    monkeypatch.setattr(streaming, "_build", real_build)
    rebuilt = streaming.prepare_streamed(store, params)
    assert rebuilt.fingerprint == first.fingerprint
    changed = streaming.prepare_streamed(store, _params(tmp_path, **{"preprocess.min_df": 3}))
    assert changed.fingerprint != first.fingerprint and changed.root != first.root


def test_document_emptied_by_cleaning_is_reported(tmp_path):
    frame = _corpus(tmp_path)
    frame.loc[5, "text"] = "DELETE ME"
    frame.to_csv(tmp_path / "news.csv", index=False)
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: drop\n    pattern: DELETE ME\n", encoding="utf-8")
    params = _params(tmp_path, **{"cleaning.rules_file": str(rules)})
    store = import_corpus(spec_from_params(params.corpus), tmp_path / "store", batch_rows=20)
    with pytest.raises(Exception, match=r"news.csv row 7: document 'n005': nothing is left"):
        streaming.prepare_streamed(store, params)
    params = _params(tmp_path, **{"cleaning.rules_file": str(rules), "corpus.on_error": "reject"})
    store = import_corpus(spec_from_params(params.corpus), tmp_path / "store", batch_rows=20)
    streamed = streaming.prepare_streamed(store, params)
    assert streamed.n_documents == 59
    assert streamed.rejected["doc_id"].tolist() == ["n005"]


@pytest.mark.parametrize("lowercase", [True, False])
def test_document_units_equal_prepare_corpus_and_report_cpu_time(tmp_path, lowercase):
    """Whole-document units reuse the segment's word tokens for n_words (when lower-cased);
    words, tokens and counts still equal prepare_corpus, also on non-ASCII text."""
    frame = _corpus(tmp_path)
    frame.loc[3, "text"] = "İstanbul  talks\n\nΣΟΦΊΑ and the Kelvin \u212a; U.S. security council"
    frame.to_csv(tmp_path / "news.csv", index=False)
    params = _params(tmp_path, **{"segments.unit": "document", "preprocess.lowercase": lowercase})
    store = import_corpus(spec_from_params(params.corpus), tmp_path / "store", batch_rows=25)
    stages: dict = {}
    streamed = streaming.prepare_streamed(
        store, params, on_stage=lambda name, info: stages.update({name: info})
    )
    reference = prepare.build_prepared_corpus(spec_from_params(params.corpus), params)
    segments = streamed.load_segments()
    assert [list(t) for t in segments["tokens"]] == [list(t) for t in reference.segments["tokens"]]
    docs = streamed.documents()
    assert list(docs["n_words"]) == list(reference.documents["n_words"])
    # i (its dot is a combining mark), stanbul, talks, σοφία, and, the, kelvin, k, u.s., ...
    assert docs["n_words"].iloc[3] == 11
    assert list(stages) == ["sample", "tokenise", "dictionary", "bow"]
    measured = stages["tokenise"]
    assert measured["raw_chars"] == streamed.n_chars == frame["text"].str.len().sum()
    assert 0 < measured["unit_chars"] <= measured["raw_chars"]
    assert 0 < measured["clean_cpu_s"] + measured["tokenise_cpu_s"] <= measured["partition_cpu_s"]


def _write_parts(root, partitions) -> list[str]:
    for folder in (streaming.VOCABULARY_FOLDER, streaming.TERM_IDS_FOLDER):
        (root / folder).mkdir(parents=True)
    names = []
    for index, token_lists in enumerate(partitions):
        name = streaming._part_name(index)
        vocabulary, term_ids = streaming.partition_vocabulary(token_lists)
        pq.write_table(vocabulary, root / streaming.VOCABULARY_FOLDER / name)
        pq.write_table(term_ids, root / streaming.TERM_IDS_FOLDER / name)
        names.append(name)
    return names


# Segments that are empty (first, consecutive, last), emptied by pruning ("rare" tokens),
# repeat tokens, and new tokens whose sorted order differs from their order in the text.
SEGMENTS = [
    [],
    ["zeta", "alpha", "zeta", "Zulu", "émigré"],
    ["rare1"],
    [],
    ["alpha", "beta", "beta", "beta", "gamma", "Zulu"],
    ["delta", "alpha", "rare2", "gamma"],
    ["beta", "delta", "émigré", "gamma", "gamma"],
    ["zeta", "delta", "beta"],
    ["rare3", "rare3"],
    [],
]


@pytest.mark.parametrize("cuts", [(10,), (1, 4, 10), (3, 5, 8, 9, 10), (0, 3, 3, 10, 10)])
@pytest.mark.parametrize("keep_n", [100, 3])
def test_merged_dictionary_and_matrix_market_are_gensims(tmp_path, cuts, keep_n):
    """Row-group vocabularies merged in order give gensim's ids, frequencies and counts,
    and the Matrix Market file and its offset index are the bytes MmCorpus.serialize writes
    (keep_n=3 cuts ties in document frequency, broken by id; row groups may be empty)."""
    starts = (0, *cuts[:-1])
    names = _write_parts(tmp_path, [SEGMENTS[a:b] for a, b in zip(starts, cuts, strict=True)])
    merged = streaming.streamed_dictionary(tmp_path, names, 2, 0.9, keep_n)
    reference = Dictionary(SEGMENTS)
    reference.filter_extremes(no_below=2, no_above=0.9, keep_n=keep_n)
    assert merged.token2id == reference.token2id
    assert list(merged.token2id) == list(reference.token2id)
    assert (merged.dfs, merged.cfs) == (reference.dfs, reference.cfs)
    assert (merged.num_docs, merged.num_pos, merged.num_nnz) == (10, 26, 21)
    assert (reference.num_docs, reference.num_pos, reference.num_nnz) == (10, 26, 21)
    streaming.write_matrix_market(tmp_path, names, merged)
    MmCorpus.serialize(
        str(tmp_path / "reference.mm"), [reference.doc2bow(s) for s in SEGMENTS], reference
    )
    written = (tmp_path / streaming.BOW_FILE).read_bytes()
    assert written == (tmp_path / "reference.mm").read_bytes()
    assert written.split(b"\n")[1].split() == [
        b"10",
        str(len(reference)).encode(),
        b"%d" % (sum(len(reference.doc2bow(s)) for s in SEGMENTS)),
    ]
    index = (tmp_path / (streaming.BOW_FILE + ".index")).read_bytes()
    assert index == (tmp_path / "reference.mm.index").read_bytes()
    assert MmCorpus(str(tmp_path / streaming.BOW_FILE))[4] == reference.doc2bow(SEGMENTS[4])


def test_a_vocabulary_above_prune_at_is_pruned_as_add_documents_prunes(tmp_path, monkeypatch):
    """Above gensim's prune_at the merge keeps the most frequent tokens before each row group,
    exactly as add_documents called row group by row group (memory bounded by PRUNE_AT)."""
    monkeypatch.setattr(streaming, "PRUNE_AT", 4)
    partitions = [SEGMENTS[0:3], SEGMENTS[3:6], SEGMENTS[6:10]]
    names = _write_parts(tmp_path, partitions)
    merged = streaming.streamed_dictionary(tmp_path, names, 1, 1.0, 100)
    reference = Dictionary()
    for token_lists in partitions:
        reference.add_documents(token_lists, prune_at=4)
    reference.filter_extremes(no_below=1, no_above=1.0, keep_n=100)
    assert merged.token2id == reference.token2id and merged.dfs == reference.dfs
    assert len(Dictionary(SEGMENTS)) == 10 > len(merged)
