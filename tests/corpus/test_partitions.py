"""The preparation stage: one partition or many, in this process or on workers, give the
same prepared corpus; caches follow settings and code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gensim.corpora import Dictionary

from analysis.core.params import load_params
from analysis.corpus import prepare
from analysis.corpus.tokens import tokenize_words

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


def _snapshot(prepared: prepare.PartitionedCorpus) -> dict:
    segments = prepared.load_segments()
    return {
        "fingerprint": prepared.fingerprint,
        "segments": segments[["segment_id", "doc_id", "group", "text"]].values.tolist(),
        "tokens": [list(t) for t in segments["tokens"]],
        "vocabulary": list(prepared.dictionary.token2id.items()),
        "dfs": sorted(prepared.dictionary.dfs.items()),
        "bow": [[(int(i), int(n)) for i, n in doc] for doc in prepared.bow()],
        "documents": prepared.documents(with_text=True).values.tolist(),
        "cleaning": prepared.cleaning_report().values.tolist(),
    }


@pytest.mark.parametrize("scheduler", ["synchronous", "processes"])
def test_one_partition_and_many_give_the_same_prepared_corpus(tmp_path, scheduler):
    _corpus(tmp_path)
    one = prepare.partitioned_corpus(_params(tmp_path, **{"run.batch_rows": 1000}))
    many = prepare.partitioned_corpus(
        _params(tmp_path, **{"run.batch_rows": 7, "run.scheduler": scheduler})
    )
    assert (len(one.parts), len(many.parts)) == (1, 9)
    assert _snapshot(many) == _snapshot(one)
    assert "security_council" in one.dictionary.token2id
    tokens = _snapshot(one)["tokens"]
    reference = Dictionary(tokens)  # whole content tokens; the topic model's pruning:
    pre = _params(tmp_path).preprocess
    reference.filter_extremes(no_below=pre.min_df, no_above=pre.max_df, keep_n=pre.keep_n)
    assert one.dictionary.token2id == reference.token2id
    assert _snapshot(one)["bow"] == [reference.doc2bow(t) for t in tokens]


def test_cache_hit_then_corrupt_part_is_rebuilt(tmp_path, monkeypatch):
    _corpus(tmp_path)
    params = _params(tmp_path, **{"run.batch_rows": 20})
    first = prepare.partitioned_corpus(params)
    real_build = prepare._build

    def fail(*args, **kwargs):
        raise AssertionError("an unchanged corpus was prepared again")

    monkeypatch.setattr(prepare, "_build", fail)
    assert prepare.partitioned_corpus(params).fingerprint == first.fingerprint
    part = first.segment_paths()[1]
    part.write_bytes(part.read_bytes()[:-10])
    assert prepare.open_prepared(first.root) is None
    monkeypatch.setattr(prepare, "_build", real_build)
    rebuilt = prepare.partitioned_corpus(params)
    assert rebuilt.fingerprint == first.fingerprint
    changed = prepare.partitioned_corpus(_params(tmp_path, **{"preprocess.min_df": 3}))
    assert changed.fingerprint != first.fingerprint and changed.root != first.root


def test_a_tokeniser_setting_or_stage_code_change_rebuilds(tmp_path, monkeypatch):
    _corpus(tmp_path)
    params = _params(tmp_path)
    first = prepare.partitioned_corpus(params)
    cased = prepare.partitioned_corpus(_params(tmp_path, **{"preprocess.lowercase": False}))
    assert cased.root != first.root
    stage = tmp_path / "stage_code.py"
    stage.write_text("RULE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import stage_code

    monkeypatch.setattr(prepare, "STAGE_MODULES", (*prepare.STAGE_MODULES, stage_code))
    with_stage = prepare.partitioned_corpus(params)
    stage.write_text("RULE = 2\n")
    edited = prepare.partitioned_corpus(params)
    assert len({first.root, with_stage.root, edited.root}) == 3
    assert edited.fingerprint == first.fingerprint  # same documents, settings and tokens


def test_document_emptied_by_cleaning_is_reported(tmp_path):
    frame = _corpus(tmp_path)
    frame.loc[5, "text"] = "DELETE ME"
    frame.to_csv(tmp_path / "news.csv", index=False)
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: drop\n    pattern: DELETE ME\n", encoding="utf-8")
    params = _params(tmp_path, **{"cleaning.rules_file": str(rules), "run.batch_rows": 20})
    with pytest.raises(Exception, match=r"news.csv row 7: document 'n005': nothing is left"):
        prepare.partitioned_corpus(params)
    params = _params(
        tmp_path,
        **{"cleaning.rules_file": str(rules), "corpus.on_error": "reject", "run.batch_rows": 20},
    )
    prepared = prepare.partitioned_corpus(params)
    assert prepared.n_documents == 59
    assert prepared.rejected["doc_id"].tolist() == ["n005"]


@pytest.mark.parametrize("lowercase", [True, False])
def test_document_units_count_words_and_report_cpu_time(tmp_path, lowercase):
    """Whole-document units reuse the segment's word tokens for n_words (when lower-cased);
    the counts equal the tokeniser's on every document, also on non-ASCII text."""
    frame = _corpus(tmp_path)
    frame.loc[3, "text"] = "İstanbul  talks\n\nΣΟΦΊΑ and the Kelvin \u212a; U.S. security council"
    frame.to_csv(tmp_path / "news.csv", index=False)
    params = _params(
        tmp_path,
        **{"segments.unit": "document", "preprocess.lowercase": lowercase, "run.batch_rows": 25},
    )
    stages: dict = {}
    prepared = prepare.partitioned_corpus(
        params, on_stage=lambda name, info: stages.update({name: info})
    )
    docs = prepared.documents(with_text=True)
    assert list(docs["n_words"]) == [len(tokenize_words(t)) for t in docs["text"]]
    # i (its dot is a combining mark), stanbul, talks, σοφία, and, the, kelvin, k, u.s., ...
    assert docs["n_words"].iloc[3] == 11
    assert list(stages) == ["sample", "tokenise", "dictionary", "bow"]
    measured = stages["tokenise"]
    assert measured["raw_chars"] == prepared.n_chars == frame["text"].str.len().sum()
    assert 0 < measured["unit_chars"] <= measured["raw_chars"]
    assert 0 < measured["clean_cpu_s"] + measured["tokenise_cpu_s"] <= measured["partition_cpu_s"]
