"""The final topic model of a large corpus: restarts on the sweep's sample, then one fit of
every unit streamed from disk.

Up to `topics.sweep_max_units` units, the restarts are fitted on every unit and the chosen
one is the final model (`analysis.topics.restarts`). Above it, fitting every restart on
every unit would cost R full fits for one choice: the restarts are fitted, in parallel, on
the sweep's seeded sample, chosen by `topics.restart_rule` there, and the chosen restart's
seed is fitted once more on all units, in the same shuffled order and chunks as any fit
(`fit_topic_model`), reading the bags of words from the corpus's Matrix Market file
(`stream.training_units`). Every restart's topic proportions are then inferred for all
units per partition, and its topics renumbered to the final model's. The bounds and the
agreement between restarts in the restart table are those measured on the sample.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from analysis.topics.model import TopicData, fit_topic_model, topic_settings, topic_word_evidence
from analysis.topics.restarts import (
    RestartSet,
    available_processes,
    fit_restarts,
    restart_rule,
    restart_seeds,
)
from analysis.topics.selection import sweep_sample
from analysis.topics.stability import matched_similarities, topic_matching
from analysis.topics.stream import document_gammas, training_units


def final_restarts(
    data: TopicData, k: int, params: Any, eta: np.ndarray | None = None
) -> RestartSet:
    """The restarts of K and the final model (see the module docstring); on a corpus of at
    most `topics.sweep_max_units` units, exactly `fit_restarts` on every unit."""
    topic_params, seed = params.topics, params.run.seed
    settings = topic_settings(topic_params)
    rows = sweep_sample(len(data.bow), topic_params.sweep_max_units, seed)
    bow = data.bow if rows is None else [data.bow[i] for i in rows]
    restarts = fit_restarts(
        bow,
        data.dictionary,
        k,
        settings,
        restart_seeds(seed, topic_params.restarts),
        restart_rule(topic_params),
        available_processes(topic_params.processes),
        eta,
        inference_seed=seed,
    )
    if rows is None:
        return restarts
    final = fit_topic_model(
        training_units(data), data.dictionary, k, settings, restarts.fit.seed, eta,
        progress=f"final fit, K={k}",
    )  # fmt: skip
    final.model.callbacks = None  # the convergence monitor holds a sample of the corpus
    return refitted(restarts, final, data, seed)


def refitted(restarts: RestartSet, final: Any, data: TopicData, seed: int) -> RestartSet:
    """`restarts` with the chosen one replaced by `final`, every restart's proportions
    inferred for all units of `data` (per partition) and renumbered to `final`'s topics."""
    fits = list(restarts.fits)
    fits[restarts.chosen] = final
    gammas = document_gammas([f.model for f in fits], data, seed)
    evidence = [topic_word_evidence(f.model) for f in fits]
    reference = evidence[restarts.chosen]
    alignments = [topic_matching(reference, e) for e in evidence]
    others = [r for r in range(len(fits)) if r != restarts.chosen]
    agreement = (
        np.mean([matched_similarities(reference, evidence[r]) for r in others], axis=0)
        if others
        else np.full(final.num_topics, np.nan)
    )
    return replace(
        restarts,
        fits=tuple(fits),
        gammas=tuple(g[:, a] for g, a in zip(gammas, alignments, strict=True)),
        alignments=tuple(alignments),
        topic_agreement=agreement,
    )
