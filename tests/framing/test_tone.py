"""Tone: scores equal the reference vaderSentiment; several actors get their own clauses."""

import random

import pandas as pd
import pytest
from vaderSentiment import vaderSentiment as vader
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.core.paths import RESOURCES
from analysis.corpus.sentences import split_sentences
from analysis.framing.actors import load_actor_gazetteer
from analysis.framing.tone import (
    SENTENCE_SCHEMA,
    actor_parts,
    actor_sentences,
    actor_tone,
    clause_spans,
    corpus_tone,
    sentence_compound,
    tone_toward_actors,
    vader_analyzer,
)
from tests.conftest import PROJECT_ROOT
from tests.framing.conftest import first_per

# Each case with the compound score the reference implementation gives (vaderSentiment
# 3.3.2); NLTK's port gives -0.60 for the first and +0.53 for the second.
REFERENCE_CASES = [
    ("no problem at all", 0.3089),  # negation of a negative word
    ("this is not a retread of dead poets society .", -0.6486),
    ("The food is good but the service is terrible.", -0.4939),  # "but"
    ("The talks were very good.", 0.4927),  # intensifier
    ("The talks were VERY GOOD!!!", 0.7604),  # capitals and exclamation marks
    ("kind of good", 0.4404),  # "kind of" dampener
    ("I love it 😀", 0.7717),  # emoji
    ("extremely bad", -0.5849),
]


@pytest.mark.parametrize(("sentence", "expected"), REFERENCE_CASES)
def test_compound_equals_the_reference_vader(sentence, expected):
    reference = SentimentIntensityAnalyzer().polarity_scores(sentence)["compound"]
    assert sentence_compound(sentence) == reference == pytest.approx(expected, abs=1e-4)


def test_every_score_equals_the_stock_analyzer_on_seed_and_adversarial_sentences():
    """The windowed look-back checks change no score: all four VADER scores of every seed
    sentence and of random sentences dense in negations, idioms, boosters, "least", "but",
    capitals and punctuation equal those of the stock `SentimentIntensityAnalyzer`."""
    stock, ours = SentimentIntensityAnalyzer(), vader_analyzer()
    texts = [p.read_text(encoding="utf-8") for p in sorted((PROJECT_ROOT / "seeds").glob("*.txt"))]
    sentences = [s for text in texts for s in split_sentences(text)]
    words = (
        [w for phrase in vader.SPECIAL_CASES for w in phrase.split()]
        + [w for phrase in vader.BOOSTER_DICT for w in phrase.split()]
        + list(vader.NEGATE)[:30]
        + ["good", "bad", "GREAT", "terrible", "love", "hate", "no", "never", "so", "this",
           "without", "doubt", "least", "at", "very", "but", "BUT", "kind", "of", "not",
           "peace", "war", "!", "?", "!!!", ":)", "😀", "isn't", "Israel", "the"]
    )  # fmt: skip
    for phrase in [*vader.SPECIAL_CASES, *vader.BOOSTER_DICT]:  # at every offset from i
        sentences += [f"so we are the {phrase} now", f"never so this {phrase}", f"{phrase} ok"]
    rng = random.Random(11)
    for _ in range(3000):
        sentences.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))))
    sentences += [f"  {s}\t" for s in sentences[-50:]]  # white space VADER strips
    sentences += ["good😀 bad", "😀good", " 😀 ", "not 😀 so bad", "kind of 💔 but great"]
    assert len(sentences) > 3100
    changed = [s for s in sentences if ours.polarity_scores(s) != stock.polarity_scores(s)]
    assert changed == []
    assert sum(stock.polarity_scores(s)["compound"] != 0 for s in sentences) > 2000


@pytest.fixture(scope="module")
def gazetteer():
    return load_actor_gazetteer(RESOURCES / "actors.yaml")


def test_clauses_cut_at_semicolons_and_conjunctions_not_at_bare_commas():
    sentence = "Israel, a UN member, welcomed it; Russia objected, but Egypt agreed, and so on"
    pieces = [sentence[a:b] for a, b in clause_spans(sentence)]
    assert pieces == ["Israel, a UN member, welcomed it", "Russia objected", "but Egypt agreed",
                      "and so on"]  # fmt: skip


def test_each_actor_gets_the_clause_about_it(gazetteer):
    sentence = "Israel welcomed the plan, but the Palestinian Authority rejected it as unjust."
    parts = actor_parts(sentence, gazetteer)
    assert parts["israel"] == ("clause", "Israel welcomed the plan")
    scope, text = parts[next(a for a in parts if a != "israel")]
    assert (scope, text) == ("clause", "but the Palestinian Authority rejected it as unjust.")
    assert sentence_compound(parts["israel"][1]) > 0 > sentence_compound(text)
    # one actor, or an actor in every clause: the whole sentence
    assert actor_parts("Israel rejected it.", gazetteer) == {
        "israel": ("sentence", "Israel rejected it.")
    }
    both = actor_parts("Israel and Russia agreed, but Israel later balked.", gazetteer)
    assert both["israel"] == ("sentence", "Israel and Russia agreed, but Israel later balked.")
    assert both["russia"] == ("clause", "Israel and Russia agreed")


def test_a_clause_without_actor_joins_the_one_before(gazetteer):
    parts = actor_parts("Russia proposed talks; Israel refused; it was a disaster.", gazetteer)
    assert parts["israel"] == ("clause", "Israel refused it was a disaster.")
    assert parts["russia"] == ("clause", "Russia proposed talks")


def test_tone_per_actor_is_mean_of_its_sentences(gazetteer):
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
    assert set(sentences["scope"]) == {"sentence"}
    tone = actor_tone(sentences, gazetteer, n_samples=200, seed=1).set_index("actor")
    expected = (sentence_compound("Israel praised the great success.")
                + sentence_compound("Israel condemned the horrible attack.")) / 2  # fmt: skip
    assert tone.loc["israel", "mean_compound"] == pytest.approx(expected)
    assert tone.loc["israel", "ci_low"] <= expected <= tone.loc["israel", "ci_high"]
    assert tone.loc["israel", "ci_low"] < tone.loc["israel", "ci_high"]
    assert tone.loc["israel", "n_sentences"] == 2
    again = tone_toward_actors(units, gazetteer, 200, 1).tone.set_index("actor")
    pd.testing.assert_frame_equal(again, tone)


def test_a_repeated_sentence_gets_its_rows_each_time_it_occurs(gazetteer):
    text = "Israel and Russia agreed, but Israel later balked. Nobody came."
    units = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "doc_id": ["a", "a", "b"],
                          "group": ["G", "G", "H"], "text": [text, text, text]})  # fmt: skip
    rows = actor_sentences(units, gazetteer)
    one = actor_sentences(units.iloc[:1], gazetteer)
    assert len(rows) == 3 * len(one) == 6
    for _, part in rows.groupby("segment_id"):
        pd.testing.assert_frame_equal(
            part.drop(columns=["segment_id", "doc_id", "group"]).reset_index(drop=True),
            one.drop(columns=["segment_id", "doc_id", "group"]),
        )


def _seed_tone(seed_runs, seed_segments):
    params = seed_runs["one"][1]
    gazetteer = load_actor_gazetteer(params.framing.actors_file)
    framing = params.framing
    tone = tone_toward_actors(seed_segments, gazetteer, framing.bootstrap_samples,
                              params.run.seed, framing.ci_level)  # fmt: skip
    return gazetteer, tone


def test_tone_of_the_partitioned_corpus_equals_that_of_its_segments(seed_runs, seed_segments):
    gazetteer, reference = _seed_tone(seed_runs, seed_segments)
    for corpus, params in seed_runs.values():
        tone = corpus_tone(corpus, gazetteer, params)
        pd.testing.assert_frame_equal(tone.tone, reference.tone)
        pd.testing.assert_frame_equal(tone.sentences, reference.sentences)


def test_tone_sentences_keep_the_first_rows_per_group_and_actor(
    seed_runs, seed_segments, capped_run
):
    gazetteer, reference = _seed_tone(seed_runs, seed_segments)
    corpus, params = capped_run
    tone = corpus_tone(corpus, gazetteer, params)
    pd.testing.assert_frame_equal(tone.tone, reference.tone)  # every sentence counted
    expected = first_per(reference.sentences, ["group", "actor"], 2)
    pd.testing.assert_frame_equal(tone.sentences, expected)
    assert "framing.evidence_rows" in SENTENCE_SCHEMA["description"]
