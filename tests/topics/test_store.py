"""The run's topic model is fitted once and shared; the cache never changes the answer."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.core.params import build_params
from analysis.corpus.prepare import partitioned_corpus
from analysis.topics import model as topics
from analysis.topics import store as topic_model_store


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    params = build_params(
        {
            "run": {"cache_dir": str(cache)},
            "topics": {"num_topics": 3, "sweep_seeds": 2, "min_updates": 20, "passes": 5},
        }
    )
    return partitioned_corpus(params), params, cache


def test_cached_model_is_the_fitted_model(setting):
    corpus, params, cache = setting
    fresh = topic_model_store.selected_topic_model(corpus, params, use_cache=False)
    first = topic_model_store.selected_topic_model(corpus, params)
    again = topic_model_store.selected_topic_model(corpus, params)
    assert fresh.choice.k == first.choice.k == again.choice.k == 3
    matrices = [topics.topic_word_matrix(m.fit.model) for m in (fresh, first, again)]
    assert np.array_equal(matrices[0], matrices[1]) and np.array_equal(matrices[1], matrices[2])
    assert [p.name for p in (cache / "topics").iterdir() if not p.name.startswith(".")] == [
        topic_model_store.model_key(corpus, params)
    ]  # one entry (beside its hidden lock file)


def test_corrupt_cache_is_refitted(setting):
    corpus, params, cache = setting
    reference = topic_model_store.selected_topic_model(corpus, params)
    entry = cache / "topics" / topic_model_store.model_key(corpus, params)
    (entry / "model.pickle").write_bytes(b"not a pickle")
    refitted = topic_model_store.selected_topic_model(corpus, params)
    assert np.array_equal(
        topics.topic_word_matrix(reference.fit.model), topics.topic_word_matrix(refitted.fit.model)
    )


def test_key_follows_topic_settings_and_seed(setting):
    corpus, params, _ = setting
    other_k = build_params(
        {**params.to_dict(), "topics": {**params.section("topics"), "num_topics": 4}}
    )
    other_seed = build_params({**params.to_dict(), "run": {**params.section("run"), "seed": 1}})
    keys = {topic_model_store.model_key(corpus, p) for p in (params, other_k, other_seed)}
    assert len(keys) == 3


def test_key_follows_the_seed_word_file_but_not_the_number_of_processes(setting, tmp_path):
    corpus, params, _ = setting
    seeds = tmp_path / "seeds.yaml"
    seeds.write_text("settlements: [settlement*]\n")

    def with_topics(**changes):
        return build_params({**params.to_dict(), "topics": {**params.section("topics"), **changes}})

    seeded = with_topics(seed_words_file=str(seeds))
    first = topic_model_store.model_key(corpus, seeded)
    seeds.write_text("settlements: [settlement*, west]\n")
    assert topic_model_store.model_key(corpus, seeded) != first
    assert topic_model_store.model_key(corpus, with_topics(processes=1)) == (
        topic_model_store.model_key(corpus, params)
    )


def test_seeded_run_anchors_topic_zero_and_keeps_every_restart(setting, tmp_path):
    corpus, params, _ = setting
    seeds = tmp_path / "seeds.yaml"
    seeds.write_text("settlements: [settlement*]\n")
    seeded = build_params(
        {
            **params.to_dict(),
            "topics": {
                **params.section("topics"),
                "seed_words_file": str(seeds),
                "restarts": 2,
                "seed_weight": 1.0,
            },
        }
    )
    model = topic_model_store.selected_topic_model(corpus, seeded, use_cache=False)
    assert list(model.seeds) == ["settlements"] and len(model.restarts.fits) == 2
    vocabulary = topics.vocabulary_of(model.data.dictionary)
    phi = topics.topic_word_matrix(model.fit.model)
    ids = model.seeds["settlements"]
    assert all(vocabulary[i].startswith("settlement") for i in ids)
    assert phi[0, ids].sum() > phi[1:, ids].sum(axis=1).max()
