"""Agreement between topic models fitted with different seeds (restarts, sweep seeds).

Two measures, because each misses what the other sees:
- **matched topic–word similarity**: topics of two models are matched one-to-one
  (Hungarian algorithm, `scipy.optimize.linear_sum_assignment`) to maximise the cosine
  similarity of their word distributions; the mean matched similarity is 1 for identical
  topics. When one model merges two topics that the other keeps apart and splits a third,
  most matched pairs can still look alike;
- **adjusted Rand index (ARI) of dominant topics**: do the two models put the same units
  together? A merge or a split moves whole blocks of units and lowers the ARI sharply;
  it is 1 for identical partitions (up to renumbering) and about 0 for chance agreement.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.special import comb


def topic_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise cosine similarity between rows of two topic–word matrices: 1 for identical
    distributions, 0 for topics without a word in common."""
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return np.clip(a @ b.T, 0.0, 1.0)


def topic_matching(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Permutation `p` matching topics one-to-one: topic `j` of `reference` corresponds to
    topic `p[j]` of `other` (so `other[p]` is in the reference's topic order)."""
    sim = topic_similarity(reference, other)
    rows, cols = linear_sum_assignment(sim, maximize=True)
    permutation = np.empty(len(rows), dtype=int)
    permutation[rows] = cols
    return permutation


def matched_similarities(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Similarity of each reference topic to its matched topic of `other` (K values)."""
    permutation = topic_matching(reference, other)
    sim = topic_similarity(reference, other)
    return sim[np.arange(len(permutation)), permutation]


def matched_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Mean similarity of topics of two models after the best one-to-one matching."""
    return float(matched_similarities(a, b).mean())


def topic_stability(matrices: Sequence[np.ndarray]) -> float:
    """Mean best-match similarity over all pairs of models (NaN with a single model)."""
    pairs = list(itertools.combinations(range(len(matrices)), 2))
    if not pairs:
        return float("nan")
    return float(np.mean([matched_similarity(matrices[i], matrices[j]) for i, j in pairs]))


def adjusted_rand_index(a: Sequence[int], b: Sequence[int]) -> float:
    """Adjusted Rand index of two partitions of the same items (Hubert & Arabie 1985):
    1 for identical partitions up to renumbering, about 0 for chance agreement."""
    _, x = np.unique(np.asarray(a), return_inverse=True)
    _, y = np.unique(np.asarray(b), return_inverse=True)
    if len(x) != len(y):
        raise ValueError(f"partitions of {len(x)} and {len(y)} items")
    table = np.zeros((x.max() + 1, y.max() + 1))
    np.add.at(table, (x, y), 1)
    pairs = comb(table, 2).sum()
    rows, cols = comb(table.sum(1), 2).sum(), comb(table.sum(0), 2).sum()
    expected = rows * cols / comb(len(x), 2) if len(x) > 1 else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:  # both partitions trivial (one cluster, or all singletons)
        return 1.0
    return float((pairs - expected) / (maximum - expected))


def mean_pairwise_ari(assignments: Sequence[np.ndarray]) -> float:
    """Mean ARI of dominant-topic assignments over all pairs of models (NaN with one)."""
    pairs = list(itertools.combinations(range(len(assignments)), 2))
    if not pairs:
        return float("nan")
    return float(np.mean([adjusted_rand_index(assignments[i], assignments[j]) for i, j in pairs]))


def agreement_matrices(
    matrices: Sequence[np.ndarray], assignments: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """R x R matched topic–word similarity and R x R ARI of dominant topics between models
    (diagonals 1)."""
    r = len(matrices)
    similarity, ari = np.eye(r), np.eye(r)
    for i, j in itertools.combinations(range(r), 2):
        similarity[i, j] = similarity[j, i] = matched_similarity(matrices[i], matrices[j])
        ari[i, j] = ari[j, i] = adjusted_rand_index(assignments[i], assignments[j])
    return similarity, ari
