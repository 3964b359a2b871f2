"""Choosing the number of topics K: a seeded sweep over K and several seeds per K.

For each (K, seed) a model is fitted on a seeded training split and scored by
- coherence of its top-N words: c_v and NPMI (gensim CoherenceModel, one process),
  computed against all units;
- held-out per-word log-likelihood (variational bound) on the units left out, and the
  perplexity exp(-that);
- stability: for each pair of seeds, topics are matched one-to-one (Hungarian algorithm)
  to maximise the cosine similarity of their word distributions (the data part, without
  the prior eta, which would make any two topics look alike);
  stability of K is the mean matched similarity over all pairs (1 = identical topics).

The `auto` rule (`choose_num_topics`): among the K whose stability is at least
`topics.stability_threshold` (default 0.7), the K with the highest mean c_v (ties: the
smaller K). If no K is that stable, the most stable K is taken, and the choice says so.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import CoherenceModel
from scipy.optimize import linear_sum_assignment
from tqdm.auto import tqdm

from analysis.core.errors import InputError
from analysis.topics.model import (
    BagOfWords,
    TopicData,
    TopicModelFit,
    TopicSettings,
    fit_topic_model,
    top_words,
    topic_settings,
    topic_word_evidence,
    topic_word_matrix,
    vocabulary_of,
)

STABILITY_THRESHOLD = 0.7
SWEEP_MAX_UNITS = 10000


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
    value = float(getattr(topic_params, "stability_threshold", STABILITY_THRESHOLD))
    if not 0.0 <= value <= 1.0:
        raise InputError(f"topics.stability_threshold = {value}: must lie in [0, 1]")
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


def holdout_split(n_units: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of unit indices into (train, held-out), both sorted."""
    if not 0.0 < fraction < 1.0:
        raise InputError(f"topics.holdout_fraction = {fraction}: must lie strictly in (0, 1)")
    n_heldout = int(round(fraction * n_units))
    if n_heldout < 1 or n_units - n_heldout < 2:
        raise InputError(
            f"{n_units} units are too few for a held-out split of {fraction:.0%}: need at "
            "least one held-out and two training units"
        )
    order = np.random.default_rng(seed).permutation(n_units)
    return np.sort(order[n_heldout:]), np.sort(order[:n_heldout])


def completion_split(heldout: BagOfWords, seed: int) -> tuple[BagOfWords, BagOfWords]:
    """Split every held-out unit's tokens at random into an observed and a scored half
    (units with fewer than two tokens are dropped)."""
    rng = np.random.default_rng(seed)
    observed, scored = [], []
    for doc in heldout:
        tokens = np.repeat([t for t, _ in doc], [c for _, c in doc])
        if len(tokens) < 2:
            continue
        tokens = rng.permutation(tokens)
        half = len(tokens) // 2
        observed.append(_as_bow(tokens[:half]))
        scored.append(_as_bow(tokens[half:]))
    return observed, scored


def _as_bow(tokens: np.ndarray) -> list[tuple[int, int]]:
    ids, counts = np.unique(tokens, return_counts=True)
    return [(int(i), int(c)) for i, c in zip(ids, counts, strict=True)]


def heldout_per_word_likelihood(model, heldout: BagOfWords, seed: int) -> float:
    """Held-out log-likelihood per word by document completion (Wallach et al. 2009): topic
    proportions are inferred from a random half of each held-out unit's tokens, and the other
    half is scored as sum n_w log sum_k theta_k phi_kw. In nats; higher is better.

    The model's random state is reset first, so the score does not depend on what was
    computed before.
    """
    observed, scored = completion_split(heldout, seed)
    words = sum(count for doc in scored for _, count in doc)
    if words == 0:
        raise InputError("the held-out units have too few tokens to score")
    model.random_state = np.random.RandomState(seed)
    gamma, _ = model.inference(observed)
    theta = gamma / gamma.sum(axis=1, keepdims=True)
    phi = topic_word_matrix(model)
    total = 0.0
    for row, doc in zip(theta, scored, strict=True):
        ids = np.array([t for t, _ in doc])
        counts = np.array([c for _, c in doc], dtype=float)
        total += float(counts @ np.log(row @ phi[:, ids]))
    return total / words


def topic_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise cosine similarity between rows of two topic–word matrices: 1 for identical
    distributions, 0 for topics without a word in common."""
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return np.clip(a @ b.T, 0.0, 1.0)


def matched_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Mean similarity of topics of two models after the best one-to-one matching."""
    sim = topic_similarity(a, b)
    rows, cols = linear_sum_assignment(sim, maximize=True)
    return float(sim[rows, cols].mean())


def topic_stability(matrices: Sequence[np.ndarray]) -> float:
    """Mean best-match similarity over all pairs of models (NaN with a single model)."""
    pairs = list(itertools.combinations(range(len(matrices)), 2))
    if not pairs:
        return float("nan")
    return float(np.mean([matched_similarity(matrices[i], matrices[j]) for i, j in pairs]))


def coherence_scores(
    topic_sets: list[list[list[str]]],
    texts: list[list[str]],
    dictionary: Dictionary,
    measure: str,
    top_n: int,
) -> list[float]:
    """Mean coherence of each model's topics; the word statistics are estimated once for
    all models together (one pass over the texts per measure)."""
    model = CoherenceModel.for_topics(
        topic_sets, texts=texts, dictionary=dictionary, coherence=measure, topn=top_n, processes=1
    )
    return [float(mean) for _, mean in model.compare_model_topics(topic_sets)]


def k_sweep(
    bow: BagOfWords,
    texts: list[list[str]],
    dictionary: Dictionary,
    ks: Sequence[int],
    seeds: Sequence[int],
    settings: TopicSettings,
    holdout_fraction: float,
) -> KSweep:
    """Fit one model per (K, seed) on a seeded training split and score it (see module doc).

    The split is drawn once from the first seed, so every model is judged on the same
    held-out units.
    """
    train, heldout = holdout_split(len(bow), holdout_fraction, seeds[0])
    train_bow = [bow[i] for i in train]
    heldout_bow = [bow[i] for i in heldout]
    vocabulary = vocabulary_of(dictionary)
    rows, matrices, topic_sets = [], {}, []
    pairs = [(k, seed) for k in ks for seed in seeds]
    for k, seed in tqdm(pairs, desc="K sweep", unit=" model", mininterval=1.0):
        fit = fit_topic_model(train_bow, dictionary, k, settings, seed)
        matrices.setdefault(k, []).append(topic_word_evidence(fit.model))
        topic_sets.append(top_words(topic_word_matrix(fit.model), vocabulary, settings.top_n))
        rows.append(
            {
                "k": k,
                "seed": seed,
                "heldout_per_word_ll": heldout_per_word_likelihood(fit.model, heldout_bow, seed),
                "converged": fit.converged,
            }
        )
    runs = pd.DataFrame(rows)
    runs["heldout_perplexity"] = np.exp(-runs["heldout_per_word_ll"])
    runs["c_v"] = coherence_scores(topic_sets, texts, dictionary, "c_v", settings.top_n)
    runs["npmi"] = coherence_scores(topic_sets, texts, dictionary, "c_npmi", settings.top_n)
    runs = runs[
        ["k", "seed", "c_v", "npmi", "heldout_per_word_ll", "heldout_perplexity", "converged"]
    ]
    stability = {k: topic_stability(m) for k, m in matrices.items()}
    return KSweep(
        runs=runs,
        summary=sweep_summary(runs, stability),
        n_train=len(train),
        n_heldout=len(heldout),
    )


def sweep_summary(runs: pd.DataFrame, stability: dict[int, float]) -> pd.DataFrame:
    """Per K: mean and SD over seeds of each score, stability, number of seeds."""
    scores = ["c_v", "npmi", "heldout_per_word_ll", "heldout_perplexity"]
    grouped = runs.groupby("k", sort=True)
    summary = pd.DataFrame({"k": sorted(runs["k"].unique())})
    for score in scores:
        summary[f"{score}_mean"] = grouped[score].mean().to_numpy()
        summary[f"{score}_sd"] = grouped[score].std(ddof=1).fillna(0.0).to_numpy()
    summary["stability"] = summary["k"].map(stability)
    summary["n_seeds"] = grouped["seed"].count().to_numpy()
    summary["all_converged"] = grouped["converged"].all().to_numpy()
    return summary


def choose_num_topics(
    summary: pd.DataFrame, stability_threshold: float = STABILITY_THRESHOLD
) -> KChoice:
    """The `auto` rule: highest mean c_v among K with stability >= threshold (ties: the
    smaller K); if none is that stable, the most stable K."""
    rule = (
        f"highest mean c_v among the K whose stability across seeds is at least "
        f"{stability_threshold:.2f}; if none is, the most stable K"
    )
    table = summary.sort_values("k")
    stable = table[table["stability"] >= stability_threshold]
    if len(stable):
        best = stable.loc[stable["c_v_mean"].idxmax()]
        reason = (
            f"K = {int(best.k)}: mean c_v {best.c_v_mean:.3f}, stability {best.stability:.2f} "
            f"({len(stable)} of {len(table)} K values reach the stability threshold)."
        )
    else:
        best = table.loc[table["stability"].idxmax()]
        reason = (
            f"K = {int(best.k)}: no K reached stability {stability_threshold:.2f}; this is the "
            f"most stable ({best.stability:.2f}), so its topics are fragile: treat them with "
            "caution."
        )
    return KChoice(k=int(best.k), rule=rule, reason=reason)


def resolve_num_topics(num_topics: int | str, sweep: KSweep | None, threshold: float) -> KChoice:
    """A fixed K from the parameters, or the `auto` choice from the sweep."""
    if num_topics == "auto":
        if sweep is None:
            raise InputError("topics.num_topics = 'auto' needs a K sweep")
        return choose_num_topics(sweep.summary, threshold)
    if not isinstance(num_topics, int) or num_topics < 1:
        raise InputError(f"topics.num_topics = {num_topics!r}: give a positive integer or 'auto'")
    return KChoice(k=num_topics, rule="fixed by topics.num_topics", reason=f"K = {num_topics}.")


def k_sweep_for(data: TopicData, topic_params: Any, seed: int) -> KSweep:
    """The sweep the parameters ask for: k_min..k_max when num_topics is `auto`, else the
    fixed K alone (still with several seeds, to measure its stability). Corpora larger than
    `sweep_max_units` are swept on a seeded sample of that many units."""
    settings = topic_settings(topic_params)
    bow, texts = data.bow, data.texts
    limit = getattr(topic_params, "sweep_max_units", SWEEP_MAX_UNITS)
    if limit and len(bow) > limit:
        keep = np.sort(np.random.default_rng(seed).choice(len(bow), limit, replace=False))
        bow, texts = [bow[i] for i in keep], [texts[i] for i in keep]
    n_train = len(bow) - int(round(topic_params.holdout_fraction * len(bow)))
    if topic_params.num_topics == "auto":
        ks = k_values(topic_params.k_min, topic_params.k_max, topic_params.k_step, n_train)
    else:
        ks = [int(topic_params.num_topics)]
    seeds = sweep_seeds(seed, topic_params.sweep_seeds)
    return k_sweep(bow, texts, data.dictionary, ks, seeds, settings, topic_params.holdout_fraction)


def stability_of(sweep: KSweep, k: int) -> float:
    """Stability of K from the sweep (NaN if K was not swept)."""
    table = sweep.summary.set_index("k")
    return float(table.loc[k, "stability"]) if k in table.index else float("nan")


def model_coherence(
    fit: TopicModelFit, data: TopicData, max_units: int = SWEEP_MAX_UNITS
) -> dict[str, float]:
    """Mean c_v and NPMI of the final model's top-N words against the units (a seeded
    sample of `max_units` of them on a larger corpus: c_v slides a window over every text,
    which would take longer than the fit)."""
    texts = data.texts
    if max_units and len(texts) > max_units:
        keep = np.sort(np.random.default_rng(fit.seed).choice(len(texts), max_units, replace=False))
        texts = [texts[i] for i in keep]
    words = [
        top_words(topic_word_matrix(fit.model), vocabulary_of(data.dictionary), fit.settings.top_n)
    ]
    top_n = fit.settings.top_n
    return {
        "c_v": coherence_scores(words, texts, data.dictionary, "c_v", top_n)[0],
        "npmi": coherence_scores(words, texts, data.dictionary, "c_npmi", top_n)[0],
    }


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
        "stability": "mean best-match cosine similarity of topics across seeds",
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
