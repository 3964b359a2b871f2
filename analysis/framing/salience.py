"""Frame salience per group with bootstrap intervals, the group × frame matrix, and which
frames occur together.

Two measures per group and frame, both computed from the unit × frame table of
`analysis.framing.frames.unit_frame_table`:

- ``per_1000``: pooled rate, 1,000 × (hits in the group) / (running words in the group);
- ``share_present``: share of the group's units in which the frame has at least one hit.

Intervals are percentile bootstrap intervals from resampling the group's units with
replacement (units, not words, are the independent draws). Every group gets its own
random stream derived from the seed and the group's name, so adding a group does not
change the others' intervals.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.corpus.validate import require_columns
from analysis.stats.bootstrap import percentile_interval

MEASURES = ("per_1000", "share_present")

SALIENCE_COLUMNS = {
    "group": "comparison group (source)",
    "frame": "frame id",
    "measure": "per_1000 (hits per 1,000 words, pooled) or share_present (share of units)",
    "estimate": "value of the measure in the group",
    "ci_low": "lower bound of the 95% percentile bootstrap interval (units resampled)",
    "ci_high": "upper bound of the 95% percentile bootstrap interval (units resampled)",
    "n_units": "units (segments) in the group",
    "hits": "frame hits in the group",
}
COOCCURRENCE_COLUMNS = {
    "frame_a": "first frame id",
    "frame_b": "second frame id",
    "n_both": "units in which both frames are present",
    "n_a": "units in which frame_a is present",
    "n_b": "units in which frame_b is present",
    "jaccard": "n_both / units with either frame (0 when neither occurs)",
}


def group_rng(seed: int, group: str) -> np.random.Generator:
    """A random generator for one group: seeded by the run seed and the group's name."""
    return np.random.default_rng([int(seed), zlib.crc32(str(group).encode("utf-8"))])


def bootstrap_weights(n_units: int, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    """n_samples × n_units counts: how often each unit is drawn in each bootstrap sample."""
    draws = rng.integers(0, n_units, size=(n_samples, n_units))
    cells = (np.arange(n_samples)[:, np.newaxis] * n_units + draws).ravel()  # sample, unit
    counts = np.bincount(cells, minlength=n_samples * n_units)
    return counts.reshape(n_samples, n_units).astype(np.int32)


def _bootstrap_measures(
    h: np.ndarray, w: np.ndarray, p: np.ndarray, n_samples: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Bootstrap replicates of both measures, drawn in batches to bound memory."""
    batch = max(1, min(n_samples, 2_000_000 // max(len(w), 1)))
    rates, shares = [], []
    for start in range(0, n_samples, batch):
        weights = bootstrap_weights(len(w), min(batch, n_samples - start), rng).astype(float)
        rates.append(1000.0 * (weights @ h) / np.maximum(weights @ w, 1e-12)[:, None])
        shares.append((weights @ p) / len(w))
    return {"per_1000": np.vstack(rates), "share_present": np.vstack(shares)}


def frame_salience(
    unit_frames: pd.DataFrame, n_samples: int = 1000, seed: int = 0, level: float = 0.95
) -> pd.DataFrame:
    """Salience of each frame in each group with bootstrap intervals (SALIENCE_COLUMNS)."""
    require_columns(
        unit_frames, ["segment_id", "group", "frame", "hits", "n_words"], "frame_salience"
    )
    if n_samples < 1:
        raise InputError(f"n_samples = {n_samples}: need at least 1 bootstrap sample")
    frames = list(dict.fromkeys(unit_frames["frame"]))
    rows = []
    for group in sorted(unit_frames["group"].astype(str).unique()):
        part = unit_frames[unit_frames["group"].astype(str) == group]
        hits = part.pivot(index="segment_id", columns="frame", values="hits")[frames]
        words = part.groupby("segment_id", sort=False)["n_words"].first().loc[hits.index]
        h, w, p = hits.to_numpy(float), words.to_numpy(float), (hits.to_numpy() > 0) * 1.0
        boot = _bootstrap_measures(h, w, p, n_samples, group_rng(seed, group))
        point = {"per_1000": 1000.0 * h.sum(0) / max(w.sum(), 1e-12), "share_present": p.mean(0)}
        for measure in MEASURES:
            low, high = percentile_interval(boot[measure], level)
            for j, frame in enumerate(frames):
                rows.append(
                    (
                        group,
                        frame,
                        measure,
                        point[measure][j],
                        low[j],
                        high[j],
                        len(w),
                        h[:, j].sum(),
                    )
                )
    table = pd.DataFrame(rows, columns=list(SALIENCE_COLUMNS))
    return table.astype({"hits": int, "n_units": int})


def source_frame_matrix(salience: pd.DataFrame, measure: str = "per_1000") -> pd.DataFrame:
    """Wide frame × group matrix of one measure (rows in dictionary order, groups sorted)."""
    if measure not in MEASURES:
        raise InputError(f"measure {measure!r}: use one of {list(MEASURES)}")
    part = salience[salience["measure"] == measure]
    frames = list(dict.fromkeys(part["frame"]))
    return part.pivot(index="frame", columns="group", values="estimate").loc[frames]


def frame_cooccurrence(unit_frames: pd.DataFrame) -> pd.DataFrame:
    """For every pair of frames (including a frame with itself), units where both occur."""
    require_columns(unit_frames, ["segment_id", "frame", "present"], "frame_cooccurrence")
    frames = list(dict.fromkeys(unit_frames["frame"]))
    presence = unit_frames.pivot(index="segment_id", columns="frame", values="present")[frames]
    x = presence.to_numpy(dtype=int)
    both = x.T @ x
    counts = x.sum(0)
    rows = []
    for i, a in enumerate(frames):
        for j, b in enumerate(frames):
            either = counts[i] + counts[j] - both[i, j]
            rows.append(
                (a, b, both[i, j], counts[i], counts[j], both[i, j] / either if either else 0.0)
            )
    return pd.DataFrame(rows, columns=list(COOCCURRENCE_COLUMNS)).astype(
        {"n_both": int, "n_a": int, "n_b": int}
    )


# Table schemas: the description and columns each table is saved with.
SALIENCE_SCHEMA = {
    "description": (
        "Frame salience per source: pooled hits per 1,000 words and share of units with the "
        "frame, with 95% bootstrap intervals."
    ),
    "columns": SALIENCE_COLUMNS,
}

COOCCURRENCE_SCHEMA = {
    "description": "Units in which both frames of a pair occur, and their Jaccard overlap.",
    "columns": COOCCURRENCE_COLUMNS,
}
