"""Tests of analysis.topics.labels: FREX and exclusivity against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.core.errors import InputError
from analysis.topics.labels import frex_scores, frex_table, model_exclusivity, word_exclusivity

# 2 topics x 4 words
PHI = np.array([[0.4, 0.3, 0.2, 0.1], [0.1, 0.1, 0.4, 0.4]])


def test_frex_matches_a_hand_computation():
    # topic 0: frequency ranks 4,3,2,1 -> ECDF 1, .75, .5, .25
    # exclusivity .8, .75, 1/3, .2 -> ranks 4,3,2,1 -> ECDF 1, .75, .5, .25
    # FREX = 1 / (.5/f + .5/e) = f when f == e
    np.testing.assert_allclose(frex_scores(PHI)[0], [1.0, 0.75, 0.5, 0.25])
    # topic 1: frequency ranks 1.5,1.5,3.5,3.5 -> .375,.375,.875,.875;
    # exclusivity .2, .25, 2/3, .8 -> .25, .5, .75, 1
    f = np.array([0.375, 0.375, 0.875, 0.875])
    e = np.array([0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(frex_scores(PHI)[1], 1 / (0.5 / f + 0.5 / e))


def test_frex_prefers_frequent_and_exclusive_words():
    table = frex_table(PHI, ["a", "b", "c", "d"], top_n=2)
    assert table.query("topic == 1")["term"].tolist() == ["d", "c"]
    with pytest.raises(InputError, match="frex_weight"):
        frex_scores(PHI, weight=1.0)


def test_exclusivity_of_shared_and_disjoint_topics():
    np.testing.assert_allclose(word_exclusivity(PHI).sum(axis=0), 1.0)
    assert model_exclusivity(np.tile(PHI[:1], (3, 1)), 2) == pytest.approx(1 / 3)
    disjoint = np.array([[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]])
    assert model_exclusivity(disjoint, 2) == pytest.approx(1.0)
