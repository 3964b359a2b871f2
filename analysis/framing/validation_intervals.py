"""Bootstrap intervals for frame validation: units resampled, every statistic recomputed.

Precision, recall and F1 come from the confusion counts tp, fp, fn, and Krippendorff's
alpha from the coincidence matrix; both are sums over units (a unit contributes all its
unit x frame judgements). Resampling units with replacement and adding their
contributions (`analysis.stats.bootstrap.resampled_sums`) gives each replicate's counts,
from which the statistic is computed again; the interval is the percentile interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.bootstrap import resampled_sums

VALUES = (0.0, 1.0)  # nominal present / absent


def unit_coincidences(data: np.ndarray, units: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Per-unit coincidence matrices (units x 2 x 2) of a coders x items 0/1 array whose
    items belong to `units` (Krippendorff 2011, section C: pairable values only)."""
    data = np.asarray(data, dtype=float)
    counts = np.stack([(data == v).sum(axis=0) for v in VALUES], axis=1)  # items x values
    m = counts.sum(axis=1)
    keep = m >= 2
    counts, m, units = counts[keep].astype(float), m[keep], np.asarray(units)[keep]
    per_item = np.einsum("ic,ik->ick", counts / (m - 1)[:, None], counts)
    per_item -= np.einsum("ic,ck->ick", counts / (m - 1)[:, None], np.eye(len(VALUES)))
    labels = sorted(set(units.tolist()))
    position = {u: i for i, u in enumerate(labels)}
    out = np.zeros((len(labels), len(VALUES), len(VALUES)))
    np.add.at(out, [position[u] for u in units], per_item)
    return labels, out


def alpha_from_coincidence(coincidence: np.ndarray) -> np.ndarray:
    """Nominal alpha of one (V x V) or many (... x V x V) coincidence matrices; NaN where
    undefined (a single category)."""
    n_c = coincidence.sum(axis=-1)
    n = n_c.sum(axis=-1)
    off = ~np.eye(coincidence.shape[-1], dtype=bool)
    observed = coincidence[..., off].sum(axis=-1)
    expected = (n_c[..., :, None] * n_c[..., None, :])[..., off].sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1.0 - (n - 1.0) * observed / expected, np.nan)


def alpha_interval(
    data: np.ndarray, units: np.ndarray, n_boot: int, rng: np.random.Generator, level: float
) -> tuple[float, float]:
    """Percentile interval of alpha with units resampled."""
    _, per_unit = unit_coincidences(data, units)
    if len(per_unit) < 2:
        return (np.nan, np.nan)
    (sums,) = resampled_sums([per_unit], n_boot, rng)
    return _percentiles(alpha_from_coincidence(sums), level)


def prf_from_counts(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, ...]:
    """Precision, recall, F1 of confusion counts; F1 = 0 where tp = 0 but something was
    found or expected, NaN where neither."""
    tp, fp, fn = (np.asarray(x, dtype=float) for x in (tp, fp, fn))
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        recall = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        f1 = np.where(tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
    return precision, recall, f1


def prf_intervals(
    merged: pd.DataFrame, n_boot: int, rng: np.random.Generator, level: float
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of precision, recall and F1 over units, from a table with
    segment_id, dictionary (0/1) and present (0/1) per judged item."""
    d, t = merged["dictionary"].to_numpy(int), merged["present"].to_numpy(int)
    cells = pd.DataFrame({"unit": merged["segment_id"].to_numpy(), "tp": d & t,
                          "fp": d & (1 - t), "fn": (1 - d) & t})  # fmt: skip
    per_unit = cells.groupby("unit", sort=True)[["tp", "fp", "fn"]].sum().to_numpy(float)
    if len(per_unit) < 2:
        return {k: (np.nan, np.nan) for k in ("precision", "recall", "f1")}
    (sums,) = resampled_sums([per_unit], n_boot, rng)
    stats = prf_from_counts(sums[:, 0], sums[:, 1], sums[:, 2])
    names = ("precision", "recall", "f1")
    return {name: _percentiles(v, level) for name, v in zip(names, stats, strict=True)}


def _percentiles(values: np.ndarray, level: float) -> tuple[float, float]:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return (np.nan, np.nan)
    tail = (1 - level) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)
