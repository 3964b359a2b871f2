"""Bounded-memory bootstrap sums equal the one-shot B x n draw."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.stats import bootstrap


@pytest.mark.parametrize("n", [501, 64])
def test_batched_sums_equal_one_draw_of_every_replicate(monkeypatch, n):
    rng = np.random.default_rng(3)
    matrix, vector = rng.random((n, 4)), rng.random(n) + 1
    n_boot = 203
    draws = np.random.default_rng(11).integers(0, n, size=(n_boot, n))
    monkeypatch.setattr(bootstrap, "BATCH_BYTES", 8 * n * 6 * 6)  # six rows a batch
    sums = bootstrap.resampled_sums([matrix, vector], n_boot, np.random.default_rng(11))
    assert sums[0].shape == (n_boot, 4) and sums[1].shape == (n_boot,)
    assert np.array_equal(sums[0], matrix[draws].sum(axis=1))
    assert np.array_equal(sums[1], vector[draws].sum(axis=1))


def test_a_resample_sum_matches_a_hand_count():
    values = np.array([1.0, 10.0, 100.0])
    (sums,) = bootstrap.resampled_sums([values], 50, np.random.default_rng(0))
    draws = np.random.default_rng(0).integers(0, 3, size=(50, 3))
    by_hand = [sum(values[i] for i in row) for row in draws]
    assert sums.tolist() == by_hand
