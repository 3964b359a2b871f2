"""How far apart sources are: Jensen-Shannon divergence between their word distributions.

* JSD between the groups' word distributions, base 2 (0 = same distribution, 1 = no
  shared word). The plug-in JSD of sparse word counts is biased upwards (unseen words look
  like differences), and resampling units with replacement within each group makes that
  bias larger still, so a plain percentile interval can lie wholly above the estimate.
  We therefore report the plug-in value, a bootstrap bias-corrected value
  (2 * jsd - mean of the resamples) and the matching basic bootstrap interval
  (2 * jsd - upper and lower percentiles), clipped to [0, 1]. On the diagonal the interval
  is the range of the JSD between two independent resamples of the same group: the noise
  floor below which no difference between sources can be read.
Document similarity and clustering are in `analysis.sources.similarity`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.core.errors import InputError
from analysis.core.params import Params
from analysis.corpus.counts import TermCounts, segment_term_counts
from analysis.corpus.partition_map import iter_segments_mapped
from analysis.corpus.prepare import PartitionedCorpus
from analysis.sources.unit_counts import (
    UNIT_COUNT_COLUMNS,
    UnitContext,
    group_blocks,
    partition_unit_counts,
)
from analysis.stats.bootstrap import percentile_interval

BOOTSTRAP_BATCH_BYTES = 64 * 2**20  # resampled group sums held at once by the bootstrap

DIVERGENCE_COLUMNS = {
    "group_a": "first group",
    "group_b": "second group",
    "jsd": "plug-in Jensen-Shannon divergence (bits; 0 = identical, 1 = disjoint vocabularies)",
    "jsd_corrected": "bootstrap bias-corrected JSD: 2 * jsd - mean of the resampled JSDs",
    "ci_low": "lower bound: basic bootstrap interval (diagonal: noise-floor percentile)",
    "ci_high": "upper bound: basic bootstrap interval (diagonal: noise-floor percentile)",
    "ci_level": "coverage of the interval",
    "n_units_a": "units (segments or documents) of group_a resampled",
    "n_units_b": "units of group_b resampled",
    "bootstrap_samples": "number of bootstrap resamples",
}


def jensen_shannon(p: np.ndarray, q: np.ndarray) -> float:
    """JSD (base 2) between two count or probability vectors; 0 ln 0 = 0."""
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.sum() <= 0 or q.sum() <= 0:
        raise InputError("jensen_shannon: both distributions need positive mass")
    return float(_pairwise_jsd(np.vstack([p / p.sum()]), np.vstack([q / q.sum()]))[0])


def _entropy_bits(p: np.ndarray) -> np.ndarray:
    """Shannon entropy in bits of each row of a probability matrix (0 log 0 = 0; the
    logarithm is taken of the non-zero cells only)."""
    terms = np.log2(p, out=np.zeros_like(p), where=p > 0)
    terms *= p
    return -terms.sum(axis=-1)


def _pairwise_jsd(p: np.ndarray, q: np.ndarray, p_entropy: np.ndarray | None = None) -> np.ndarray:
    """JSD of matching rows of two probability matrices, clipped to [0, 1]."""
    p_entropy = _entropy_bits(p) if p_entropy is None else p_entropy
    value = _entropy_bits((p + q) / 2) - (p_entropy + _entropy_bits(q)) / 2
    return np.clip(value, 0.0, 1.0)


def _jsd_from(rows: np.ndarray, entropy: np.ndarray, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """JSD of row pairs (ia[k], ib[k]) of one probability matrix whose row entropies are known."""
    value = _entropy_bits((rows[ia] + rows[ib]) / 2) - (entropy[ia] + entropy[ib]) / 2
    return np.clip(value, 0.0, 1.0)


def _row_distributions(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def group_divergence(
    unit_counts: TermCounts,
    unit_groups: Mapping[str, str],
    bootstrap_samples: int = 500,
    seed: int = 0,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Pairwise JSD between groups, with bootstrap intervals over units within groups.

    ``unit_counts`` has one row per unit (segment or document); ``unit_groups`` maps each
    unit label to its group. Returns every ordered pair, the diagonal included.
    """
    members = _group_members(unit_counts, unit_groups)
    # each group's rows, integer counts (one copy of the matrix in all; sums stay exact)
    blocks = {group: unit_counts.matrix[rows, :] for group, rows in members.items()}
    return block_divergence(blocks, bootstrap_samples, seed, ci_level)


def block_divergence(
    blocks: Mapping[str, sparse.csr_array],
    bootstrap_samples: int = 500,
    seed: int = 0,
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """`group_divergence` from each group's unit rows (integer counts over one vocabulary,
    rows in label order): the table of every ordered pair of groups."""
    if not 0 < ci_level < 1:
        raise InputError(f"ci_level must be between 0 and 1, got {ci_level}")
    if bootstrap_samples < 0:
        raise InputError(f"sources.bootstrap_samples must be >= 0, got {bootstrap_samples}")
    if len(blocks) < 2:
        raise InputError("group_divergence needs at least two groups")
    groups = sorted(blocks)
    matrices = [_exact_floats(blocks[group]) for group in groups]
    point = _row_distributions(
        np.vstack([np.asarray(block.sum(axis=0)).ravel() for block in matrices]).astype(float)
    )
    g = len(groups)
    ia, ib = np.triu_indices(g, k=1)
    estimate = np.zeros((g, g))
    estimate[ia, ib] = estimate[ib, ia] = _pairwise_jsd(point[ia], point[ib])

    replicates = _replicates(matrices, bootstrap_samples, np.random.default_rng(seed))
    corrected = np.full((g, g), np.nan)
    low = high = np.full((g, g), np.nan)
    if bootstrap_samples:
        lower_q, upper_q = percentile_interval(replicates, ci_level)
        corrected = np.clip(2 * estimate - replicates.mean(axis=0), 0.0, 1.0)
        low = np.clip(2 * estimate - upper_q, 0.0, 1.0)
        high = np.clip(2 * estimate - lower_q, 0.0, 1.0)
        diagonal = np.arange(g)
        corrected[diagonal, diagonal] = 0.0
        low[diagonal, diagonal] = lower_q[diagonal, diagonal]
        high[diagonal, diagonal] = upper_q[diagonal, diagonal]
    sizes = [block.shape[0] for block in matrices]
    rows = [
        {
            "group_a": groups[i],
            "group_b": groups[j],
            "jsd": estimate[i, j],
            "jsd_corrected": corrected[i, j],
            "ci_low": low[i, j],
            "ci_high": high[i, j],
            "ci_level": ci_level,
            "n_units_a": sizes[i],
            "n_units_b": sizes[j],
            "bootstrap_samples": bootstrap_samples,
        }
        for i in range(g)
        for j in range(g)
    ]
    return pd.DataFrame(rows, columns=list(DIVERGENCE_COLUMNS))


def _group_members(counts: TermCounts, unit_groups: Mapping[str, str]) -> dict[str, np.ndarray]:
    missing = [label for label in counts.labels if label not in unit_groups]
    if missing:
        raise KeyError(f"group_divergence: no group for units {missing[:5]} (and maybe more)")
    members: dict[str, list[int]] = {}
    for row, label in enumerate(counts.labels):
        members.setdefault(str(unit_groups[label]), []).append(row)
    return {g: np.asarray(rows) for g, rows in members.items()}


def _replicates(
    blocks: list[sparse.csr_array], samples: int, rng: np.random.Generator
) -> np.ndarray:
    """JSD of every pair of groups in each of `samples` resamples (samples x g x g), from
    each group's unit rows (`blocks`); the diagonal: JSD between two independent resamples
    of the same group.

    Each resample draws every group's units with replacement (multinomial weights, two
    draws per replicate in a fixed order), and a batch of replicates is summed in one
    weights x counts product per group. Weights and counts are integers, so the sums are
    exact and the result does not depend on the batch size.
    """
    g = len(blocks)
    ia, ib = np.triu_indices(g, k=1)
    replicates = np.empty((samples, g, g))
    batch = max(1, BOOTSTRAP_BATCH_BYTES // (2 * 8 * g * max(1, blocks[0].shape[1])))
    for start in range(0, samples, batch):
        size = min(batch, samples - start)
        sums = _resampled_sums(blocks, size, rng)
        for k in range(size):
            first, second = _row_distributions(sums[2 * k]), _row_distributions(sums[2 * k + 1])
            entropy = _entropy_bits(first)  # each group's entropy once, not once per pair
            b = start + k
            replicates[b, ia, ib] = replicates[b, ib, ia] = _jsd_from(first, entropy, ia, ib)
            replicates[b, np.arange(g), np.arange(g)] = _pairwise_jsd(first, second, entropy)
    return replicates


def _resampled_sums(
    blocks: list[sparse.csr_array], replicates: int, rng: np.random.Generator
) -> np.ndarray:
    """Term sums of each group after resampling its units, two draws per replicate
    (first, second): shape (2 * replicates, groups, terms)."""
    sizes = [block.shape[0] for block in blocks]
    weights = [np.empty((2 * replicates, n), dtype=np.int64) for n in sizes]
    uniform = [np.full(n, 1 / n) for n in sizes]
    for draw in range(2 * replicates):
        for weight, n, p in zip(weights, sizes, uniform, strict=True):
            weight[draw] = rng.multinomial(n, p)
    sums = np.empty((2 * replicates, len(blocks), blocks[0].shape[1]))
    for index, (block, weight) in enumerate(zip(blocks, weights, strict=True)):
        sums[:, index, :] = (block.T @ weight.T).T  # block.T: a view, not a copy
    return sums


def _exact_floats(block: sparse.csr_array) -> sparse.csr_array:
    """Integer counts as float64, for the weights x counts products: every product and sum
    is an integer below 2**53, so exact (the same numbers as in int64), and faster."""
    if block.dtype == np.float64:
        return block
    if block.size and int(block.data.max()) * block.shape[0] >= 2**53:
        return block  # pragma: no cover - counts beyond exact float sums stay integers
    return block.astype(np.float64)


def divergence_matrix(table: pd.DataFrame, column: str = "jsd") -> pd.DataFrame:
    """Square group x group view of one column of the `group_divergence` table."""
    return table.pivot(index="group_a", columns="group_b", values=column)


def source_divergence(segments: pd.DataFrame, params: Params | None = None) -> pd.DataFrame:
    """Group JSD table from PreparedCorpus segments, resampling segments within groups.

    Bootstrap size and confidence level from ``params.sources``, seed from ``params.run``.
    """
    params = params or Params()
    counts = segment_term_counts(segments, by="segment_id")
    ids, groups = segments["segment_id"].astype(str), segments["group"].astype(str)
    return _divergence(counts, dict(zip(ids, groups, strict=True)), params)


def corpus_divergence(corpus: PartitionedCorpus, params: Params) -> pd.DataFrame:
    """`source_divergence` of the whole corpus: segment term counts per partition on the
    scheduler (`analysis.sources.unit_counts`), split into each group's rows as they
    arrive, then the bootstrap over those rows."""
    parts = iter_segments_mapped(
        corpus, partition_unit_counts, UnitContext("segment_id"), params,
        UNIT_COUNT_COLUMNS, "divergence counts",
    )  # fmt: skip
    blocks = group_blocks(parts)
    # as floats, one group at a time (its integer rows dropped as it is converted)
    blocks = {group: _exact_floats(blocks.pop(group).matrix) for group in sorted(blocks)}
    return block_divergence(blocks, *_bootstrap_settings(params))


def _divergence(counts: TermCounts, groups: Mapping[str, str], params: Params) -> pd.DataFrame:
    return group_divergence(counts, groups, *_bootstrap_settings(params))


def _bootstrap_settings(params: Params) -> tuple[int, int, float]:
    """(bootstrap samples, seed, confidence level) of `params`."""
    return params.sources.bootstrap_samples, params.run.seed, params.sources.ci_level


# Table schemas: the description and columns each table is saved with.
DIVERGENCE_SCHEMA = {
    "description": (
        "One row per ordered pair of groups: plug-in and bias-corrected Jensen-Shannon "
        "divergence (bits) of their word distributions, with bootstrap interval; diagonal "
        "rows give the noise floor."
    ),
    "columns": DIVERGENCE_COLUMNS,
}
