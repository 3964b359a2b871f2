"""Tests of analysis.topics.selection: stability, held-out scoring, coherence, the auto rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gensim.corpora import Dictionary

from analysis.topics.model import TopicData, TopicSettings, fit_topic_model
from analysis.topics.selection import (
    choose_num_topics,
    k_sweep,
    k_values,
    matched_similarity,
    model_coherence,
    resolve_num_topics,
    sweep_seeds,
    topic_stability,
)

FAST = TopicSettings(passes=15, iterations=100, min_updates=1)


def planted_corpus(n_units: int = 45, seed: int = 0) -> tuple[list[list[str]], Dictionary]:
    """Three disjoint vocabularies, one per unit in turn."""
    rng = np.random.default_rng(seed)
    vocabularies = [[f"{p}{i}" for i in range(12)] for p in "abc"]
    texts = [list(rng.choice(vocabularies[i % 3], 30)) for i in range(n_units)]
    return texts, Dictionary(texts)


def test_stability_of_identical_and_permuted_models_is_one():
    rng = np.random.default_rng(1)
    phi = rng.dirichlet(np.ones(20), size=4)
    assert topic_stability([phi, phi, phi]) == pytest.approx(1.0)
    assert matched_similarity(phi, phi[[2, 0, 3, 1]]) == pytest.approx(1.0)


def test_stability_of_disjoint_models_is_zero_and_of_one_model_nan():
    a = np.array([[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]])
    uniform = np.full((2, 4), 0.25)
    # hand: cos([.5,.5,0,0], uniform) = 0.25 / (0.7071 * 0.5) = 1/sqrt(2), for both topics
    assert matched_similarity(a, uniform) == pytest.approx(1 / np.sqrt(2))
    assert matched_similarity(a, a[::-1]) == pytest.approx(1.0)  # same topics, swapped
    disjoint = np.array([[1.0, 0, 0, 0], [0, 0, 1.0, 0]]) @ np.eye(4)[[1, 0, 3, 2]]
    assert matched_similarity(np.array([[1.0, 0, 0, 0], [0, 0, 1.0, 0]]), disjoint) == 0.0
    assert np.isnan(topic_stability([a]))


def test_sweep_finds_the_planted_number_of_topics():
    texts, dictionary = planted_corpus()
    bow = [dictionary.doc2bow(t) for t in texts]
    sweep = k_sweep(bow, texts, dictionary, [2, 3, 5], sweep_seeds(1, 2), FAST, 0.2)
    assert sweep.n_heldout == 9 and sweep.n_train == 36
    assert len(sweep.runs) == 6
    summary = sweep.summary.set_index("k")
    assert summary.loc[3, "stability"] > 0.95
    assert summary.loc[3, "c_v_mean"] > summary.loc[2, "c_v_mean"]
    assert summary.loc[3, "heldout_per_word_ll_mean"] > summary.loc[2, "heldout_per_word_ll_mean"]
    assert choose_num_topics(sweep.summary).k == 3


def test_auto_rule_prefers_coherent_stable_k_and_falls_back_to_most_stable():
    summary = pd.DataFrame(
        {"k": [2, 3, 4], "c_v_mean": [0.40, 0.55, 0.60], "stability": [0.9, 0.7, 0.5]}
    )
    choice = choose_num_topics(summary, 0.6)
    assert choice.k == 3 and "0.60" in choice.rule
    assert choose_num_topics(summary, 0.95).k == 2
    assert "no K's seeds agree" in choose_num_topics(summary, 0.95).reason


def test_auto_rule_rejects_a_k_whose_topics_split_and_merge_between_seeds():
    summary = pd.DataFrame(
        {
            "k": [2, 3, 4],
            "c_v_mean": [0.40, 0.55, 0.60],
            "stability": [0.9, 0.85, 0.8],  # matched topics all look alike...
            "ari": [0.9, 0.7, 0.3],  # ...but K = 4 puts the units together differently
        }
    )
    assert choose_num_topics(summary, 0.7, 0.6).k == 3
    fallback = choose_num_topics(summary, 0.7, 0.95)
    assert fallback.k == 2 and "split and merge" in fallback.reason
    assert resolve_num_topics(5, None, 0.6).k == 5
    with pytest.raises(ValueError, match="needs a K sweep"):
        resolve_num_topics("auto", None, 0.6)
    with pytest.raises(ValueError, match="num_topics"):
        resolve_num_topics(0, None, 0.6)


def test_k_values_and_seeds():
    assert k_values(2, 8, 2, 100) == [2, 4, 6, 8]
    assert k_values(2, 8, 1, 4) == [2, 3, 4]
    assert sweep_seeds(10, 3) == [10, 11, 12]
    with pytest.raises(ValueError, match="k_min"):
        k_values(1, 8, 1, 100)


def test_final_coherence_is_measured_on_a_seeded_sample_of_a_large_corpus():
    texts, dictionary = planted_corpus(150)
    bow = [dictionary.doc2bow(t) for t in texts]
    fit = fit_topic_model(bow, dictionary, 3, FAST, 1)
    data = TopicData(pd.DataFrame({"segment_id": range(150)}), bow, texts, dictionary, 0)
    full = model_coherence(fit, data, max_units=0)
    assert model_coherence(fit, data, max_units=150) == full  # not above the cap: all units
    sampled = model_coherence(fit, data, max_units=60)
    assert sampled == model_coherence(fit, data, max_units=60)  # seeded
    assert sampled != full
    assert sampled["npmi"] == pytest.approx(full["npmi"], abs=0.1)  # same planted topics
    assert sampled["c_v"] > 0.6
