"""Tests of analysis.topics.scores: held-out split, completion scoring, coherence."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.corpora import Dictionary

from analysis.topics.model import TopicSettings, fit_topic_model
from analysis.topics.scores import (
    coherence_by_measure,
    coherence_scores,
    completion_split,
    heldout_per_word_likelihood,
    holdout_split,
)


def planted_corpus(n_units: int = 45, seed: int = 0) -> tuple[list[list[str]], Dictionary]:
    """Three disjoint vocabularies, one per unit in turn."""
    rng = np.random.default_rng(seed)
    vocabularies = [[f"{p}{i}" for i in range(12)] for p in "abc"]
    texts = [list(rng.choice(vocabularies[i % 3], 30)) for i in range(n_units)]
    return texts, Dictionary(texts)


def test_holdout_split_is_seeded_disjoint_and_complete():
    train, held = holdout_split(50, 0.2, seed=3)
    assert len(held) == 10 and len(train) == 40
    assert sorted(np.concatenate([train, held]).tolist()) == list(range(50))
    again = holdout_split(50, 0.2, seed=3)
    assert np.array_equal(train, again[0]) and np.array_equal(held, again[1])
    assert not np.array_equal(held, holdout_split(50, 0.2, seed=4)[1])
    with pytest.raises(ValueError, match="holdout_fraction"):
        holdout_split(50, 1.0, seed=3)
    with pytest.raises(ValueError, match="too few"):
        holdout_split(2, 0.2, seed=3)


def test_completion_split_keeps_every_token_once():
    doc = [(0, 3), (4, 2), (7, 1)]
    observed, scored = completion_split([doc, [(1, 1)]], seed=0)
    assert len(observed) == 1  # the one-token unit cannot be split
    merged: dict[int, int] = {}
    for term, count in observed[0] + scored[0]:
        merged[term] = merged.get(term, 0) + count
    assert merged == dict(doc)
    assert sum(c for _, c in observed[0]) == 3


def test_coherent_topics_score_higher_than_mixed_ones():
    texts, dictionary = planted_corpus()
    coherent = [["a0", "a1", "a2", "a3"], ["b0", "b1", "b2", "b3"]]
    mixed = [["a0", "b1", "c2", "a3"], ["b0", "c1", "a2", "c3"]]
    for measure in ("c_v", "c_npmi"):
        good, bad = coherence_scores([coherent, mixed], texts, dictionary, measure, 4)
        assert good > bad


def test_measures_side_by_side_give_the_numbers_of_one_after_another():
    texts, dictionary = planted_corpus()
    topic_sets = [[["a0", "a1", "a2", "a3"], ["b0", "b1", "b2", "b3"]], [["a0", "b1", "c2", "a3"]]]
    measures = ("c_v", "c_npmi")
    expected = {m: coherence_scores(topic_sets, texts, dictionary, m, 4) for m in measures}
    for processes in (1, 2):
        by_measure = coherence_by_measure(topic_sets, texts, dictionary, measures, 4, processes)
        assert by_measure == expected  # exactly: the same computation in another process


def test_heldout_likelihood_prefers_the_true_number_of_topics():
    texts, dictionary = planted_corpus(60)
    bow = [dictionary.doc2bow(t) for t in texts]
    train, held = holdout_split(len(bow), 0.25, seed=1)
    settings = TopicSettings(passes=15, iterations=100, min_updates=1)
    scores = {}
    for k in (1, 3):
        fit = fit_topic_model([bow[i] for i in train], dictionary, k, settings, 2)
        scores[k] = heldout_per_word_likelihood(fit.model, [bow[i] for i in held], 2)
    assert scores[3] > scores[1]
