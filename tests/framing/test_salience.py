"""Salience against hand computation; bootstrap seeded and bounded; co-occurrence counts."""

import numpy as np
import pandas as pd
import pytest

from analysis.framing.salience import (
    bootstrap_weights,
    frame_cooccurrence,
    frame_salience,
    source_frame_matrix,
)


def unit_frames():
    rows = []
    plan = {  # unit: (group, words, hits of f1, hits of f2)
        "u1": ("A", 100, 2, 0),
        "u2": ("A", 300, 0, 1),
        "u3": ("B", 50, 1, 1),
        "u4": ("B", 50, 0, 0),
    }
    for unit, (group, words, h1, h2) in plan.items():
        for frame, hits in (("f1", h1), ("f2", h2)):
            rows.append((unit, group, frame, hits, words, int(hits > 0)))
    return pd.DataFrame(
        rows, columns=["segment_id", "group", "frame", "hits", "n_words", "present"]
    )


def test_point_estimates_match_hand_computation():
    sal = frame_salience(unit_frames(), n_samples=200, seed=1).set_index(
        ["group", "frame", "measure"]
    )
    assert sal.loc[("A", "f1", "per_1000"), "estimate"] == pytest.approx(1000 * 2 / 400)
    assert sal.loc[("B", "f2", "per_1000"), "estimate"] == pytest.approx(1000 * 1 / 100)
    assert sal.loc[("A", "f2", "share_present"), "estimate"] == pytest.approx(0.5)
    assert (sal["ci_low"] <= sal["estimate"] + 1e-12).all()
    assert (sal["estimate"] <= sal["ci_high"] + 1e-12).all()


def many_units():
    rng = np.random.default_rng(0)
    n = 60
    return pd.DataFrame(
        {
            "segment_id": np.repeat([f"u{i}" for i in range(n)], 1),
            "group": ["A"] * 30 + ["B"] * 30,
            "frame": "f1",
            "hits": rng.poisson(1.0, n),
            "n_words": rng.integers(50, 150, n),
        }
    ).assign(present=lambda d: (d["hits"] > 0).astype(int))


def test_bootstrap_is_seeded_and_group_independent():
    a = frame_salience(many_units(), 300, seed=7)
    b = frame_salience(many_units(), 300, seed=7)
    c = frame_salience(many_units(), 300, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])  # the seed reaches the resampling
    only_a = frame_salience(many_units().query("group == 'A'"), 300, seed=7)
    pd.testing.assert_frame_equal(only_a, a[a["group"] == "A"].reset_index(drop=True))


def test_bootstrap_weights_draw_n_units_each_time():
    weights = bootstrap_weights(5, 50, np.random.default_rng(0))
    assert weights.shape == (50, 5) and (weights.sum(axis=1) == 5).all()
    draws = np.random.default_rng(0).integers(0, 5, size=(50, 5))  # the same draws, counted
    expected = [[list(row).count(unit) for unit in range(5)] for row in draws]
    assert weights.tolist() == expected


def test_matrix_and_cooccurrence():
    sal = frame_salience(unit_frames(), 50, seed=1)
    matrix = source_frame_matrix(sal, "share_present")
    assert matrix.loc["f1", "B"] == pytest.approx(0.5)
    co = frame_cooccurrence(unit_frames()).set_index(["frame_a", "frame_b"])
    assert co.loc[("f1", "f2"), "n_both"] == 1  # only u3 has both
    assert co.loc[("f1", "f2"), "jaccard"] == pytest.approx(1 / 3)  # u1, u2, u3 have either
    assert co.loc[("f1", "f1"), "n_both"] == 2
