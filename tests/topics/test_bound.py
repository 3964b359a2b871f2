"""Tests of analysis.topics.bound: equal to gensim's own bound."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.corpora import Dictionary

from analysis.topics.bound import variational_bound
from analysis.topics.model import TopicSettings, fit_topic_model


def test_bound_equals_gensims_for_a_scalar_prior():
    rng = np.random.default_rng(0)
    texts = [list(rng.choice([f"w{i}" for i in range(60)], 40)) for _ in range(50)]
    dictionary = Dictionary(texts)
    bow = [dictionary.doc2bow(t) for t in texts]
    model = fit_topic_model(bow, dictionary, 3, TopicSettings(passes=2, min_updates=1), 1).model
    gamma, _ = model.inference(bow)
    expected = model.bound(bow, gamma=gamma[:, np.newaxis, :], subsample_ratio=2.0)
    assert variational_bound(model, bow, gamma, 2.0) == pytest.approx(expected, rel=1e-12)
