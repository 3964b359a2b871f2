"""Scores of a fitted topic model used to choose K: held-out likelihood by document
completion (Wallach et al. 2009) on a seeded split, and coherence of the top words
(gensim's CoherenceModel, `analysis.topics.coherence`; one process per measure)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from gensim.corpora import Dictionary

from analysis.core.errors import InputError
from analysis.topics.coherence import coherence_model
from analysis.topics.model import BagOfWords, topic_word_matrix


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


def coherence_scores(
    topic_sets: list[list[list[str]]],
    texts: list[list[str]],
    dictionary: Dictionary,
    measure: str,
    top_n: int,
) -> list[float]:
    """Mean coherence of each model's topics; the word statistics are estimated once for
    all models together (one pass over the texts per measure, `coherence_model`)."""
    model = coherence_model(topic_sets, texts, dictionary, measure, top_n)
    return [float(mean) for _, mean in model.compare_model_topics(topic_sets)]


def coherence_by_measure(
    topic_sets: list[list[list[str]]],
    texts: list[list[str]],
    dictionary: Dictionary,
    measures: Sequence[str],
    top_n: int,
    processes: int = 1,
) -> dict[str, list[float]]:
    """`coherence_scores` for each measure, the measures computed side by side in up to
    `processes` forked processes (the same numbers as one after another)."""
    workers = min(processes, len(measures))
    if workers <= 1:
        return {m: coherence_scores(topic_sets, texts, dictionary, m, top_n) for m in measures}
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = {
            m: pool.submit(coherence_scores, topic_sets, texts, dictionary, m, top_n)
            for m in measures
        }
        return {m: future.result() for m, future in futures.items()}
