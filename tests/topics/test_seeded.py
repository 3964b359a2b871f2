"""Tests of analysis.topics.seeded: a seeded topic captures its planted words."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.corpora import Dictionary

from analysis.core.errors import InputError
from analysis.topics.model import (
    TopicSettings,
    fit_topic_model,
    term_probabilities,
    topic_word_evidence,
    topic_word_matrix,
    vocabulary_of,
)
from analysis.topics.seeded import (
    read_seed_words,
    seed_strength_table,
    seed_term_ids,
    seeded_eta,
    term_ids,
)

FAST = TopicSettings(passes=10, iterations=100, min_updates=20, eta=0.1)


def planted(seed: int = 0):
    """Three planted topics: settlements (settlement*, outpost*, west_bank), talks, economy."""
    rng = np.random.default_rng(seed)
    words = {
        "s": ["settlement", "settlements", "outpost", "outposts", "west_bank", "annex", "land"],
        "t": ["talks", "conference", "paris", "envoy", "summit", "meeting", "ministers"],
        "e": ["trade", "growth", "market", "jobs", "exports", "prices", "bank"],
    }
    texts = [list(rng.choice(words["set"[i % 3]], 25)) for i in range(60)]
    dictionary = Dictionary(texts)
    return [dictionary.doc2bow(t) for t in texts], dictionary


def test_terms_match_stems_and_phrases():
    token2id = {"settlement": 0, "settlements": 1, "resettlement": 2, "west_bank": 3}
    assert term_ids("settlement*", token2id) == [0, 1]
    assert term_ids("West Bank", token2id) == [3]
    with pytest.raises(InputError, match="outpost"):
        seed_term_ids({"s": ["outpost*"]}, token2id, "seeds.yaml")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_seeded_topic_captures_its_planted_words(seed):
    bow, dictionary = planted()
    ids = seed_term_ids(
        {"settlements": ["settlement*", "outpost*", "west bank"]}, dictionary.token2id
    )
    counts = term_probabilities(bow, len(dictionary)) * sum(c for d in bow for _, c in d)
    eta = seeded_eta(4, counts, ids, 0.1, 0.2)
    fit = fit_topic_model(bow, dictionary, 4, FAST, seed, eta)
    vocabulary = vocabulary_of(dictionary)
    phi = topic_word_matrix(fit.model)
    top = {vocabulary[i] for i in np.argsort(-phi[0])[:7]}
    assert {"settlement", "settlements", "outpost", "outposts", "west_bank"} <= top
    strength = seed_strength_table(phi, topic_word_evidence(fit.model), ids, vocabulary)
    assert (strength["share_in_topic"] > 0.9).all()
    assert strength["rank"].max() <= 7


def test_the_prior_raises_only_the_seed_words_of_their_topic():
    eta = seeded_eta(3, np.array([10.0, 4.0, 6.0]), {"x": [1], "y": [0, 2]}, 0.5, 2.0)
    np.testing.assert_allclose(eta, [[0.5, 8.5, 0.5], [20.5, 0.5, 12.5], [0.5, 0.5, 0.5]])
    with pytest.raises(InputError, match="num_topics"):
        seeded_eta(1, np.ones(3), {"x": [1], "y": [0]}, 0.5, 1.0)


def test_seed_file_errors_name_the_file(tmp_path):
    path = tmp_path / "seeds.yaml"
    path.write_text("settlements: [settlement*, outpost*]\ntalks: talks\n")
    assert read_seed_words(path) == {"settlements": ["settlement*", "outpost*"], "talks": ["talks"]}
    path.write_text("- just a list\n")
    with pytest.raises(InputError, match="seeds.yaml"):
        read_seed_words(path)
    with pytest.raises(InputError, match="not found"):
        read_seed_words(tmp_path / "missing.yaml")
