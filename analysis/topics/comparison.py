"""Comparing sources by their topics, with honest uncertainty.

Prevalence of a topic in a group is the share of the group's modelled tokens assigned to
it: the token-weighted mean of its units' topic proportions. Its 95% interval is a
percentile bootstrap that resamples *documents* within the group (a cluster bootstrap:
paragraphs of one article are not independent). With a single document there is nothing
to resample: the document-level interval is not estimable, is left empty and flagged, and
a unit-level interval (resampling the group's units, ignoring that they come from one
document, so too narrow) is given beside it for orientation only.

The bootstrap replicates can be spread over the restarts of the model (replicate b uses
restart b mod R), so that the intervals also carry the topic model's own uncertainty.

Also here: the difference of each group against the rest, the Jensen–Shannon intertopic
map (classical scaling), and prevalence over time when dates span enough periods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon

from analysis.core.errors import InputError
from analysis.core.figure_style import ordered_groups
from analysis.stats.bootstrap import percentile_interval, resampled_sums

MIN_TIME_PERIODS = 3
MIN_DATED_DOCUMENTS = 6


@dataclass(frozen=True)
class TimePrevalence:
    """Prevalence per period, or the reason it is not shown."""

    table: pd.DataFrame  # period, topic, prevalence, n_documents, n_units
    period_unit: str  # "year" or "decade" ("" when not drawable)
    drawable: bool
    reason: str


def _check_inputs(doc_topic: np.ndarray, units: pd.DataFrame) -> None:
    if doc_topic.ndim != 2 or len(units) != doc_topic.shape[0]:
        raise InputError(
            f"{len(units)} units but topic proportions of shape {doc_topic.shape}: they must "
            "describe the same units in the same order"
        )
    missing = {"doc_id", "group", "n_tokens"} - set(units.columns)
    if missing:
        raise InputError(f"units table lacks column(s) {sorted(missing)}")


def _cluster_sums(
    doc_topic: np.ndarray, weights: np.ndarray, clusters: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per cluster: token-weighted topic sums (C x K) and token totals (C), clusters sorted."""
    _, index = np.unique(clusters, return_inverse=True)
    numerators = np.zeros((index.max() + 1, doc_topic.shape[1]))
    np.add.at(numerators, index, doc_topic * weights[:, np.newaxis])
    totals = np.bincount(index, weights=weights)
    return numerators, totals


def _bootstrap_sums(
    numerators: Sequence[np.ndarray], totals: np.ndarray, n_boot: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """B x K resampled topic sums and B resampled token totals from resampling clusters
    with replacement; with several restarts' numerators, replicate b takes restart b mod R
    (the same cluster resamples for all), so the interval carries the restarts' spread."""
    num, den = resampled_sums([list(numerators), totals], n_boot, rng)
    return num, den


def _bootstrap_prevalence(
    numerators: Sequence[np.ndarray], totals: np.ndarray, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """B x K prevalence from resampling clusters with replacement (see `_bootstrap_sums`)."""
    num, den = _bootstrap_sums(numerators, totals, n_boot, rng)
    return num / np.where(den > 0, den, 1.0)[:, np.newaxis]


def weighted_prevalence(doc_topic: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Token-weighted mean topic proportions (K)."""
    total = weights.sum()
    if total <= 0:
        raise InputError("no tokens to weight the topic proportions by")
    return (doc_topic * weights[:, np.newaxis]).sum(axis=0) / total


def overall_prevalence(doc_topic: np.ndarray, units: pd.DataFrame) -> np.ndarray:
    """Token-weighted prevalence of each topic over all units (K)."""
    _check_inputs(doc_topic, units)
    return weighted_prevalence(doc_topic, units["n_tokens"].to_numpy(dtype=float))


def topic_prevalence(
    doc_topic: np.ndarray,
    units: pd.DataFrame,
    n_boot: int,
    seed: int,
    level: float = 0.95,
    restarts: Sequence[np.ndarray] = (),
) -> pd.DataFrame:
    """Prevalence of every topic in every group with bootstrap intervals. `restarts`: the
    topic proportions of every restart in `doc_topic`'s topic order; the replicates are
    spread over them, so the intervals include the differences between restarts.

    Columns: group, topic, prevalence, ci_low, ci_high (documents resampled; NaN with one
    document), unit_ci_low, unit_ci_high (units resampled), n_documents, n_units,
    interval ("documents" or "not estimable: 1 document").
    """
    _check_inputs(doc_topic, units)
    if n_boot < 100:
        raise InputError(f"bootstrap_samples = {n_boot}: use at least 100 (1000 recommended)")
    rng = np.random.default_rng(seed)
    weights = units["n_tokens"].to_numpy(dtype=float)
    rows = []
    for group in ordered_groups(units["group"]):
        mask = (units["group"].astype(str) == group).to_numpy()
        theta, w = doc_topic[mask], weights[mask]
        point = weighted_prevalence(theta, w)
        docs = units.loc[mask, "doc_id"].astype(str).to_numpy()
        n_docs = len(np.unique(docs))
        thetas = [r[mask] for r in restarts] or [theta]
        sums = [_cluster_sums(t, w, docs) for t in thetas]
        doc_boot = _bootstrap_prevalence([n for n, _ in sums], sums[0][1], n_boot, rng)
        unit_sums = [_cluster_sums(t, w, np.arange(mask.sum())) for t in thetas]
        unit_boot = _bootstrap_prevalence([n for n, _ in unit_sums], unit_sums[0][1], n_boot, rng)
        low, high = percentile_interval(doc_boot, level)
        unit_low, unit_high = percentile_interval(unit_boot, level)
        if n_docs < 2:
            low = high = np.full(len(point), np.nan)
        for topic, value in enumerate(point):
            rows.append(
                {
                    "group": group,
                    "topic": topic,
                    "prevalence": value,
                    "ci_low": low[topic],
                    "ci_high": high[topic],
                    "unit_ci_low": unit_low[topic],
                    "unit_ci_high": unit_high[topic],
                    "n_documents": n_docs,
                    "n_units": int(mask.sum()),
                    "interval": "documents" if n_docs >= 2 else "not estimable: 1 document",
                }
            )
    return pd.DataFrame(rows)


def prevalence_difference(
    doc_topic: np.ndarray,
    units: pd.DataFrame,
    n_boot: int,
    seed: int,
    level: float = 0.95,
    restarts: Sequence[np.ndarray] = (),
) -> pd.DataFrame:
    """Each group against all other groups pooled: prevalence(group) - prevalence(rest).

    Documents are resampled within every group separately (a stratified cluster bootstrap);
    with `restarts`, replicate b uses restart b mod R (as in `topic_prevalence`).
    Columns: group, topic, difference, ci_low, ci_high, excludes_zero, n_documents,
    interval. The interval is NaN (not estimable) when the group has a single document.
    """
    _check_inputs(doc_topic, units)
    rng = np.random.default_rng(seed)
    weights = units["n_tokens"].to_numpy(dtype=float)
    groups = ordered_groups(units["group"])
    if len(groups) < 2:
        raise InputError("a difference against the rest needs at least two groups")
    sums, boots, n_docs = {}, {}, {}
    for group in groups:
        mask = (units["group"].astype(str) == group).to_numpy()
        docs = units.loc[mask, "doc_id"].astype(str).to_numpy()
        num, den = _cluster_sums(doc_topic[mask], weights[mask], docs)
        sums[group] = (num.sum(axis=0), den.sum())
        n_docs[group] = len(den)
        nums = [_cluster_sums(r[mask], weights[mask], docs)[0] for r in restarts] or [num]
        boots[group] = _bootstrap_sums(nums, den, n_boot, rng)
    rows = []
    for group in groups:
        others = [g for g in groups if g != group]
        rest_num = sum(sums[g][0] for g in others)
        rest_den = sum(sums[g][1] for g in others)
        point = sums[group][0] / sums[group][1] - rest_num / rest_den
        boot_rest = sum(boots[g][0] for g in others) / sum(boots[g][1] for g in others)[:, None]
        boot = boots[group][0] / boots[group][1][:, None] - boot_rest
        low, high = percentile_interval(boot, level)
        if n_docs[group] < 2:
            low = high = np.full(len(point), np.nan)
        for topic, value in enumerate(point):
            rows.append(
                {
                    "group": group,
                    "topic": topic,
                    "difference": value,
                    "ci_low": low[topic],
                    "ci_high": high[topic],
                    "excludes_zero": bool(low[topic] > 0 or high[topic] < 0),
                    "n_documents": n_docs[group],
                    "interval": "documents" if n_docs[group] >= 2 else "not estimable: 1 document",
                }
            )
    return pd.DataFrame(rows)


def intertopic_distances(topic_word: np.ndarray) -> np.ndarray:
    """K x K Jensen–Shannon distances (base 2, in [0, 1]) between topic–word rows."""
    k = topic_word.shape[0]
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            out[i, j] = out[j, i] = jensenshannon(topic_word[i], topic_word[j], base=2)
    return out


def classical_scaling(distances: np.ndarray, n_components: int = 2) -> np.ndarray:
    """Classical (Torgerson) multidimensional scaling; each axis's sign is fixed so that its
    largest absolute coordinate is positive (a deterministic orientation)."""
    n = distances.shape[0]
    centring = np.eye(n) - np.ones((n, n)) / n
    b = -0.5 * centring @ (distances**2) @ centring
    values, vectors = np.linalg.eigh(b)
    order = np.argsort(values)[::-1][:n_components]
    coords = vectors[:, order] * np.sqrt(np.clip(values[order], 0.0, None))
    if coords.shape[1] < n_components:
        coords = np.hstack([coords, np.zeros((n, n_components - coords.shape[1]))])
    for axis in range(n_components):
        if coords[np.argmax(np.abs(coords[:, axis])), axis] < 0:
            coords[:, axis] = -coords[:, axis]
    return coords


def intertopic_map(topic_word: np.ndarray, prevalence: np.ndarray) -> pd.DataFrame:
    """Topic positions (classical scaling of JS distances) and overall prevalence:
    topic, x, y, prevalence."""
    coords = classical_scaling(intertopic_distances(topic_word))
    return pd.DataFrame(
        {
            "topic": np.arange(topic_word.shape[0]),
            "x": coords[:, 0],
            "y": coords[:, 1],
            "prevalence": prevalence,
        }
    )


def unit_years(dates: pd.Series) -> pd.Series:
    """Year of ISO-like dates ("2017", "2017-01", "2017-01-15"); NaN when missing."""
    text = dates.fillna("").astype(str).str.strip()
    return pd.to_numeric(text.str.extract(r"^(\d{4})", expand=False), errors="coerce")


def prevalence_over_time(
    doc_topic: np.ndarray,
    units: pd.DataFrame,
    min_periods: int = MIN_TIME_PERIODS,
    min_documents: int = MIN_DATED_DOCUMENTS,
) -> TimePrevalence:
    """Token-weighted prevalence per year (per decade when dates span more than 20 years),
    only when at least `min_documents` dated documents fall into `min_periods` periods."""
    _check_inputs(doc_topic, units)
    if "date" not in units.columns:
        return TimePrevalence(pd.DataFrame(), "", False, "The corpus has no dates.")
    years = unit_years(units["date"])
    dated = years.notna().to_numpy()
    n_dated_docs = units.loc[dated, "doc_id"].nunique()
    span = float(years.max() - years.min()) if dated.any() else 0.0
    unit_name = "decade" if span > 20 else "year"
    periods = (years // 10 * 10) if unit_name == "decade" else years
    n_periods = periods[dated].nunique()
    if n_dated_docs < min_documents or n_periods < min_periods:
        return TimePrevalence(
            pd.DataFrame(),
            "",
            False,
            f"Prevalence over time is not shown: {n_dated_docs} dated document(s) in "
            f"{n_periods} {unit_name}(s); it needs at least {min_documents} dated documents "
            f"in {min_periods} periods.",
        )
    weights = units["n_tokens"].to_numpy(dtype=float)
    rows = []
    for period in sorted(periods[dated].unique()):
        mask = (periods == period).to_numpy()
        point = weighted_prevalence(doc_topic[mask], weights[mask])
        for topic, value in enumerate(point):
            rows.append(
                {
                    "period": int(period),
                    "topic": topic,
                    "prevalence": value,
                    "n_documents": units.loc[mask, "doc_id"].nunique(),
                    "n_units": int(mask.sum()),
                }
            )
    reason = f"{n_dated_docs} dated documents in {n_periods} {unit_name}s" + (
        f"; {int((~dated).sum())} units without a date are left out." if (~dated).any() else "."
    )
    return TimePrevalence(pd.DataFrame(rows), unit_name, True, reason)


def thin_data_note(units: pd.DataFrame, stability: float, stability_threshold: float) -> str:
    """Markdown naming the facts that limit what the topics can show: units, documents per
    group, stability, and groups whose intervals cannot be estimated."""
    per_group = units.groupby("group", sort=True).agg(
        documents=("doc_id", "nunique"), units=("doc_id", "size")
    )
    listing = "; ".join(
        f"{group}: {row.documents} document(s), {row.units} units"
        for group, row in per_group.iterrows()
    )
    lines = [
        f"**Data behind these topics.** {len(units)} units from "
        f"{units['doc_id'].nunique()} documents in {len(per_group)} groups ({listing}).",
    ]
    single = [str(g) for g, row in per_group.iterrows() if row.documents < 2]
    if single:
        lines.append(
            f"Groups with a single document ({', '.join(single)}): their prevalence describes "
            "one text, not the source; a document-level interval is not estimable and is left "
            "empty. The unit-level interval drawn for them ignores that all units come from "
            "one document and understates the uncertainty."
        )
    if np.isnan(stability):
        lines.append("Stability could not be measured (a single seed).")
    elif stability < stability_threshold:
        lines.append(
            f"Topic stability across seeds is {stability:.2f}, below {stability_threshold:.2f}: "
            "different seeds give materially different topics; do not interpret single topics."
        )
    else:
        lines.append(f"Topic stability across seeds is {stability:.2f}.")
    if len(units) < 100 or units["doc_id"].nunique() < 10:
        lines.append(
            "With this few units and documents, every topic statement is fragile: read the "
            "figures as a description of these texts, not as evidence about the sources."
        )
    return "\n\n".join(lines)


PREVALENCE_SCHEMA = {
    "description": "Topic prevalence per group with 95% bootstrap intervals.",
    "columns": {
        "group": "comparison group",
        "topic": "topic id (0..K-1, as fitted)",
        "prevalence": "share of the group's tokens assigned to the topic",
        "ci_low": "2.5% bootstrap percentile, documents resampled (empty: 1 document)",
        "ci_high": "97.5% bootstrap percentile, documents resampled (empty: 1 document)",
        "unit_ci_low": "2.5% percentile resampling units (ignores document clustering)",
        "unit_ci_high": "97.5% percentile resampling units (ignores document clustering)",
        "n_documents": "documents in the group",
        "n_units": "units of analysis in the group",
        "interval": "basis of ci_low/ci_high: documents, or not estimable: 1 document",
    },
}
DIFFERENCE_SCHEMA = {
    "description": "Prevalence of each group minus all other groups pooled, 95% intervals.",
    "columns": {
        "group": "comparison group",
        "topic": "topic id (0..K-1, as fitted)",
        "difference": "prevalence in the group minus prevalence in the rest",
        "ci_low": "2.5% bootstrap percentile, documents resampled within groups",
        "ci_high": "97.5% bootstrap percentile, documents resampled within groups",
        "excludes_zero": "whether the interval excludes 0",
        "n_documents": "documents in the group",
        "interval": "basis of ci_low/ci_high: documents, or not estimable: 1 document",
    },
}
MAP_SCHEMA = {
    "description": "Intertopic map: classical scaling of Jensen-Shannon distances.",
    "columns": {
        "topic": "topic id (0..K-1, as fitted)",
        "x": "first scaling dimension",
        "y": "second scaling dimension",
        "prevalence": "share of all tokens assigned to the topic",
    },
}
TIME_SCHEMA = {
    "description": "Topic prevalence per period.",
    "columns": {
        "period": "year, or first year of the decade",
        "topic": "topic id (0..K-1, as fitted)",
        "prevalence": "share of the period's tokens assigned to the topic",
        "n_documents": "dated documents in the period",
        "n_units": "units of analysis in the period",
    },
}


def prevalence_caption(prevalence: pd.DataFrame) -> str:
    """Caption of the prevalence figure, naming the groups without an interval."""
    single = sorted(prevalence.loc[prevalence["n_documents"] < 2, "group"].unique())
    text = (
        "Topic prevalence (share of each source's tokens) with 95% intervals from resampling "
        "documents within sources."
    )
    if single:
        text += (
            f" {', '.join(single)}: one document each, no interval (open markers; dotted: "
            "units resampled, understates uncertainty)."
        )
    return text
