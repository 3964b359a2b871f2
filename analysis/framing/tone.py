"""Tone toward actors: sentence-level VADER sentiment, by group, with bootstrap intervals.

Each sentence gets NLTK's VADER compound score (-1 most negative, +1 most positive), with
the lexicon shipped inside the installed `vaderSentiment` package (nothing is downloaded).
The tone toward an actor in a group is the mean compound score of the group's sentences
that mention the actor; the interval comes from resampling those sentences.

This is lexical sentiment of the sentence, not stance toward the actor: a sentence that
mentions Israel and a massacre scores negative whoever is blamed. Read the sentences.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.corpus.patterns import require_columns
from analysis.corpus.sentences import sentence_spans
from analysis.framing.actors import ActorGazetteer, find_actors
from analysis.framing.salience import group_rng
from analysis.stats.bootstrap import percentile_interval

SENTENCE_COLUMNS = {
    "segment_id": "unit (segment) id",
    "doc_id": "document id",
    "group": "comparison group (source)",
    "sentence": "sentence number within the unit (0-based)",
    "actor": "gazetteer actor id mentioned in the sentence",
    "compound": "VADER compound score of the sentence (-1 negative .. +1 positive)",
    "text": "the sentence",
}
TONE_COLUMNS = {
    "group": "comparison group (source)",
    "actor": "actor id",
    "name": "actor name",
    "camp": "actor's camp",
    "n_sentences": "sentences of the group mentioning the actor",
    "mean_compound": "mean VADER compound score of those sentences",
    "ci_low": "lower bound of the 95% bootstrap interval (sentences resampled)",
    "ci_high": "upper bound of the 95% bootstrap interval",
}


def vader_lexicon_path() -> Path:
    """The VADER lexicon file inside the installed vaderSentiment package."""
    import vaderSentiment

    path = Path(vaderSentiment.__file__).resolve().parent / "vader_lexicon.txt"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: VADER lexicon missing; reinstall vaderSentiment")
    return path


@functools.cache
def vader_analyzer():
    """NLTK's VADER with the lexicon from vaderSentiment (no nltk.download).

    nltk >= 3.10 only opens files under its data path, so the package folder is
    authorised for the duration of the load and removed again.
    """
    import nltk
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    path = vader_lexicon_path()
    folder = str(path.parent)
    added = folder not in nltk.data.path
    if added:
        nltk.data.path.append(folder)
    try:
        return SentimentIntensityAnalyzer(lexicon_file="file:" + str(path))
    finally:
        if added:
            nltk.data.path.remove(folder)


def sentence_compound(sentence: str) -> float:
    """VADER compound score of one sentence."""
    return float(vader_analyzer().polarity_scores(sentence)["compound"])


def actor_sentences(units: pd.DataFrame, gazetteer: ActorGazetteer) -> pd.DataFrame:
    """One row per sentence × actor mentioned in it, with its compound score."""
    require_columns(units, ["segment_id", "doc_id", "group", "text"], "actor_sentences(units)")
    rows = []
    for seg, doc, group, text in units[["segment_id", "doc_id", "group", "text"]].itertuples(
        index=False
    ):
        text = str(text)
        for i, (a, b) in enumerate(sentence_spans(text)):
            sentence = " ".join(text[a:b].split())
            actors = sorted({actor for actor, *_ in find_actors(sentence, gazetteer)})
            if actors:
                score = sentence_compound(sentence)
                rows.extend((seg, doc, group, i, actor, score, sentence) for actor in actors)
    return pd.DataFrame(rows, columns=list(SENTENCE_COLUMNS))


def actor_tone(
    sentences: pd.DataFrame,
    gazetteer: ActorGazetteer,
    n_samples: int = 1000,
    seed: int = 0,
    min_sentences: int = 1,
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean compound per group × actor with percentile bootstrap intervals (TONE_COLUMNS)."""
    rows = []
    for (group, actor), part in sentences.groupby(["group", "actor"], sort=True):
        scores = part["compound"].to_numpy(float)
        if len(scores) < min_sentences:
            continue
        rng = group_rng(seed, f"{group}\x00{actor}")
        draws = rng.integers(0, len(scores), size=(n_samples, len(scores)))
        means = scores[draws].mean(axis=1)
        low, high = percentile_interval(means, level)
        rows.append(
            (group, actor, gazetteer.names()[actor], gazetteer.camps()[actor], len(scores),
             scores.mean(), low, high)
        )  # fmt: skip
    return pd.DataFrame(rows, columns=list(TONE_COLUMNS))


@dataclass(frozen=True)
class ActorTone:
    sentences: pd.DataFrame
    tone: pd.DataFrame


def tone_toward_actors(
    units: pd.DataFrame,
    gazetteer: ActorGazetteer,
    n_samples: int,
    seed: int,
    level: float = 0.95,
) -> ActorTone:
    """Sentence scores and per-group tone toward each actor (one notebook step)."""
    sentences = actor_sentences(units, gazetteer)
    tone = actor_tone(sentences, gazetteer, n_samples, seed, level=level)
    return ActorTone(sentences, tone)
