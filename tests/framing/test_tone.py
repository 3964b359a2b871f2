"""Tone: NLTK VADER with the vaderSentiment lexicon equals vaderSentiment's own score."""

import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.core.paths import RESOURCES
from analysis.framing.actors import load_actor_gazetteer
from analysis.framing.tone import actor_sentences, actor_tone, sentence_compound, tone_toward_actors

SENTENCES = [
    "The peace talks were a great success.",
    "This Israeli position is fundamentally mistaken.",
    "The attack was horrible and tragic, but the talks were not bad.",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_compound_equals_vadersentiment(sentence):
    expected = SentimentIntensityAnalyzer().polarity_scores(sentence)["compound"]
    assert sentence_compound(sentence) == pytest.approx(expected, abs=1e-12)
    assert expected != 0.0  # the lexicon was really loaded


def test_nltk_data_path_is_left_unchanged():
    import nltk

    before = list(nltk.data.path)
    sentence_compound("good")
    assert nltk.data.path == before


def test_tone_per_actor_is_mean_of_its_sentences():
    gazetteer = load_actor_gazetteer(RESOURCES / "actors.yaml")
    units = pd.DataFrame(
        {
            "segment_id": ["s1", "s2"],
            "doc_id": "d",
            "group": "G",
            "text": [
                "Israel praised the great success. Russia was silent.",
                "Israel condemned the horrible attack.",
            ],
        }
    )
    sentences = actor_sentences(units, gazetteer)
    assert sentences["actor"].tolist() == ["israel", "russia", "israel"]
    tone = actor_tone(sentences, gazetteer, n_samples=200, seed=1).set_index("actor")
    expected = (sentence_compound("Israel praised the great success.")
                + sentence_compound("Israel condemned the horrible attack.")) / 2  # fmt: skip
    assert tone.loc["israel", "mean_compound"] == pytest.approx(expected)
    assert tone.loc["israel", "ci_low"] <= expected <= tone.loc["israel", "ci_high"]
    assert tone.loc["israel", "n_sentences"] == 2
    again = tone_toward_actors(units, gazetteer, 200, 1).tone.set_index("actor")
    pd.testing.assert_frame_equal(again, tone)
