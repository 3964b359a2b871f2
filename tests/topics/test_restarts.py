"""Tests of analysis.topics.restarts: planted topics under every seed, determinism, rules."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.corpora import Dictionary

from analysis.core.errors import InputError
from analysis.topics.model import TopicSettings, topic_word_matrix
from analysis.topics.restarts import (
    FitJob,
    available_processes,
    choose_restart,
    fit_models,
    fit_restarts,
    restart_seeds,
)
from analysis.topics.stability import adjusted_rand_index

FAST = TopicSettings(passes=10, iterations=100, min_updates=20)


def planted(n_units: int = 60, seed: int = 0):
    """Units mostly from one of three 12-word vocabularies (80%) plus shared words."""
    rng = np.random.default_rng(seed)
    vocabularies = [[f"{p}{i}" for i in range(12)] for p in "abc"]
    shared = [f"s{i}" for i in range(10)]
    labels = np.arange(n_units) % 3
    texts = [list(rng.choice(vocabularies[c], 24)) + list(rng.choice(shared, 6)) for c in labels]
    dictionary = Dictionary(texts)
    return [dictionary.doc2bow(t) for t in texts], dictionary, labels


@pytest.mark.parametrize("run_seed", [1, 2, 3, 4, 5])
def test_planted_topics_are_recovered_under_every_seed(run_seed):
    bow, dictionary, labels = planted()
    restarts = fit_restarts(bow, dictionary, 3, FAST, restart_seeds(run_seed, 3))
    dominant = restarts.gammas[restarts.chosen].argmax(axis=1)
    assert adjusted_rand_index(labels, dominant) == pytest.approx(1.0)
    assert restarts.ari.min() == pytest.approx(1.0)  # every restart agrees here


def test_restarts_are_identical_in_one_or_two_processes():
    bow, dictionary, _ = planted()
    seeds = restart_seeds(7, 2)
    one = fit_restarts(bow, dictionary, 3, FAST, seeds, processes=1)
    two = fit_restarts(bow, dictionary, 3, FAST, seeds, processes=2)
    for a, b in zip(one.fits, two.fits, strict=True):
        assert np.array_equal(topic_word_matrix(a.model), topic_word_matrix(b.model))
    assert all(np.array_equal(a, b) for a, b in zip(one.gammas, two.gammas, strict=True))
    assert one.chosen == two.chosen


def test_restarts_are_aligned_to_the_chosen_topic_order():
    bow, dictionary, _ = planted()
    restarts = fit_restarts(bow, dictionary, 3, FAST, restart_seeds(3, 3))
    reference = restarts.aligned_proportions()[restarts.chosen].argmax(axis=1)
    for theta in restarts.aligned_proportions():
        assert np.array_equal(theta.argmax(axis=1), reference)
    np.testing.assert_allclose(restarts.topic_agreement, 1.0, atol=0.05)


def test_rules_choose_the_best_bound_or_the_medoid():
    bounds = np.array([-7.0, -6.5, -6.9])
    similarity = np.array([[1, 0.9, 0.5], [0.9, 1, 0.4], [0.5, 0.4, 1]])
    ari = np.array([[1, 0.8, 0.3], [0.8, 1, 0.2], [0.3, 0.2, 1]])
    assert choose_restart(bounds, similarity, ari, "likelihood") == 1
    # mean agreement: r0 (.85 + .4), r1 (.85 + .3), r2 (.4 + .3)
    assert choose_restart(bounds, similarity, ari, "consensus") == 0


def test_seeds_derive_from_the_run_seed_and_bad_values_are_errors():
    assert restart_seeds(10, 3) == [1010, 2010, 3010]
    with pytest.raises(InputError, match="restarts"):
        restart_seeds(10, 0)
    with pytest.raises(InputError, match="processes"):
        available_processes(-1)
    assert available_processes(0) >= 1


def test_a_summary_of_each_fit_comes_back_instead_of_the_model():
    """`summarise` runs where the model was fitted; the results are the summaries, in job
    order, the same in one process as in two (the caller never holds every model)."""
    bow, dictionary, _ = planted()
    jobs = [FitJob(k, seed) for k in (2, 3) for seed in (1, 2)]

    def summarise(job, fit, gamma):
        return job.num_topics, job.seed, topic_word_matrix(fit.model).shape, gamma.shape

    found = [
        fit_models(bow, dictionary, jobs, FAST, processes, (bow, 5), summarise=summarise)
        for processes in (1, 2)
    ]
    expected = [(k, s, (k, len(dictionary)), (len(bow), k)) for k in (2, 3) for s in (1, 2)]
    assert found[0] == found[1] == expected
