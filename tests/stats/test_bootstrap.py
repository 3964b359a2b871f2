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


@pytest.mark.parametrize(
    ("n", "n_boot", "batch_rows"), [(501, 203, 6), (64, 7, 2), (3, 1000, 1000)]
)
def test_rotated_alternatives_equal_picking_from_every_alternatives_sums(
    monkeypatch, n, n_boot, batch_rows
):
    """Replicate b of a list entry sums alternative b mod R: the same numbers (bit for bit)
    as summing every alternative for every replicate and picking afterwards."""
    rng = np.random.default_rng(5)
    restarts = [rng.random((n, 3)) * 10**r for r in range(3)]
    totals = rng.random(n) + 1
    monkeypatch.setattr(bootstrap, "BATCH_BYTES", 8 * n * 5 * batch_rows)
    rotated, den = bootstrap.resampled_sums([restarts, totals], n_boot, np.random.default_rng(2))
    *every, every_den = bootstrap.resampled_sums(
        [*restarts, totals], n_boot, np.random.default_rng(2)
    )
    picked = np.stack(every)[np.arange(n_boot) % 3, np.arange(n_boot)]
    assert rotated.shape == (n_boot, 3)
    assert np.array_equal(rotated, picked) and np.array_equal(den, every_den)
    assert not np.array_equal(rotated, every[0])  # the alternatives do differ
