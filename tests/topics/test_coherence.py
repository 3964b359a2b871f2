"""Tests of analysis.topics.coherence: the window counts and scores are gensim's own."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import CoherenceModel
from gensim.topic_coherence.text_analysis import WordOccurrenceAccumulator

from analysis.topics.coherence import WindowCounts, coherence_model


def random_texts(n_texts: int, seed: int) -> list[list[str]]:
    """Texts from a small vocabulary (words repeat within windows, gensim's sliding state
    then differs from a set per window), lengths from empty to several windows."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(25)]
    return [list(rng.choice(words, int(rng.integers(0, 260)))) for _ in range(n_texts)]


@pytest.mark.parametrize("window", [1, 3, 10, 110])
def test_window_counts_are_gensims(window):
    texts = random_texts(60, window)
    dictionary = Dictionary(texts)
    relevant = {dictionary.token2id[w] for w in ("w0", "w1", "w2", "w3", "w7", "w11", "w24")}
    ours = WindowCounts(relevant, dictionary).accumulate(texts, window)
    theirs = WordOccurrenceAccumulator(relevant, dictionary).accumulate(texts, window)
    assert ours.num_docs == theirs.num_docs
    np.testing.assert_array_equal(ours._occurrences, theirs._occurrences)
    assert ours._occurrences.dtype == theirs._occurrences.dtype
    np.testing.assert_array_equal(ours._co_occurrences.toarray(), theirs._co_occurrences.toarray())


@pytest.mark.parametrize("measure", ["c_v", "c_npmi", "c_uci"])
def test_scores_are_gensims_bit_for_bit(measure):
    texts = random_texts(80, 7)
    dictionary = Dictionary(texts)
    rng = np.random.default_rng(1)
    vocabulary = sorted(dictionary.token2id)
    topic_sets = [
        [list(rng.choice(vocabulary, 6, replace=False)) for _ in range(k)] for k in (2, 3, 4)
    ]
    ours = coherence_model(topic_sets, texts, dictionary, measure, 5)
    kwargs = {"texts": texts, "dictionary": dictionary, "coherence": measure, "processes": 1}
    theirs = CoherenceModel.for_topics(topic_sets, topn=5, **kwargs)
    for (our_topics, our_mean), (their_topics, their_mean) in zip(
        ours.compare_model_topics(topic_sets), theirs.compare_model_topics(topic_sets), strict=True
    ):
        assert our_mean == their_mean
        assert np.asarray(our_topics).tobytes() == np.asarray(their_topics).tobytes()
