"""Choosing the number of topics K: a seeded sweep over K and several seeds per K.

For each (K, seed) a model is fitted on a seeded training split and scored by
- coherence of its top-N words: c_v and NPMI (gensim CoherenceModel, one process),
  computed against all units;
- held-out per-word log-likelihood (variational bound) on the units left out, and the
  perplexity exp(-that);
- exclusivity of its top-N words (`analysis.topics.labels`): coherence alone rewards
  topics made of the same frequent words;
- agreement between seeds (`analysis.topics.stability`): the matched topic–word
  similarity ("stability", the data part of the topics, without the prior eta, which would
  make any two topics look alike), and the adjusted Rand index of the units' dominant
  topics, which catches topics that split and merge between seeds.

The `auto` rule (`choose_num_topics`): among the K whose stability is at least
`topics.stability_threshold` (default 0.7) and whose ARI is at least
`topics.ari_threshold` (default 0.6), the K with the highest mean c_v (ties: the smaller
K). If no K's seeds agree that well, the K with the highest ARI is taken, and the choice
says so. Models are fitted in parallel worker processes (`topics.processes`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary

from analysis.core.errors import InputError
from analysis.core.params import TopicParams
from analysis.topics.labels import model_exclusivity
from analysis.topics.model import (
    BagOfWords,
    TopicData,
    TopicModelFit,
    TopicSettings,
    top_words,
    topic_settings,
    topic_word_evidence,
    topic_word_matrix,
    vocabulary_of,
)
from analysis.topics.restarts import FitJob, available_processes, fit_models
from analysis.topics.scores import (  # noqa: F401 (re-exported: the sweep's scores)
    coherence_by_measure,
    coherence_scores,
    completion_split,
    heldout_per_word_likelihood,
    holdout_split,
)
from analysis.topics.stability import (  # noqa: F401 (re-exported: the sweep's measures)
    matched_similarity,
    mean_pairwise_ari,
    topic_similarity,
    topic_stability,
)

STABILITY_THRESHOLD = TopicParams.stability_threshold
ARI_THRESHOLD = TopicParams.ari_threshold
SWEEP_MAX_UNITS = TopicParams.sweep_max_units


@dataclass(frozen=True)
class KSweep:
    """Scores of every (K, seed) model, and the per-K summary."""

    runs: pd.DataFrame  # k, seed, c_v, npmi, heldout_per_word_ll, heldout_perplexity
    summary: pd.DataFrame  # k, <score>_mean, <score>_sd, stability, n_seeds
    n_train: int
    n_heldout: int


@dataclass(frozen=True)
class KChoice:
    """The chosen K and the sentence that explains why."""

    k: int
    rule: str
    reason: str


def stability_threshold(topic_params: Any) -> float:
    """`topics.stability_threshold` (default 0.7): the least stability `auto` accepts."""
    value = float(topic_params.stability_threshold)
    if not 0.0 <= value <= 1.0:
        raise InputError(f"topics.stability_threshold = {value}: must lie in [0, 1]")
    return value


def ari_threshold(topic_params: Any) -> float:
    """`topics.ari_threshold` (default 0.6): the least ARI of dominant topics `auto` accepts."""
    value = float(topic_params.ari_threshold)
    if not -1.0 <= value <= 1.0:
        raise InputError(f"topics.ari_threshold = {value}: must lie in [-1, 1]")
    return value


def sweep_seeds(seed: int, n_seeds: int) -> list[int]:
    """The seeds of a sweep: `seed`, `seed`+1, ... (traceable from params.run.seed)."""
    if n_seeds < 1:
        raise InputError(f"topics.sweep_seeds = {n_seeds}: need at least 1 seed per K")
    return [seed + i for i in range(n_seeds)]


def k_values(k_min: int, k_max: int, k_step: int, n_units: int) -> list[int]:
    """The K to try: k_min..k_max by k_step, never more topics than training units."""
    if k_min < 2 or k_max < k_min or k_step < 1:
        raise InputError(
            f"topics.k_min={k_min}, k_max={k_max}, k_step={k_step}: need 2 <= k_min <= k_max "
            "and k_step >= 1"
        )
    ks = [k for k in range(k_min, k_max + 1, k_step) if k <= max(2, n_units)]
    return ks or [k_min]


def k_sweep(
    bow: BagOfWords,
    texts: list[list[str]],
    dictionary: Dictionary,
    ks: Sequence[int],
    seeds: Sequence[int],
    settings: TopicSettings,
    holdout_fraction: float,
    processes: int = 1,
    etas: dict[int, np.ndarray] | None = None,
) -> KSweep:
    """Fit one model per (K, seed) on a seeded training split and score it (see module doc);
    the models are fitted in `processes` worker processes (results do not depend on it).

    The split is drawn once from the first seed, so every model is judged on the same
    held-out units, and seeds are compared on the same training units.
    """
    train, heldout = holdout_split(len(bow), holdout_fraction, seeds[0])
    train_bow = [bow[i] for i in train]
    heldout_bow = [bow[i] for i in heldout]
    vocabulary = vocabulary_of(dictionary)
    jobs = [FitJob(k, seed, (etas or {}).get(k)) for k in ks for seed in seeds]
    scores = fit_models(
        train_bow, dictionary, jobs, settings, processes, (train_bow, seeds[0]), "K sweep",
        partial(_sweep_score, heldout_bow, vocabulary, settings.top_n),
    )  # fmt: skip
    rows, matrices, dominant, topic_sets = [], {}, {}, []
    for job, score in zip(jobs, scores, strict=True):
        k, seed = job.num_topics, job.seed
        matrices.setdefault(k, []).append(score.evidence)
        dominant.setdefault(k, []).append(score.dominant)
        topic_sets.append(score.top_words)
        rows.append(
            {
                "k": k,
                "seed": seed,
                "heldout_per_word_ll": score.heldout_per_word_ll,
                "exclusivity": score.exclusivity,
                "converged": score.converged,
            }
        )
    runs = pd.DataFrame(rows)
    runs["heldout_perplexity"] = np.exp(-runs["heldout_per_word_ll"])
    coherence = coherence_by_measure(
        topic_sets, texts, dictionary, ("c_v", "c_npmi"), settings.top_n, processes
    )
    runs["c_v"], runs["npmi"] = coherence["c_v"], coherence["c_npmi"]
    runs = runs[
        [
            "k",
            "seed",
            "c_v",
            "npmi",
            "exclusivity",
            "heldout_per_word_ll",
            "heldout_perplexity",
            "converged",
        ]
    ]
    stability = {k: topic_stability(m) for k, m in matrices.items()}
    ari = {k: mean_pairwise_ari(d) for k, d in dominant.items()}
    return KSweep(
        runs=runs,
        summary=sweep_summary(runs, stability, ari),
        n_train=len(train),
        n_heldout=len(heldout),
    )


@dataclass(frozen=True)
class _SweepScore:
    """What the sweep keeps of one (K, seed) model: its topics for stability, its units'
    dominant topics for ARI, its top words for coherence, and its scores."""

    evidence: np.ndarray
    dominant: np.ndarray
    top_words: list[list[str]]
    heldout_per_word_ll: float
    exclusivity: float
    converged: bool


def _sweep_score(
    heldout_bow: BagOfWords,
    vocabulary: list[str],
    top_n: int,
    job: FitJob,
    fit: TopicModelFit,
    gamma: np.ndarray,
) -> _SweepScore:
    """`_SweepScore` of one fitted model (computed where it was fitted)."""
    phi = topic_word_matrix(fit.model)
    return _SweepScore(
        evidence=topic_word_evidence(fit.model),
        dominant=gamma.argmax(axis=1),
        top_words=top_words(phi, vocabulary, top_n),
        heldout_per_word_ll=heldout_per_word_likelihood(fit.model, heldout_bow, job.seed),
        exclusivity=model_exclusivity(phi, top_n),
        converged=fit.converged,
    )


def sweep_summary(
    runs: pd.DataFrame, stability: dict[int, float], ari: dict[int, float] | None = None
) -> pd.DataFrame:
    """Per K: mean and SD over seeds of each score, stability (matched topic similarity),
    ARI of dominant topics between seeds, number of seeds."""
    scores = ["c_v", "npmi", "exclusivity", "heldout_per_word_ll", "heldout_perplexity"]
    grouped = runs.groupby("k", sort=True)
    summary = pd.DataFrame({"k": sorted(runs["k"].unique())})
    for score in scores:
        summary[f"{score}_mean"] = grouped[score].mean().to_numpy()
        summary[f"{score}_sd"] = grouped[score].std(ddof=1).fillna(0.0).to_numpy()
    summary["stability"] = summary["k"].map(stability)
    summary["ari"] = summary["k"].map(ari or {}).astype(float)
    summary["n_seeds"] = grouped["seed"].count().to_numpy()
    summary["all_converged"] = grouped["converged"].all().to_numpy()
    return summary


def choose_num_topics(
    summary: pd.DataFrame,
    stability_threshold: float = STABILITY_THRESHOLD,
    ari_threshold: float = ARI_THRESHOLD,
) -> KChoice:
    """The `auto` rule: highest mean c_v among the K whose seeds agree (matched topic
    similarity >= `stability_threshold` and ARI of dominant topics >= `ari_threshold`;
    ties: the smaller K); if no K's seeds agree, the K with the highest ARI (then the
    highest similarity)."""
    rule = (
        f"highest mean c_v among the K whose seeds agree (topic similarity at least "
        f"{stability_threshold:.2f} and ARI of dominant topics at least {ari_threshold:.2f}); "
        "if none does, the K with the highest ARI"
    )
    table = summary.sort_values("k")
    ari = table["ari"].fillna(1.0) if "ari" in table else pd.Series(1.0, index=table.index)
    stable = table[(table["stability"] >= stability_threshold) & (ari >= ari_threshold)]
    if len(stable):
        best = stable.loc[stable["c_v_mean"].idxmax()]
        reason = (
            f"K = {int(best.k)}: mean c_v {best.c_v_mean:.3f}, topic similarity across seeds "
            f"{best.stability:.2f}, ARI {ari.loc[best.name]:.2f} ({len(stable)} of "
            f"{len(table)} K values reach both thresholds)."
        )
    else:
        ranked = table.assign(_ari=ari).sort_values(["_ari", "stability"], ascending=False)
        best = table.loc[ranked.index[0]]
        reason = (
            f"K = {int(best.k)}: no K's seeds agree enough (similarity {stability_threshold:.2f}"
            f" and ARI {ari_threshold:.2f}); this K's agree most (ARI {ari.loc[best.name]:.2f}, "
            f"similarity {best.stability:.2f}), so its topics split and merge between seeds: "
            "treat them with caution."
        )
    return KChoice(k=int(best.k), rule=rule, reason=reason)


def resolve_num_topics(
    num_topics: int | str,
    sweep: KSweep | None,
    threshold: float,
    ari_threshold: float = ARI_THRESHOLD,
) -> KChoice:
    """A fixed K from the parameters, or the `auto` choice from the sweep."""
    if num_topics == "auto":
        if sweep is None:
            raise InputError("topics.num_topics = 'auto' needs a K sweep")
        return choose_num_topics(sweep.summary, threshold, ari_threshold)
    if not isinstance(num_topics, int) or num_topics < 1:
        raise InputError(f"topics.num_topics = {num_topics!r}: give a positive integer or 'auto'")
    return KChoice(k=num_topics, rule="fixed by topics.num_topics", reason=f"K = {num_topics}.")


def k_sweep_for(
    data: TopicData,
    topic_params: Any,
    seed: int,
    eta_for: Callable[[int], np.ndarray | None] | None = None,
) -> KSweep:
    """The sweep the parameters ask for: k_min..k_max when num_topics is `auto`, else the
    fixed K alone (still with several seeds, to measure its stability). Corpora larger than
    `sweep_max_units` are swept on a seeded sample of that many units."""
    settings = topic_settings(topic_params)
    keep = sweep_sample(len(data.bow), topic_params.sweep_max_units, seed)
    bow = data.bow if keep is None else [data.bow[i] for i in keep]
    texts = data.unit_tokens(keep)
    n_train = len(bow) - int(round(topic_params.holdout_fraction * len(bow)))
    if topic_params.num_topics == "auto":
        ks = k_values(topic_params.k_min, topic_params.k_max, topic_params.k_step, n_train)
    else:
        ks = [int(topic_params.num_topics)]
    seeds = sweep_seeds(seed, topic_params.sweep_seeds)
    processes = available_processes(topic_params.processes)
    etas = {k: eta_for(k) for k in ks} if eta_for else None
    return k_sweep(
        bow,
        texts,
        data.dictionary,
        ks,
        seeds,
        settings,
        topic_params.holdout_fraction,
        processes,
        etas,
    )


def sweep_sample(n_units: int, limit: int, seed: int) -> np.ndarray | None:
    """Sorted seeded sample of `limit` unit indices the sweep and the restarts are fitted
    on when there are more than `limit` (`topics.sweep_max_units`) units; None: all units."""
    if not limit or n_units <= limit:
        return None
    return np.sort(np.random.default_rng(seed).choice(n_units, limit, replace=False))


def stability_of(sweep: KSweep, k: int) -> float:
    """Stability of K from the sweep (NaN if K was not swept)."""
    table = sweep.summary.set_index("k")
    return float(table.loc[k, "stability"]) if k in table.index else float("nan")


def model_coherence(
    fit: TopicModelFit, data: TopicData, max_units: int = SWEEP_MAX_UNITS, processes: int = 0
) -> dict[str, float]:
    """Mean c_v and NPMI of the final model's top-N words against the units (a seeded
    sample of `max_units` of them on a larger corpus: c_v slides a window over every text,
    which would take longer than the fit); the two measures side by side in `processes`
    (0: every core)."""
    n_units, keep = len(data.bow), None
    if max_units and n_units > max_units:
        keep = np.sort(np.random.default_rng(fit.seed).choice(n_units, max_units, replace=False))
    texts = data.unit_tokens(keep)
    words = [
        top_words(topic_word_matrix(fit.model), vocabulary_of(data.dictionary), fit.settings.top_n)
    ]
    coherence = coherence_by_measure(
        words, texts, data.dictionary, ("c_v", "c_npmi"), fit.settings.top_n,
        available_processes(processes),
    )  # fmt: skip
    return {"c_v": coherence["c_v"][0], "npmi": coherence["c_npmi"][0]}


def closing_note(
    choice: KChoice, sweep: KSweep, coherence: dict[str, float], fit: TopicModelFit, seconds: float
) -> str:
    """What the run found and how far to trust it, in one paragraph."""
    stability = stability_of(sweep, choice.k)
    return (
        f"**Summary.** K = {choice.k} ({choice.rule}). Final model: mean coherence c_v "
        f"{coherence['c_v']:.3f}, NPMI {coherence['npmi']:.3f}; stability of K = {choice.k} "
        f"across {int(sweep.summary['n_seeds'].max())} seeds {stability:.2f}; "
        f"{'converged' if fit.converged else 'NOT converged'} after {fit.passes} "
        f"passes. The sweep fitted {len(sweep.runs)} models on {sweep.n_train} units "
        f"({sweep.n_heldout} held out). Run time of this notebook so far: {seconds:.0f} s."
    )


SWEEP_SUMMARY_SCHEMA = {
    "description": "Scores of the K sweep per number of topics (mean and SD over seeds).",
    "columns": {
        "k": "number of topics",
        "c_v_mean": "mean c_v coherence of the top-N words",
        "c_v_sd": "SD of c_v over seeds",
        "npmi_mean": "mean NPMI coherence of the top-N words",
        "npmi_sd": "SD of NPMI over seeds",
        "heldout_per_word_ll_mean": "mean held-out log-likelihood per word (nats, completion)",
        "heldout_per_word_ll_sd": "SD of the held-out log-likelihood over seeds",
        "heldout_perplexity_mean": "mean held-out perplexity exp(-log-likelihood per word)",
        "heldout_perplexity_sd": "SD of the held-out perplexity over seeds",
        "exclusivity_mean": "mean exclusivity of the top-N words (1/K: shared, 1: exclusive)",
        "exclusivity_sd": "SD of exclusivity over seeds",
        "stability": "mean best-match cosine similarity of topics across seeds",
        "ari": "mean adjusted Rand index of dominant topics between seeds (training units)",
        "n_seeds": "number of seeds fitted",
        "all_converged": "whether every fit's likelihood bound levelled off",
    },
}


def sweep_caption(sweep: KSweep, choice: KChoice) -> str:
    """Caption of the K-sweep figure."""
    return (
        f"Choosing K: coherence (c_v, NPMI), held-out log-likelihood per word (document "
        f"completion on {sweep.n_heldout} held-out units) and stability across "
        f"{int(sweep.summary['n_seeds'].max())} seeds; mean ± SD over seeds. Dashed: K = "
        f"{choice.k}."
    )
