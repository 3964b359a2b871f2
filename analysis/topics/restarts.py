"""Restarts: the final topic model is chosen among several fits, not one seed's accident.

`topics.restarts` fits of the same K are run, each with its own seed derived from
`run.seed` (restart r uses `run.seed + 1000 * (r + 1)`, so they never coincide with the
sweep's seeds `run.seed + i`), in worker processes on the available cores. `LdaModel` is
deterministic for a seed in any process, so the set of fits, and therefore the choice,
is the same on every machine and for any number of processes.

The choice rule (`topics.restart_rule`):
- `likelihood` (default): the restart with the highest per-word variational bound on the
  whole corpus (evaluated for every restart on the same units). Online LDA's bad local
  optima, two classes merged into one topic and a third split, fit the data worse; the
  best-fitting restart avoids them most often (measured in benchmarks/topic_benchmark.py);
- `consensus`: the medoid restart, the one with the highest mean agreement with the
  others (the mean of the ARI of dominant topics and the matched topic–word similarity).

Ties go to the earlier restart. The other restarts are kept, their topics renumbered to
match the chosen one (Hungarian matching), so that later steps can carry the differences
between restarts into their intervals (`topics.uncertainty`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary
from tqdm.auto import tqdm

from analysis.core.errors import InputError
from analysis.topics.bound import variational_bound
from analysis.topics.model import (
    BagOfWords,
    TopicModelFit,
    TopicSettings,
    document_topic_gamma,
    fit_topic_model,
    topic_word_evidence,
)
from analysis.topics.stability import agreement_matrices, matched_similarities, topic_matching

RULES = ("likelihood", "consensus")
SEED_STRIDE = 1000
BOUND_SAMPLE = 5000


@dataclass(frozen=True)
class FitJob:
    """One model to fit: K, its seed, and an optional K x V topic–word prior."""

    num_topics: int
    seed: int
    eta: np.ndarray | None = None


@dataclass(frozen=True)
class RestartSet:
    """Every restart of the final K, how much they agree, and which one was chosen."""

    fits: tuple[TopicModelFit, ...]
    gammas: tuple[np.ndarray, ...]  # N x K posterior Dirichlet parameters, chosen's topic order
    alignments: tuple[np.ndarray, ...]  # restart r's topic alignments[r][j] is chosen's topic j
    bounds: np.ndarray  # per-word bound of each restart on the same units
    similarity: np.ndarray  # R x R matched topic–word similarity
    ari: np.ndarray  # R x R adjusted Rand index of dominant topics
    topic_agreement: np.ndarray  # K: mean similarity of each chosen topic to its matches
    chosen: int
    rule: str

    @property
    def fit(self) -> TopicModelFit:
        """The chosen restart: the run's topic model."""
        return self.fits[self.chosen]

    @property
    def seeds(self) -> list[int]:
        return [f.seed for f in self.fits]

    @property
    def proportions(self) -> np.ndarray:
        """N x K topic proportions of the chosen restart (rows sum to 1), inferred with
        `run.seed` when the restarts were fitted: `stream.document_topics(fit.model, data,
        run.seed)` without inferring them again."""
        return _normalised(self.gammas[self.chosen])

    def aligned_proportions(self) -> list[np.ndarray]:
        """N x K topic proportions of every restart, in the chosen model's topic order."""
        return [_normalised(g) for g in self.gammas]


def _normalised(gamma: np.ndarray) -> np.ndarray:
    return gamma / gamma.sum(axis=1, keepdims=True)


def restart_seeds(seed: int, n_restarts: int) -> list[int]:
    """Seeds of the restarts, derived from `run.seed` (see the module docstring)."""
    if n_restarts < 1:
        raise InputError(f"topics.restarts = {n_restarts}: need at least 1 restart")
    return [seed + SEED_STRIDE * (r + 1) for r in range(n_restarts)]


def restart_rule(topic_params: Any) -> str:
    """`topics.restart_rule`, checked."""
    rule = topic_params.restart_rule
    if rule not in RULES:
        raise InputError(f"topics.restart_rule = {rule!r}: use one of {list(RULES)}")
    return rule


def available_processes(requested: int = 0) -> int:
    """Worker processes: `requested`, or every core this process may run on when 0."""
    if requested < 0:
        raise InputError(f"topics.processes = {requested}: use 0 (all cores) or more")
    return requested or len(os.sched_getaffinity(0))


# Fitting inputs for forked workers: set before the pool starts, inherited, never pickled.
_SHARED: dict[str, Any] = {}


def _fit_job(job: FitJob) -> tuple[TopicModelFit, np.ndarray | None]:
    fit = fit_topic_model(
        _SHARED["bow"],
        _SHARED["dictionary"],
        job.num_topics,
        _SHARED["settings"],
        job.seed,
        job.eta,
    )
    fit.model.callbacks = None  # the convergence monitor holds a sample of the corpus
    infer = _SHARED.get("infer")
    gamma = None if infer is None else document_topic_gamma(fit.model, infer[0], infer[1])
    summarise = _SHARED.get("summarise")
    return (fit, gamma) if summarise is None else summarise(job, fit, gamma)


def fit_models(
    bow: BagOfWords,
    dictionary: Dictionary,
    jobs: Sequence[FitJob],
    settings: TopicSettings,
    processes: int = 1,
    infer: tuple[BagOfWords, int] | None = None,
    progress: str = "",
    summarise: Callable | None = None,
) -> list:
    """Fit every job, in `processes` forked worker processes (1: in this process); results
    in job order, identical whatever the number of processes: (fit, gamma) per job. With
    `infer` = (units, seed), gamma is the units' N x K posterior parameters under its
    model (`document_topic_gamma`), else None. With `summarise`, each job returns
    `summarise(job, fit, gamma)` instead, computed where the model was fitted: what the
    caller keeps of it, so that this process never holds every model at once.
    `progress`: the label of a progress bar over the fits (none when empty)."""
    _SHARED.update(
        bow=bow, dictionary=dictionary, settings=settings, infer=infer, summarise=summarise
    )
    try:
        workers = min(processes, len(jobs))
        bar = {"total": len(jobs), "desc": progress, "unit": " model", "mininterval": 1.0}
        bar["disable"] = not progress
        if workers <= 1:
            return [_fit_job(job) for job in tqdm(jobs, **bar)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(tqdm(pool.map(_fit_job, jobs), **bar))
    finally:
        _SHARED.clear()


def per_word_bound(fit: TopicModelFit, bow: BagOfWords, gamma: np.ndarray, n_units: int) -> float:
    """Variational bound per word of the corpus (higher fits better), estimated from the
    units `bow` (a sample of `n_units`) with their inferred `gamma`, as gensim's
    `log_perplexity` does; no random numbers are drawn."""
    ratio = n_units / max(1, len(bow))
    words = max(1, sum(count for doc in bow for _, count in doc))
    return float(variational_bound(fit.model, bow, gamma, ratio) / (ratio * words))


def bound_sample(n_units: int, seed: int, size: int = BOUND_SAMPLE) -> np.ndarray:
    """Sorted seeded sample of unit indices on which every restart's bound is evaluated."""
    if n_units <= size:
        return np.arange(n_units)
    return np.sort(np.random.default_rng(seed).choice(n_units, size, replace=False))


def choose_restart(bounds: np.ndarray, similarity: np.ndarray, ari: np.ndarray, rule: str) -> int:
    """Index of the chosen restart under `rule` (see the module docstring); ties: earliest."""
    if rule == "likelihood":
        return int(np.argmax(bounds))
    if len(bounds) == 1:
        return 0
    agreement = (similarity + ari) / 2
    np.fill_diagonal(agreement, 0.0)
    return int(np.argmax(agreement.sum(axis=1)))


def restart_set(
    fits: Sequence[TopicModelFit],
    gammas: Sequence[np.ndarray],
    bow: BagOfWords,
    rule: str,
    seed: int,
) -> RestartSet:
    """Score, compare, choose and align the restarts of one K (see the module docstring);
    `gammas`: each restart's posterior parameters of the units of `bow`."""
    rows = bound_sample(len(bow), seed)
    sample = [bow[i] for i in rows]
    bounds = np.array(
        [per_word_bound(f, sample, g[rows], len(bow)) for f, g in zip(fits, gammas, strict=True)]
    )
    evidence = [topic_word_evidence(f.model) for f in fits]
    dominant = [g.argmax(axis=1) for g in gammas]
    similarity, ari = agreement_matrices(evidence, dominant)
    chosen = choose_restart(bounds, similarity, ari, rule)
    alignments = [topic_matching(evidence[chosen], e) for e in evidence]
    others = [r for r in range(len(fits)) if r != chosen]
    agreement = (
        np.mean([matched_similarities(evidence[chosen], evidence[r]) for r in others], axis=0)
        if others
        else np.full(fits[chosen].num_topics, np.nan)
    )
    return RestartSet(
        fits=tuple(fits),
        gammas=tuple(g[:, a] for g, a in zip(gammas, alignments, strict=True)),
        alignments=tuple(alignments),
        bounds=bounds,
        similarity=similarity,
        ari=ari,
        topic_agreement=agreement,
        chosen=chosen,
        rule=rule,
    )


def fit_restarts(
    bow: BagOfWords,
    dictionary: Dictionary,
    num_topics: int,
    settings: TopicSettings,
    seeds: Sequence[int],
    rule: str = RULES[0],
    processes: int = 1,
    eta: np.ndarray | None = None,
    inference_seed: int | None = None,
) -> RestartSet:
    """Fit one model per seed in parallel, then score, compare, choose and align them.
    Topic proportions are inferred with `inference_seed` (default: the first seed); with
    `run.seed` the chosen restart's equal `document_topic_matrix(fit.model, bow, run.seed)`."""
    jobs = [FitJob(num_topics, s, eta) for s in seeds]
    seed = seeds[0] if inference_seed is None else inference_seed
    results = fit_models(
        bow, dictionary, jobs, settings, processes, (bow, seed), f"restarts, K={num_topics}"
    )
    fits = [fit for fit, _ in results]
    return restart_set(fits, [gamma for _, gamma in results], bow, rule, seed)


def restart_table(restarts: RestartSet) -> pd.DataFrame:
    """One row per restart: restart, seed, per_word_bound, chosen, mean agreement with the
    other restarts (matched similarity, ARI of dominant topics)."""
    r = len(restarts.fits)
    return pd.DataFrame(
        {
            "restart": np.arange(r),
            "seed": restarts.seeds,
            "per_word_bound": restarts.bounds,
            "chosen": np.arange(r) == restarts.chosen,
            "mean_similarity": _mean_with_others(restarts.similarity),
            "mean_ari": _mean_with_others(restarts.ari),
        }
    )


def _mean_with_others(matrix: np.ndarray) -> np.ndarray:
    r = len(matrix)
    if r < 2:
        return np.full(r, np.nan)
    return matrix[~np.eye(r, dtype=bool)].reshape(r, r - 1).mean(axis=1)


def restart_note(restarts: RestartSet, similarity_threshold: float, ari_threshold: float) -> str:
    """Markdown: the rule, the choice, and a warning in words when the restarts disagree."""
    r = len(restarts.fits)
    fit = restarts.fit
    rule = (
        "the highest per-word likelihood bound on the corpus"
        if restarts.rule == "likelihood"
        else "the most agreement with the other restarts (mean of ARI and topic similarity)"
    )
    text = (
        f"**Restarts.** {r} models with K = {fit.num_topics} were fitted (seeds "
        f"{', '.join(map(str, restarts.seeds))}); the final model is restart "
        f"{restarts.chosen} (seed {fit.seed}), chosen by {rule} "
        f"({restarts.bounds[restarts.chosen]:.4f} nats per word)."
    )
    if r < 2:
        return text + " With a single restart, agreement between restarts cannot be measured."
    upper = np.triu_indices(r, 1)
    ari, similarity = restarts.ari[upper], restarts.similarity[upper]
    text += (
        f" Between restarts, the adjusted Rand index of the units' dominant topics is "
        f"{ari.mean():.2f} on average (lowest {ari.min():.2f}) and the matched topic–word "
        f"similarity {similarity.mean():.2f} (lowest {similarity.min():.2f})."
    )
    fragile = [
        f"T{k} ({a:.2f})"
        for k, a in enumerate(restarts.topic_agreement)
        if a < similarity_threshold
    ]
    if ari.min() < ari_threshold or similarity.min() < similarity_threshold:
        text += (
            f"\n\n**Warning: the restarts disagree.** At least one pair of restarts falls below "
            f"ARI {ari_threshold:.2f} or similarity {similarity_threshold:.2f}: different seeds "
            "split, merge or reshuffle topics, so a single model would tell a seed's story. "
            "The intervals below include the differences between restarts; do not interpret "
            "topics that other restarts do not reproduce."
        )
    else:
        text += " The restarts agree: the topics do not hang on one seed."
    if fragile:
        text += (
            " Topics the other restarts reproduce poorly (mean matched similarity below "
            f"{similarity_threshold:.2f}): {', '.join(fragile)}."
        )
    return text


RESTARTS_SCHEMA = {
    "description": "Restarts of the final model: seeds, fit and agreement with the others.",
    "columns": {
        "restart": "restart number (0..R-1)",
        "seed": "seed of the restart (derived from run.seed)",
        "per_word_bound": "variational bound per word on the corpus (higher fits better)",
        "chosen": "whether this restart is the final model (topics.restart_rule)",
        "mean_similarity": "mean matched topic–word similarity with the other restarts",
        "mean_ari": "mean adjusted Rand index of dominant topics with the other restarts",
    },
}
