"""Tests of analysis.topics.model on planted corpora with known answers."""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from gensim.corpora import Dictionary

from analysis.core.params import TopicParams
from analysis.topics.model import (
    TopicSettings,
    bound_has_converged,
    default_topic_labels,
    document_topic_matrix,
    document_topic_table,
    fit_topic_model,
    read_topic_labels,
    representative_passages,
    save_topic_model,
    term_relevance,
    top_words,
    topic_data,
    topic_settings,
    topic_terms_table,
    topic_word_matrix,
    vocabulary_of,
    write_topic_labels,
)

FAST = TopicSettings(passes=20, iterations=100, min_updates=1)


def disjoint_corpus(n_units: int = 60, seed: int = 0) -> tuple[list[list[str]], Dictionary]:
    """Units each drawn from one of three disjoint 15-word vocabularies (a, b, c)."""
    rng = np.random.default_rng(seed)
    vocabularies = [[f"{p}{i}" for i in range(15)] for p in "abc"]
    texts = [list(rng.choice(vocabularies[i % 3], 30)) for i in range(n_units)]
    return texts, Dictionary(texts)


def fitted_matrix_sha256(seed: int) -> str:
    """sha256 of the topic–word matrix of the disjoint corpus (also run in a subprocess)."""
    texts, dictionary = disjoint_corpus()
    bow = [dictionary.doc2bow(t) for t in texts]
    fit = fit_topic_model(bow, dictionary, 3, FAST, seed)
    return hashlib.sha256(topic_word_matrix(fit.model).tobytes()).hexdigest()


def test_disjoint_vocabularies_are_recovered_one_to_one():
    texts, dictionary = disjoint_corpus()
    bow = [dictionary.doc2bow(t) for t in texts]
    fit = fit_topic_model(bow, dictionary, 3, FAST, seed=7)
    words = top_words(topic_word_matrix(fit.model), vocabulary_of(dictionary), 10)
    prefixes = [{w[0] for w in topic} for topic in words]
    assert all(len(p) == 1 for p in prefixes), words
    assert sorted(p.pop() for p in prefixes) == ["a", "b", "c"]
    theta = document_topic_matrix(fit.model, bow, seed=7)
    dominant = theta.argmax(axis=1)
    # every unit of one vocabulary goes to the same topic, different per vocabulary
    assert len({tuple(dominant[i::3]) for i in range(3)}) == 3
    assert all(len(set(dominant[i::3])) == 1 for i in range(3))
    assert fit.converged
    assert fit.documents_converged == pytest.approx(1.0)
    assert list(fit.convergence.columns) == ["pass", "per_word_bound", "perplexity"]
    assert fit.convergence["pass"].tolist() == list(range(4, FAST.passes + 1, 4))  # ~5 evaluations


def test_same_seed_gives_identical_topics_in_another_process():
    here = fitted_matrix_sha256(11)
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "import test_model; print(test_model.fitted_matrix_sha256(11))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert other == here
    assert fitted_matrix_sha256(12) != here  # the seed really reaches the model


def test_document_topics_do_not_depend_on_earlier_inference():
    texts, dictionary = disjoint_corpus(30)
    bow = [dictionary.doc2bow(t) for t in texts]
    fit = fit_topic_model(bow, dictionary, 3, FAST, seed=3)
    first = document_topic_matrix(fit.model, bow, seed=3)
    fit.model.inference(bow[:5])  # advances the model's random state
    second = document_topic_matrix(fit.model, bow, seed=3)
    assert first.tobytes() == second.tobytes()
    assert np.allclose(first.sum(axis=1), 1.0)


def test_convergence_monitor_does_not_change_the_model():
    texts, dictionary = disjoint_corpus(30)
    bow = [dictionary.doc2bow(t) for t in texts]
    with_sample = fit_topic_model(bow, dictionary, 3, FAST, seed=5)
    other_sample = fit_topic_model(
        bow,
        dictionary,
        3,
        TopicSettings(passes=20, iterations=100, min_updates=1, convergence_sample=4),
        5,
    )
    assert (
        topic_word_matrix(with_sample.model).tobytes()
        == topic_word_matrix(other_sample.model).tobytes()
    )


def test_relevance_matches_hand_computation():
    phi = np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
    p_w = np.array([0.3, 0.175, 0.525])
    lam = 0.6
    expected_00 = lam * np.log(0.5) + (1 - lam) * np.log(0.5 / 0.3)
    expected_12 = lam * np.log(0.8) + (1 - lam) * np.log(0.8 / 0.525)
    relevance = term_relevance(phi, p_w, lam)
    assert relevance[0, 0] == pytest.approx(expected_00)
    assert relevance[1, 2] == pytest.approx(expected_12)
    # lambda = 0 ranks by lift: topic 0 lift = [1.667, 1.429, 0.476]
    table = topic_terms_table(phi, ["x", "y", "z"], p_w, 0.0, 3)
    assert table[table.topic == 0]["term"].tolist() == ["x", "y", "z"]
    assert table[table.topic == 0]["lift"].iloc[0] == pytest.approx(0.5 / 0.3)
    # lambda = 1 ranks by probability; the tie y/z is broken by term id
    table = topic_terms_table(phi, ["x", "y", "z"], p_w, 1.0, 3)
    assert table[table.topic == 0]["term"].tolist() == ["x", "y", "z"]
    assert table[table.topic == 1]["term"].tolist() == ["z", "x", "y"]


def test_labels_default_file_round_trip_and_errors(tmp_path):
    terms = pd.DataFrame(
        {
            "topic": [0, 0, 0, 1, 1, 1],
            "rank": [1, 2, 3, 1, 2, 3],
            "term": ["security_council", "vote", "un", "gaza", "aid", "war"],
        }
    )
    defaults = default_topic_labels(terms)
    assert defaults == {0: "T0: security council vote un", 1: "T1: gaza aid war"}
    path = write_topic_labels(defaults, tmp_path / "labels.csv")
    assert read_topic_labels(path, defaults) == defaults
    path.write_text("topic,label\n1,Humanitarian crisis\n", encoding="utf-8")
    assert read_topic_labels(path, defaults) == {0: defaults[0], 1: "Humanitarian crisis"}
    path.write_text("topic,label\n5,Nope\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels.csv, row 2: topic 5 is not in the model"):
        read_topic_labels(path, defaults)
    path.write_text("topic,label\n0,A\n0,B\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 3: topic 0 is labelled twice"):
        read_topic_labels(path, defaults)
    with pytest.raises(FileNotFoundError, match="topics.labels_file"):
        read_topic_labels(tmp_path / "missing.csv", defaults)


def test_representative_passages_rank_the_planted_unit_first():
    theta = np.array([[0.9, 0.1], [0.2, 0.8], [0.95, 0.05], [0.5, 0.5]])
    units = pd.DataFrame(
        {
            "segment_id": ["d1:p0", "d1:p1", "d2:p0", "d2:p1"],
            "doc_id": ["d1", "d1", "d2", "d2"],
            "group": ["A", "A", "B", "B"],
            "text": ["one", "two", "three " * 200, "four"],
        }
    )
    passages = representative_passages(theta, units, n_passages=2, max_chars=50)
    top0 = passages[passages.topic == 0]
    assert top0["segment_id"].tolist() == ["d2:p0", "d1:p0"]
    assert len(top0["text"].iloc[0]) <= 50 and top0["text"].iloc[0].endswith("…")
    assert passages[passages.topic == 1]["segment_id"].iloc[0] == "d1:p1"
    table = document_topic_table(theta, units)
    assert len(table) == 8
    assert table.loc[(table.segment_id == "d1:p1") & (table.topic == 1), "proportion"].item() == 0.8


def test_bound_convergence_rule():
    assert bound_has_converged(np.array([-9.0, -8.0, -7.5, -7.4999, -7.4998]), 1e-3)
    assert not bound_has_converged(np.array([-9.0, -8.0, -7.0, -6.0]), 1e-3)
    assert not bound_has_converged(np.array([-9.0, -7.5, -7.49]), 1e-3)
    assert not bound_has_converged(np.array([-9.0]), 1e-3)


def _topics(**values) -> TopicParams:
    return dataclasses.replace(TopicParams(), **values)


def test_settings_refuse_multiple_workers_and_take_defaults():
    assert topic_settings(_topics(passes=7)).passes == 7
    assert topic_settings(_topics()).gamma_threshold == TopicParams.gamma_threshold == 0.01
    assert topic_settings(_topics()) == TopicSettings()  # one set of defaults: Params
    with pytest.raises(ValueError, match="topics.workers"):
        topic_settings(_topics(workers=2))
    with pytest.raises(ValueError, match=r"topics.eta = 'asymmetric'"):
        topic_settings(_topics(eta="asymmetric"))
    with pytest.raises(ValueError, match="must be positive"):
        topic_settings(_topics(alpha=0.0))
    with pytest.raises(ValueError, match="relevance_lambda"):
        topic_settings(_topics(relevance_lambda=1.5))


def test_topic_data_drops_empty_units_and_keeps_metadata(tmp_path):
    tokens = [["peace", "talks"], ["stopword_only_removed"], ["peace", "vote", "vote"]]
    dictionary = Dictionary([tokens[0], tokens[2]])
    corpus = SimpleNamespace(
        segments=pd.DataFrame(
            {
                "segment_id": ["a:p0", "a:p1", "b:p0"],
                "doc_id": ["a", "a", "b"],
                "group": ["G1", "G1", "G2"],
                "position": [0, 1, 0],
                "text": ["Peace talks.", "The.", "Peace vote, vote."],
                "tokens": tokens,
            }
        ),
        documents=pd.DataFrame({"doc_id": ["a", "b"], "date": ["2017-01", ""]}),
        dictionary=dictionary,
    )
    data = topic_data(corpus)
    assert data.n_empty == 1
    assert data.units["segment_id"].tolist() == ["a:p0", "b:p0"]
    assert data.units["n_tokens"].tolist() == [2, 3]
    assert data.units["date"].tolist() == ["2017-01", ""]
    assert data.texts == [["peace", "talks"], ["peace", "vote", "vote"]]
    assert data.texts[0] is tokens[0]  # pruned already: no copy
    assert data.bow == [dictionary.doc2bow(tokens[0]), dictionary.doc2bow(tokens[2])]
    peace = dictionary.token2id["peace"]
    shared = [pair for bag in data.bow for pair in bag if pair == (peace, 1)]
    assert len(shared) == 2 and shared[0] is shared[1]  # one tuple for equal pairs
    fit = fit_topic_model(data.bow, dictionary, 2, FAST, seed=1)
    saved = save_topic_model(fit, tmp_path / "models")
    from gensim.models import LdaModel

    reloaded = LdaModel.load(str(saved))
    assert np.array_equal(topic_word_matrix(reloaded), topic_word_matrix(fit.model))


def test_fit_rejects_empty_input():
    with pytest.raises(ValueError, match="no tokens"):
        fit_topic_model([[], []], Dictionary([["a"]]), 2, FAST, 1)


def test_balanced_chunks_leave_no_small_last_chunk():
    from analysis.topics.model import balanced_chunksize

    assert balanced_chunksize(107, 100) == 54  # two chunks of 54 and 53, not 100 and 7
    assert balanced_chunksize(2000, 100) == 100
    assert balanced_chunksize(86, 100) == 86  # one chunk: batch updates
    assert balanced_chunksize(201, 100) == 67


def test_small_corpora_get_enough_updates():
    from analysis.topics.model import passes_needed

    settings = TopicSettings(passes=20, min_updates=60)
    assert passes_needed(2000, 100, settings) == 20  # 20 chunks: 400 updates already
    assert passes_needed(107, 54, settings) == 30  # 2 chunks per pass
    assert passes_needed(86, 86, settings) == 60  # one chunk: one update per pass
    texts, dictionary = disjoint_corpus(12)
    bow = [dictionary.doc2bow(t) for t in texts]
    fit = fit_topic_model(bow, dictionary, 3, TopicSettings(passes=5, min_updates=10), 1)
    assert fit.passes == 10 and fit.convergence["pass"].iloc[-1] == 10


def test_large_corpora_get_fewer_passes_within_the_update_cap():
    from analysis.topics.model import passes_needed

    settings = TopicSettings(passes=20, min_updates=150, max_updates=5000)
    assert passes_needed(25_000, 100, settings) == 20  # 250 chunks x 20 = 5,000 updates
    assert passes_needed(140_000, 100, settings) == 3  # 1,400 chunks: 3 passes = 4,200
    assert passes_needed(700_000, 100, settings) == 1  # never fewer than one pass
    uncapped = TopicSettings(passes=20, min_updates=150, max_updates=0)
    assert passes_needed(700_000, 100, uncapped) == 20
    with pytest.raises(ValueError, match="max_updates"):
        topic_settings(_topics(min_updates=150, max_updates=100))
