"""Tests of analysis.topics.stability: matching, ARI against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.topics.stability import (
    adjusted_rand_index,
    agreement_matrices,
    matched_similarity,
    mean_pairwise_ari,
    topic_matching,
)


def test_ari_matches_a_hand_computation():
    # a = [0,0,0,1,1,1], b = [0,0,1,1,2,2]: contingency [[2,1,0],[0,1,2]]
    # sum C(n_ij,2) = 1+1 = 2; rows C(3,2)*2 = 6; cols 1+1+1 = 3; C(6,2) = 15
    # expected = 6*3/15 = 1.2; max = 4.5; ARI = (2-1.2)/(4.5-1.2) = 0.8/3.3
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(0.8 / 3.3)


def test_ari_is_one_up_to_renumbering_and_low_for_a_merge_and_split():
    truth = np.repeat([0, 1, 2, 3], 25)
    assert adjusted_rand_index(truth, (truth + 2) % 4) == pytest.approx(1.0)
    merged_split = truth.copy()
    merged_split[truth == 1] = 0  # topics 0 and 1 merged
    merged_split[50:63] = 1  # topic 2 split in two
    assert adjusted_rand_index(truth, merged_split) < 0.7


def test_matching_recovers_a_permutation():
    rng = np.random.default_rng(0)
    phi = rng.dirichlet(np.ones(30), size=5)
    permutation = np.array([3, 0, 4, 1, 2])
    match = topic_matching(phi, phi[permutation])
    np.testing.assert_array_equal(phi[permutation][match], phi)
    assert matched_similarity(phi, phi[permutation]) == pytest.approx(1.0)


def test_agreement_matrices_are_symmetric_with_unit_diagonal():
    rng = np.random.default_rng(1)
    phis = [rng.dirichlet(np.ones(20), size=3) for _ in range(3)]
    dominant = [rng.integers(0, 3, 40) for _ in range(3)]
    similarity, ari = agreement_matrices(phis, dominant)
    np.testing.assert_allclose(similarity, similarity.T)
    np.testing.assert_allclose(np.diag(ari), 1.0)
    assert mean_pairwise_ari(dominant) == pytest.approx(ari[np.triu_indices(3, 1)].mean())
