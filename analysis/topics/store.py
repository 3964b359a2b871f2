"""The topic model of a run: K chosen by the sweep, the model fitted, cached on disk.

The topic notebook and the framing notebook's topic networks (ANTMN) must use one and the
same model. Fitting is deterministic, so the cache only saves time: it is keyed by the
corpus fingerprint, the topic parameters, the seed and the code of the topic modules, and
an unreadable entry is simply fitted again.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.core.atomic import atomic_directory
from analysis.core.paths import PROJECT_ROOT, project_path
from analysis.topics import model as topics
from analysis.topics import selection as topic_selection

_CODE = ("topics/model.py", "topics/selection.py", "topics/store.py", "corpus/prepare.py")


@dataclass(frozen=True)
class SelectedTopicModel:
    """The sweep over K, the choice it led to, and the model fitted with that K."""

    data: topics.TopicData
    sweep: topic_selection.KSweep
    choice: topic_selection.KChoice
    fit: topics.TopicModelFit


def selected_topic_model(corpus: Any, params: Any, use_cache: bool = True) -> SelectedTopicModel:
    """Sweep K (or check a fixed K's stability), choose, fit: the run's topic model."""
    data = topics.topic_data(corpus)
    folder = project_path(params.run.cache_dir) / "topics" / model_key(corpus, params)
    if use_cache:
        cached = _load(folder)
        if cached is not None:
            sweep, choice, fit = cached
            return SelectedTopicModel(data, sweep, choice, fit)
    sweep = topic_selection.k_sweep_for(data, params.topics, params.run.seed)
    threshold = topic_selection.stability_threshold(params.topics)
    choice = topic_selection.resolve_num_topics(params.topics.num_topics, sweep, threshold)
    settings = topics.topic_settings(params.topics)
    fit = topics.fit_topic_model(
        data.bow, data.dictionary, choice.k, settings, params.run.seed, progress=True
    )
    if use_cache:
        _save(folder, (sweep, choice, fit))
    return SelectedTopicModel(data, sweep, choice, fit)


def model_key(corpus: Any, params: Any) -> str:
    """Hash of what decides the model: corpus, topic settings, seed, topic-modelling code."""
    digest = hashlib.sha256(corpus.fingerprint.encode())
    digest.update(json.dumps(params.section("topics"), sort_keys=True).encode())
    digest.update(str(params.run.seed).encode())
    for name in _CODE:
        digest.update((PROJECT_ROOT / "analysis" / name).read_bytes())
    return digest.hexdigest()[:32]


def _save(folder: Path, value: tuple) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    with atomic_directory(folder) as tmp:
        (tmp / "model.pickle").write_bytes(data)
        (tmp / "sha256").write_text(hashlib.sha256(data).hexdigest())


def _load(folder: Path) -> tuple | None:
    """The cached (sweep, choice, fit), or None if absent, partial or corrupt."""
    try:
        data = (folder / "model.pickle").read_bytes()
        if hashlib.sha256(data).hexdigest() != (folder / "sha256").read_text().strip():
            return None
        return pickle.loads(data)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
