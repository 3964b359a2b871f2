"""Tests of analysis.stats.effects on planted group differences with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.core.errors import InputError
from analysis.stats.effects import (
    cluster_robust_ols,
    effect_design,
    estimate_effects,
    group_contrasts,
)


def planted_units(rng: np.random.Generator, n_docs: int = 24, units_per_doc: int = 4):
    """Two groups of documents; group "b" has 0.15 more of topic 0 than "a" on average.
    Units of one document share a document effect (clustering); gamma = 50 * theta."""
    means = {"a": np.array([0.3, 0.4, 0.3]), "b": np.array([0.45, 0.25, 0.3])}
    groups, docs, gammas = [], [], []
    for d in range(n_docs):
        group = "ab"[d % 2]
        doc_theta = rng.dirichlet(means[group] * 20)
        for _ in range(units_per_doc):
            theta = rng.dirichlet(doc_theta * 30)
            groups.append(group)
            docs.append(f"d{d}")
            gammas.append(theta * 50 + 0.01)
    return np.array(groups), np.array(docs), np.array(gammas), means


def test_cluster_robust_ols_matches_a_hand_computation():
    # y = 1, 3 in cluster 0 and 2, 6 in cluster 1; x = intercept only: beta = mean = 3
    x = np.ones((4, 1))
    y = np.array([[1.0], [3.0], [2.0], [6.0]])
    beta, cov = cluster_robust_ols(x, y, np.array([0, 0, 1, 1]))
    assert beta[0, 0] == pytest.approx(3.0)
    # residuals -2, 0 | -1, 3: cluster scores -2 and 2; meat 8; bread 1/4 -> 0.5;
    # factor G/(G-1) * (n-1)/(n-p) = 2 * 3/3 = 2 -> 1.0
    assert cov[0, 0, 0] == pytest.approx(1.0)


def test_one_row_per_cluster_gives_the_covariance_of_the_general_sum():
    """With every cluster a single row (units are documents) the scores are placed, not
    added: the same covariance, bit for bit, as adding them with np.add.at."""
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((50, 3)), rng.standard_normal((50, 2))
    clusters = rng.permutation(50)
    beta, cov = cluster_robust_ols(x, y, clusters)
    residuals = y - x @ beta
    scores = np.zeros((50, 3, 2))
    np.add.at(scores, clusters, x[:, :, None] * residuals[:, None, :])
    bread = np.linalg.pinv(x.T @ x)
    meat = np.einsum("gik,gjk->kij", scores, scores)
    expected = (50 / 49) * (49 / 47) * np.einsum("ij,kjl,lm->kim", bread, meat, bread)
    assert np.array_equal(cov, expected)
    paired = np.arange(50) // 2  # and clusters of two rows still add
    assert not np.allclose(cluster_robust_ols(x, y, paired)[1], cov)


def test_design_has_one_indicator_per_group_and_a_centred_covariate():
    design = effect_design(
        ["x", "y", "x"], ["d1", "d2", "d3"], np.array([2000.0, 2010, 2020]), "year"
    )
    assert design.groups == ("x", "y")
    np.testing.assert_allclose(design.matrix, [[1, 0, -10], [0, 1, 0], [1, 0, 10]])
    with pytest.raises(InputError, match="year"):
        effect_design(["x"], ["d1"], np.array([np.nan]), "year")


def test_contrast_is_group_minus_mean_of_the_others():
    draws = np.array([[[1.0], [2.0], [6.0]]])  # 1 draw, 3 groups, 1 topic
    np.testing.assert_allclose(group_contrasts(draws, 3)[0, :, 0], [-3.0, -1.5, 4.5])


def test_a_planted_group_difference_is_recovered():
    rng = np.random.default_rng(3)
    groups, docs, gammas, means = planted_units(rng, n_docs=60)
    effects = estimate_effects([gammas], effect_design(groups, docs), n_draws=60, seed=1)
    row = effects.query("estimand == 'contrast' and group == 'b' and topic == 0").iloc[0]
    assert row.estimate == pytest.approx(0.15, abs=0.05)
    assert row.ci_low > 0  # the difference is detected
    proportion = effects.query("estimand == 'proportion' and group == 'a'")
    np.testing.assert_allclose(proportion["estimate"], means["a"], atol=0.06)


def test_interval_covers_the_planted_difference_at_about_the_nominal_rate():
    rng = np.random.default_rng(11)
    covered, n_sims = 0, 60
    for sim in range(n_sims):
        groups, docs, gammas, means = planted_units(rng)
        effects = estimate_effects(
            [gammas], effect_design(groups, docs), n_draws=40, seed=sim, level=0.9
        )
        row = effects.query("estimand == 'contrast' and group == 'b' and topic == 0").iloc[0]
        truth = (means["b"][0] - means["a"][0]) / 1.0  # two groups: b minus a
        covered += row.ci_low <= truth <= row.ci_high
    # nominal 90%: 54 of 60 expected; a binomial 99% band for 60 trials is about 47..59
    assert 46 <= covered <= 60


def test_restarts_widen_the_interval():
    rng = np.random.default_rng(5)
    groups, docs, gammas, _ = planted_units(rng)
    design = effect_design(groups, docs)
    shifted = gammas.copy()
    shifted[groups == "b", 0] *= 1.6  # a restart that sees more of topic 0 in group b
    one = estimate_effects([gammas], design, n_draws=80, seed=2)
    two = estimate_effects([gammas, shifted], design, n_draws=80, seed=2)
    query = "estimand == 'contrast' and group == 'b' and topic == 0"
    assert two.query(query).std_error.iloc[0] > one.query(query).std_error.iloc[0]


def test_same_seed_gives_identical_effects():
    rng = np.random.default_rng(2)
    groups, docs, gammas, _ = planted_units(rng)
    design = effect_design(groups, docs)
    a = estimate_effects([gammas], design, n_draws=10, seed=4)
    b = estimate_effects([gammas], design, n_draws=10, seed=4)
    assert a.equals(b)
