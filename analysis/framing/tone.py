"""Tone toward actors: VADER sentiment of what a sentence says about each actor, by group.

Scores are the reference VADER (Hutto & Gilbert 2014): the `SentimentIntensityAnalyzer`
of the installed `vaderSentiment` package, with its own lexicon and emoji lexicon (nothing
is downloaded), so a compound score here equals the one of that package: negation ("no
problem at all" +0.31), "but" (the words after it weigh 1.5 times, those before it half),
intensifiers ("very", "kind of"), capitals ("VERY GOOD") and "!!!" all behave as there.

**What is scored for an actor.** A sentence that names one actor is scored whole. A
sentence that names several is cut into clauses, and each actor gets the score of the
clauses that name it (joined by a space, then scored):

- a clause ends at ";" or ":", and before a contrastive or coordinating conjunction that
  starts a new clause: "but", "while", "whereas", "although", "though", "yet", "however",
  "and" or "or" after a comma (", and the Palestinians rejected it");
- a clause that names no actor ("..., but it failed") is joined to the clause before it
  (the first one to the clause after it); bare commas do not cut (appositives such as
  "Richard Mills, the US representative, said" stay whole);
- an actor named in every clause gets the whole sentence.

The `scope` column says which was used. What it cannot see: who the clause's sentiment is
aimed at ("Israel condemned the attack on Gaza" is negative for Israel, which did the
condemning), sarcasm, reported versus endorsed sentiment (a quoted accusation scores as
the accusation), and words VADER's lexicon does not know (diplomatic language is often
neutral to it). It is lexical tone of the words near an actor, not stance. Read the
sentences.

The tone toward an actor in a group is the mean of those scores; its interval comes from
resampling the scored sentences (`analysis.stats.bootstrap.resampled_sums`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pandas as pd
from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentimentIntensityAnalyzer, SentiText

from analysis.core.params import Params
from analysis.corpus.partition_map import reduce_segments
from analysis.corpus.prepare import PartitionedCorpus
from analysis.corpus.sentences import sentence_spans
from analysis.corpus.validate import require_columns
from analysis.framing.actors import ActorGazetteer, find_actors
from analysis.framing.partials import CAPPED_NOTE, first_rows, join_partials
from analysis.framing.salience import group_rng
from analysis.stats.bootstrap import percentile_interval, resampled_sums

SENTENCE_COLUMNS = {
    "segment_id": "unit (segment) id",
    "doc_id": "document id",
    "group": "comparison group (source)",
    "sentence": "sentence number within the unit (0-based)",
    "actor": "gazetteer actor id mentioned in the sentence",
    "scope": "'sentence' (one actor named, or the actor is in every clause) or 'clause'",
    "compound": "VADER compound score of the scored part (-1 negative .. +1 positive)",
    "sentence_compound": "VADER compound score of the whole sentence",
    "scored": "the part scored for the actor (the sentence or its clauses naming the actor)",
    "text": "the sentence",
}
TONE_COLUMNS = {
    "group": "comparison group (source)",
    "actor": "actor id",
    "name": "actor name",
    "camp": "actor's camp",
    "n_sentences": "sentences of the group mentioning the actor",
    "mean_compound": "mean VADER compound score of the parts about the actor",
    "ci_low": "lower bound of the 95% bootstrap interval (sentences resampled)",
    "ci_high": "upper bound of the 95% bootstrap interval",
}
_CLAUSE_BREAK = re.compile(
    r"\s*[;:]\s+|,?\s+(?=(?:but|while|whereas|although|though|yet|however)\b)"
    r"|,\s+(?=(?:and|or)\s)",
    re.I,
)


class WindowedAnalyzer(SentimentIntensityAnalyzer):
    """vaderSentiment's analyzer, unchanged but for what its two look-back checks are
    handed: for the word at i, `_negation_check` and `_special_idioms_check` lower-case the
    whole sentence and then read only the words i-3 .. i+2 (VADER calls them only for
    i > start_i, so never before the first word), which makes a sentence's cost grow
    with its length squared. Here they get those words alone, at the same offsets; and a
    text without emoji skips VADER's character-by-character emoji pass, which would copy
    it unchanged. The same scores (tests/framing/test_tone.py checks them against the
    stock analyzer)."""

    def __init__(self) -> None:
        super().__init__()
        # The emoji VADER's pass can see: it looks a text up one character at a time.
        self.emoji_chars = frozenset(e for e in self.emojis if len(e) == 1)

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not self.emoji_chars.isdisjoint(text):
            return super().polarity_scores(text)
        # SentimentIntensityAnalyzer.polarity_scores after its emoji pass, unchanged but for
        # not calling `sentiment_valence` on a word outside the lexicon (it appends 0).
        text = text.strip()
        sentitext = SentiText(text)
        sentiments = []
        words_and_emoticons = sentitext.words_and_emoticons
        for i, item in enumerate(words_and_emoticons):
            valence = 0
            if item.lower() in BOOSTER_DICT:
                sentiments.append(valence)
                continue
            if (i < len(words_and_emoticons) - 1 and item.lower() == "kind" and
                    words_and_emoticons[i + 1].lower() == "of"):  # fmt: skip
                sentiments.append(valence)
                continue
            if item.lower() not in self.lexicon:
                sentiments.append(valence)
                continue
            sentiments = self.sentiment_valence(valence, sentitext, item, i, sentiments)
        sentiments = self._but_check(words_and_emoticons, sentiments)
        return self.score_valence(sentiments, text)

    @staticmethod
    def _negation_check(valence, words_and_emoticons, start_i, i):
        first = max(0, i - 3)
        window = words_and_emoticons[first : i + 1]
        return SentimentIntensityAnalyzer._negation_check(valence, window, start_i, i - first)

    @staticmethod
    def _special_idioms_check(valence, words_and_emoticons, i):
        first = max(0, i - 3)
        window = words_and_emoticons[first : i + 3]
        return SentimentIntensityAnalyzer._special_idioms_check(valence, window, i - first)


@functools.cache
def vader_analyzer() -> SentimentIntensityAnalyzer:
    """The reference VADER analyzer, with the lexicons shipped inside vaderSentiment (its
    look-back checks handed only the words they read: `WindowedAnalyzer`)."""
    return WindowedAnalyzer()


def sentence_compound(sentence: str) -> float:
    """VADER compound score of one sentence (vaderSentiment's, unchanged)."""
    return float(vader_analyzer().polarity_scores(sentence)["compound"])


def clause_spans(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of a sentence (see the module docstring for the rule)."""
    cuts = [0]
    for match in _CLAUSE_BREAK.finditer(sentence):
        if match.start() > cuts[-1]:
            cuts += [match.start(), match.end()]
    cuts.append(len(sentence))
    spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    return [(a, b) for a, b in spans if sentence[a:b].strip()]


def actor_parts(sentence: str, gazetteer: ActorGazetteer) -> dict[str, tuple[str, str]]:
    """Actor id -> (scope, text to score) for every actor named in the sentence."""
    mentions = find_actors(sentence, gazetteer)
    actors = sorted({actor for actor, *_ in mentions})
    if len(actors) < 2:
        return {actor: ("sentence", sentence) for actor in actors}
    clauses: list[tuple[list[tuple[int, int]], set[str]]] = []
    for a, b in clause_spans(sentence):
        named = {actor for actor, _, start, _, _ in mentions if a <= start < b}
        if named or not clauses:
            clauses.append(([(a, b)], named))
        else:
            clauses[-1][0].append((a, b))
    if len(clauses) > 1 and not clauses[0][1]:  # a first clause without actor: to the next
        spans, _ = clauses.pop(0)
        clauses[0] = (spans + clauses[0][0], clauses[0][1])
    parts = {}
    for actor in actors:
        mine = [spans for spans, named in clauses if actor in named]
        if len(mine) == len(clauses):
            parts[actor] = ("sentence", sentence)
        else:
            text = " ".join(sentence[a:b].strip() for spans in mine for a, b in spans)
            parts[actor] = ("clause", text)
    return parts


def sentence_scores(
    sentence: str, gazetteer: ActorGazetteer
) -> list[tuple[str, str, float, float, str]]:
    """(actor, scope, compound of the part, compound of the sentence, part) for every actor
    named in the sentence (`actor_parts`)."""
    parts = actor_parts(sentence, gazetteer)
    if not parts:
        return []
    whole = sentence_compound(sentence)
    return [
        (actor, scope, whole if scope == "sentence" else sentence_compound(part), whole, part)
        for actor, (scope, part) in parts.items()
    ]


def actor_sentences(units: pd.DataFrame, gazetteer: ActorGazetteer) -> pd.DataFrame:
    """One row per sentence × actor named in it, with the score of its part (SENTENCE_COLUMNS)."""
    require_columns(units, ["segment_id", "doc_id", "group", "text"], "actor_sentences(units)")
    rows = []
    scores = functools.cache(functools.partial(sentence_scores, gazetteer=gazetteer))
    for seg, doc, group, text in units[["segment_id", "doc_id", "group", "text"]].itertuples(
        index=False
    ):
        text = str(text)
        for i, (a, b) in enumerate(sentence_spans(text)):
            sentence = " ".join(text[a:b].split())
            for actor, scope, score, whole, part in scores(sentence):  # once per distinct sentence
                rows.append((seg, doc, group, i, actor, scope, score, whole, part, sentence))
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
        (sums,) = resampled_sums([scores], n_samples, rng)
        low, high = percentile_interval(sums / len(scores), level)
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


def corpus_tone(corpus: PartitionedCorpus, gazetteer: ActorGazetteer, params: Params) -> ActorTone:
    """`tone_toward_actors` over the partitioned corpus: sentences scored partition by
    partition on the scheduler, tone from all their scores; `sentences` holds the first
    `framing.evidence_rows` per group and actor, in corpus order."""
    framing = params.framing
    parts = reduce_segments(
        corpus, partition_tone, join_partials, (gazetteer, framing.evidence_rows), params,
        ["segment_id", "doc_id", "group", "text"], "tone toward actors",
    )  # fmt: skip
    tone = actor_tone(parts["scores"], gazetteer, framing.bootstrap_samples, params.run.seed,
                      level=framing.ci_level)  # fmt: skip
    return ActorTone(parts["sentences"].rows, tone)


def partition_tone(units: pd.DataFrame, context: tuple[ActorGazetteer, int]) -> dict:
    """One partition's sentence scores (no text) and its capped sentences with text."""
    gazetteer, cap = context
    sentences = actor_sentences(units, gazetteer)
    return {
        "scores": sentences.drop(columns=["scored", "text"]),
        "sentences": first_rows(sentences, ["group", "actor"], cap),
    }


# Table schemas: the description and columns each table is saved with.
SENTENCE_SCHEMA = {
    "description": (
        "Every sentence naming an actor, with the part scored for the actor (the sentence, or"
        " its clauses naming the actor) and VADER compound scores of that part and of the "
        "sentence." + CAPPED_NOTE.format(per="group and actor")
    ),
    "columns": SENTENCE_COLUMNS,
}

TONE_SCHEMA = {
    "description": (
        "Mean VADER compound of the parts of sentences about each actor, per source, with 95%"
        " bootstrap intervals."
    ),
    "columns": TONE_COLUMNS,
}
