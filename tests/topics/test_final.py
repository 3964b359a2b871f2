"""Tests for analysis.topics.final: above `topics.sweep_max_units` units the restarts are
fitted on the sweep's sample and the chosen seed once more on every unit, streamed; the
result is the same on the partitioned corpus over two worker processes as in memory."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.core.params import load_params
from analysis.topics.final import final_restarts
from analysis.topics.model import fit_topic_model, topic_settings, topic_word_matrix
from analysis.topics.restarts import fit_restarts, restart_seeds
from analysis.topics.selection import sweep_sample
from analysis.topics.stream import corpus_topic_data, document_topics
from tests.topics.test_stream import prepared_twice

SMALL = {
    "topics.restarts": 2,
    "topics.processes": 1,
    "topics.passes": 3,
    "topics.min_updates": 6,
    "topics.iterations": 50,
}


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    """Both preparations of the test corpus, with a sweep sample of 10 of its 24 units."""
    folder = tmp_path_factory.mktemp("final")
    (one, single), (many, split) = prepared_twice(folder, {**SMALL, "topics.sweep_max_units": 10})
    return (one, corpus_topic_data(single, one)), (many, corpus_topic_data(split, many))


def test_restarts_on_the_sample_and_a_final_fit_of_every_unit(sampled):
    (one, data), (many, split) = sampled
    rows = sweep_sample(len(data.bow), 10, one.run.seed)
    assert len(data.bow) == 24 and len(rows) == 10
    found = final_restarts(data, 2, one)
    settings = topic_settings(one.topics)
    seeds = restart_seeds(one.run.seed, 2)
    sample = [data.bow[i] for i in rows]
    on_sample = fit_restarts(
        sample, data.dictionary, 2, settings, seeds, inference_seed=one.run.seed
    )
    assert found.chosen == on_sample.chosen and found.seeds == seeds
    full = fit_topic_model(data.bow, data.dictionary, 2, settings, found.fit.seed)
    assert np.array_equal(topic_word_matrix(found.fit.model), topic_word_matrix(full.model))
    assert all(g.shape == (24, 2) for g in found.gammas)  # every unit, every restart
    other = 1 - found.chosen  # fitted on the sample only, its topics in the final's order
    assert np.array_equal(
        topic_word_matrix(found.fits[other].model),
        topic_word_matrix(on_sample.fits[other].model),
    )
    split_found = final_restarts(split, 2, many)  # partitions on two worker processes
    for a, b in zip(found.gammas, split_found.gammas, strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(
        topic_word_matrix(split_found.fit.model), topic_word_matrix(found.fit.model)
    )
    # the final model's proportions are those inferred afresh, not the sample's
    expected = document_topics(found.fit.model, data, one.run.seed)
    assert np.array_equal(found.proportions, expected)
    assert np.array_equal(split_found.proportions, expected)


def test_a_corpus_within_the_sample_size_keeps_its_restarts(sampled):
    (one, data), _ = sampled
    params = load_params(overrides={**SMALL, "topics.sweep_max_units": 24})
    settings = topic_settings(params.topics)
    seeds = restart_seeds(params.run.seed, 2)
    expected = fit_restarts(
        data.bow, data.dictionary, 2, settings, seeds, inference_seed=params.run.seed
    )
    found = final_restarts(data, 2, params)
    assert found.chosen == expected.chosen
    inferred = document_topics(found.fit.model, data, params.run.seed)
    assert np.array_equal(found.proportions, inferred)
    for a, b in zip(found.gammas, expected.gammas, strict=True):
        assert np.array_equal(a, b)
