"""The topic model of a run: K chosen by the sweep, restarts fitted, one chosen, cached.

The topic notebook and the framing notebook's topic networks (ANTMN) must use one and the
same model. Fitting is deterministic, so the cache only saves time: it is keyed by the
corpus fingerprint, the topic parameters, the seed-word file's content, the seed and the
code of the topic modules, and an unreadable entry is simply fitted again.
"""

from __future__ import annotations

import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.core.atomic import atomic_directory
from analysis.core.cache import cache_key, entry_lock, seal, unseal
from analysis.core.paths import project_path
from analysis.corpus import prepare
from analysis.topics import bound, final, inference, labels, scores, stability, stream, units
from analysis.topics import model as topics
from analysis.topics import restarts as topic_restarts
from analysis.topics import seeded as topic_seeds
from analysis.topics import selection as topic_selection

# The code that decides a fitted model: a change to any of it fits again.
CODE = (
    topics,
    inference,
    bound,
    topic_selection,
    scores,
    stability,
    labels,
    topic_restarts,
    topic_seeds,
    sys.modules[__name__],
    prepare,
    units,
    stream,
    final,
)

# Topic parameters that do not change the fitted models (results are identical for any
# number of processes), so they do not change the cache key.
_NOT_MODEL = frozenset(
    {
        "processes",
        "labels_file",
        "bootstrap_samples",
        "effect_draws",
        "frex_weight",
        "intrusion_items",
        "intrusion_coded_files",
    }
)


@dataclass(frozen=True)
class SelectedTopicModel:
    """The sweep over K, the choice it led to, and the restarts fitted with that K."""

    data: topics.TopicData
    sweep: topic_selection.KSweep
    choice: topic_selection.KChoice
    restarts: topic_restarts.RestartSet
    seeds: dict[str, list[int]]  # seeded topic name -> vocabulary ids (topic i = i-th name)

    @property
    def fit(self) -> topics.TopicModelFit:
        """The chosen restart: the run's topic model."""
        return self.restarts.fit


def seed_words(data: topics.TopicData, topic_params: Any) -> dict[str, list[int]]:
    """The seeded topics of `topics.seed_words_file` as vocabulary ids ({} when unset)."""
    if not topic_params.seed_words_file:
        return {}
    path = project_path(topic_params.seed_words_file)
    terms = topic_seeds.read_seed_words(path)
    return topic_seeds.seed_term_ids(terms, data.dictionary.token2id, str(path))


def eta_builder(data: topics.TopicData, topic_params: Any, seeds: dict[str, list[int]]):
    """K -> the seeded K x V prior (None without seeded topics)."""
    if not seeds:
        return None
    counts = data.term_probabilities()
    counts = counts * sum(data.units["n_tokens"])
    settings = topics.topic_settings(topic_params)
    weight = float(topic_params.seed_weight)
    return lambda k: topic_seeds.seeded_eta(k, counts, seeds, settings.eta, weight)


def selected_topic_model(corpus: Any, params: Any, use_cache: bool = True) -> SelectedTopicModel:
    """Sweep K (or check a fixed K's agreement across seeds), choose, fit the restarts and
    choose among them: the run's topic model (fitted once per cache entry: a notebook that
    asks while another fits it waits, then reads it)."""
    data = stream.topic_data_of(corpus, params)
    seeds = seed_words(data, params.topics)
    if not use_cache:
        return SelectedTopicModel(data, *_fitted(data, params, seeds), seeds)
    folder = project_path(params.run.cache_dir) / "topics" / model_key(corpus, params)
    with entry_lock(folder):
        fitted = _load(folder)
        if fitted is None:
            fitted = _fitted(data, params, seeds)
            _save(folder, fitted)
    return SelectedTopicModel(data, *fitted, seeds)


def _fitted(data: topics.TopicData, params: Any, seeds: dict[str, list[int]]) -> tuple:
    """(sweep, choice, restarts): the sweep over K, the K chosen, its restarts."""
    eta_for = eta_builder(data, params.topics, seeds)
    sweep = topic_selection.k_sweep_for(data, params.topics, params.run.seed, eta_for)
    choice = topic_selection.resolve_num_topics(
        params.topics.num_topics,
        sweep,
        topic_selection.stability_threshold(params.topics),
        topic_selection.ari_threshold(params.topics),
    )
    restarts = final.final_restarts(data, choice.k, params, eta_for(choice.k) if eta_for else None)
    return sweep, choice, restarts


def model_key(corpus: Any, params: Any) -> str:
    """Hash of what decides the model: corpus, topic settings, seed, seed words and the code
    of the topic-modelling stages (`analysis.core.cache`)."""
    settings = {k: v for k, v in params.section("topics").items() if k not in _NOT_MODEL}
    seed_words = ""
    if params.topics.seed_words_file:
        seed_words = project_path(params.topics.seed_words_file).read_text(encoding="utf-8")
    return cache_key(
        "topic-model",
        CODE,
        corpus.fingerprint,
        settings,
        params.run.seed,
        seed_words,
    )


def _save(folder: Path, value: tuple) -> None:
    with atomic_directory(folder) as tmp:
        (tmp / "model.pickle").write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        seal(tmp, {"kind": "topic-model"})


def _load(folder: Path) -> tuple | None:
    """The cached (sweep, choice, fit), or None if absent, partial or corrupt."""
    if unseal(folder) is None:
        return None
    try:
        return pickle.loads((folder / "model.pickle").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
