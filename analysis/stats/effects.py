"""Regression of topic proportions on covariates with the topic model's own uncertainty.

In the spirit of stm's `estimateEffect` (Roberts, Stewart & Tingley 2019), by the method of
composition: for each of `n_draws` draws,
1. take a restart (draw m uses restart m mod R) and draw every unit's topic proportions
   from its posterior, a Dirichlet with the unit's variational parameters gamma;
2. regress the drawn proportions of every topic on the design by least squares, with a
   cluster-robust covariance (CR1, clusters = documents: the segments of one document are
   not independent);
3. draw the coefficients from a normal with that estimate and covariance.
The pooled draws carry three sources of uncertainty: sampling of documents, the
posterior of the topic proportions, and the differences between restarts. Estimates are
the means of the draws, intervals their percentiles at the requested level.

The design is a cell-means model: one indicator per group (no intercept) and, optionally,
a centred numeric covariate (the year): the coefficient of a group is its expected topic
proportion (at the mean year). A group's contrast is its coefficient minus the mean of
the other groups' coefficients.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.stats.bootstrap import percentile_interval


@dataclass(frozen=True)
class EffectDesign:
    """Design matrix of a cell-means regression and the clusters of its rows."""

    matrix: np.ndarray  # n x p
    groups: tuple[str, ...]  # the first len(groups) columns are their indicators
    covariate: str  # name of the numeric covariate column ("" when none)
    clusters: np.ndarray  # n cluster codes 0..C-1


def effect_design(
    groups: Sequence[str],
    clusters: Sequence[str],
    covariate: np.ndarray | None = None,
    covariate_name: str = "",
) -> EffectDesign:
    """One indicator column per group (sorted order of first appearance kept by the caller
    through `groups`' values), plus the centred `covariate` when given."""
    labels = np.asarray([str(g) for g in groups])
    names = tuple(dict.fromkeys(labels))
    matrix = (labels[:, None] == np.asarray(names)[None, :]).astype(float)
    if covariate is not None:
        values = np.asarray(covariate, dtype=float)
        if np.isnan(values).any():
            raise InputError(f"{covariate_name or 'the covariate'} is missing for some units")
        matrix = np.hstack([matrix, (values - values.mean())[:, None]])
    _, codes = np.unique(np.asarray([str(c) for c in clusters]), return_inverse=True)
    return EffectDesign(matrix, names, covariate_name if covariate is not None else "", codes)


def cluster_robust_ols(
    x: np.ndarray, y: np.ndarray, clusters: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Least squares of every column of `y` (n x K) on `x` (n x p): coefficients (p x K) and
    their CR1 cluster-robust covariances (K x p x p), small-sample factor
    G/(G-1) * (n-1)/(n-p)."""
    n, p = x.shape
    bread = np.linalg.pinv(x.T @ x)
    beta = bread @ x.T @ y
    residuals = y - x @ beta
    n_clusters = int(clusters.max()) + 1
    contributions = x[:, :, None] * residuals[:, None, :]
    if n_clusters == n:  # one row per cluster: placing the rows is adding them to zeros
        scores = np.empty_like(contributions)
        scores[clusters] = contributions
    else:
        scores = np.zeros((n_clusters, p, y.shape[1]))
        np.add.at(scores, clusters, contributions)
    meat = np.einsum("gik,gjk->kij", scores, scores)
    factor = (n_clusters / max(1, n_clusters - 1)) * ((n - 1) / max(1, n - p))
    covariance = factor * np.einsum("ij,kjl,lm->kim", bread, meat, bread)
    return beta, covariance


def composition_draws(
    gammas: Sequence[np.ndarray], design: EffectDesign, n_draws: int, rng: np.random.Generator
) -> np.ndarray:
    """n_draws x p x K coefficient draws by the method of composition (module docstring)."""
    if n_draws < 1:
        raise InputError(f"effect draws = {n_draws}: need at least 1")
    x = design.matrix
    draws = np.empty((n_draws, x.shape[1], gammas[0].shape[1]))
    for m in range(n_draws):
        gamma = gammas[m % len(gammas)]
        theta = rng.standard_gamma(gamma)
        theta /= theta.sum(axis=1, keepdims=True)
        beta, covariance = cluster_robust_ols(x, theta, design.clusters)
        for k in range(beta.shape[1]):
            draws[m, :, k] = rng.multivariate_normal(
                beta[:, k], covariance[k], method="eigh", check_valid="ignore"
            )
    return draws


def group_contrasts(draws: np.ndarray, n_groups: int) -> np.ndarray:
    """Per draw, each group's coefficient minus the mean of the other groups' (D x G x K)."""
    cells = draws[:, :n_groups, :]
    if n_groups < 2:
        return np.full_like(cells, np.nan)
    others = (cells.sum(axis=1, keepdims=True) - cells) / (n_groups - 1)
    return cells - others


def summarise_draws(values: np.ndarray, level: float) -> tuple[np.ndarray, ...]:
    """Mean, SD and the central `level` percentile interval over the first axis."""
    low, high = percentile_interval(values, level)
    return values.mean(axis=0), values.std(axis=0, ddof=1), low, high


def estimate_effects(
    gammas: Sequence[np.ndarray],
    design: EffectDesign,
    n_draws: int,
    seed: int,
    level: float = 0.95,
) -> pd.DataFrame:
    """Tidy effects: one row per (topic, group, estimand) with estimand "proportion" (the
    group's expected topic proportion) or "contrast" (minus the other groups' mean), and
    for a covariate one row per topic with estimand "slope". Columns: topic, group,
    estimand, estimate, std_error, ci_low, ci_high, n_clusters."""
    if len({g.shape for g in gammas}) != 1 or gammas[0].shape[0] != len(design.matrix):
        raise InputError("every restart must give topic proportions for the same units")
    draws = composition_draws(gammas, design, n_draws, np.random.default_rng(seed))
    n_groups = len(design.groups)
    parts = {
        "proportion": draws[:, :n_groups, :],
        "contrast": group_contrasts(draws, n_groups),
    }
    clusters_of = {
        g: len(np.unique(design.clusters[design.matrix[:, i] > 0]))
        for i, g in enumerate(design.groups)
    }
    rows = []
    for estimand, values in parts.items():
        if np.isnan(values).all():
            continue
        mean, sd, low, high = summarise_draws(values, level)
        for i, group in enumerate(design.groups):
            for k in range(values.shape[2]):
                rows.append(
                    (
                        k,
                        group,
                        estimand,
                        mean[i, k],
                        sd[i, k],
                        low[i, k],
                        high[i, k],
                        clusters_of[group],
                    )
                )
    if design.covariate:
        mean, sd, low, high = summarise_draws(draws[:, n_groups, :], level)
        n_all = int(design.clusters.max()) + 1
        for k in range(draws.shape[2]):
            rows.append((k, "", "slope", mean[k], sd[k], low[k], high[k], n_all))
    columns = [
        "topic",
        "group",
        "estimand",
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "n_clusters",
    ]
    return pd.DataFrame(rows, columns=columns)
