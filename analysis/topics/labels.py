"""FREX terms and exclusivity: topic labels a reader can judge.

FREX (Bischof & Airoldi 2012; stm's `labelTopics`, `calcfrex`) ranks a topic's words by
the weighted harmonic mean of their empirical CDF (within the topic) of frequency,
p(w | k), and of exclusivity, p(w | k) / sum_j p(w | j):

    FREX(w, k) = 1 / (weight / ECDF_freq + (1 - weight) / ECDF_excl),   weight = 0.5

so a FREX word is both common in the topic and rare elsewhere. (stm also shrinks the
exclusivity of rare words towards the mean with a James–Stein estimate; we do not.)

Exclusivity of a model (for the K sweep): the mean exclusivity of every topic's top-N
words by probability; 1/K when all topics share their top words, 1 when no two share any.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from analysis.core.errors import InputError
from analysis.topics.terms import ranked_term_ids

FREX_WEIGHT = 0.5


def word_exclusivity(topic_word: np.ndarray) -> np.ndarray:
    """K x V exclusivity p(w | k) / sum_j p(w | j)."""
    totals = topic_word.sum(axis=0, keepdims=True)
    return topic_word / np.where(totals > 0, totals, 1.0)


def frex_scores(topic_word: np.ndarray, weight: float = FREX_WEIGHT) -> np.ndarray:
    """K x V FREX scores (module docstring); ECDFs are average ranks / V, as stm's."""
    if not 0.0 < weight < 1.0:
        raise InputError(f"topics.frex_weight = {weight}: must lie strictly in (0, 1)")
    v = topic_word.shape[1]
    frequency = rankdata(topic_word, axis=1) / v
    exclusivity = rankdata(word_exclusivity(topic_word), axis=1) / v
    return 1.0 / (weight / frequency + (1.0 - weight) / exclusivity)


def frex_table(
    topic_word: np.ndarray, vocabulary: Sequence[str], top_n: int, weight: float = FREX_WEIGHT
) -> pd.DataFrame:
    """Top `top_n` FREX terms per topic: topic, rank, term, frex, probability,
    exclusivity. Ties broken by term id."""
    scores = frex_scores(topic_word, weight)
    exclusivity = word_exclusivity(topic_word)
    rows = []
    for topic, order in enumerate(ranked_term_ids(scores, top_n)):
        for rank, term_id in enumerate(order, start=1):
            rows.append(
                {
                    "topic": topic,
                    "rank": rank,
                    "term": vocabulary[term_id],
                    "frex": float(scores[topic, term_id]),
                    "probability": float(topic_word[topic, term_id]),
                    "exclusivity": float(exclusivity[topic, term_id]),
                }
            )
    return pd.DataFrame(rows)


def model_exclusivity(topic_word: np.ndarray, top_n: int) -> float:
    """Mean exclusivity of every topic's `top_n` most probable words."""
    exclusivity = word_exclusivity(topic_word)
    top = np.argsort(-topic_word, axis=1, kind="stable")[:, :top_n]
    return float(np.take_along_axis(exclusivity, top, axis=1).mean())


def labels_side_by_side(
    relevance: pd.DataFrame, frex: pd.DataFrame, n_words: int = 5
) -> pd.DataFrame:
    """Per topic: its top relevance terms and its top FREX terms, as text."""

    def joined(table: pd.DataFrame) -> pd.Series:
        top = table.sort_values(["topic", "rank"]).groupby("topic").head(n_words)
        return top.groupby("topic")["term"].agg(lambda t: ", ".join(t.str.replace("_", " ")))

    return pd.DataFrame(
        {"relevance_terms": joined(relevance), "frex_terms": joined(frex)}
    ).reset_index()


FREX_SCHEMA = {
    "description": "Top FREX terms of each topic (stm labelTopics: harmonic mean of the "
    "within-topic ECDFs of frequency and exclusivity, weight topics.frex_weight).",
    "columns": {
        "topic": "topic id (0..K-1, as fitted)",
        "rank": "rank of the term within the topic by FREX (1 = highest)",
        "term": "term (phrases joined with _)",
        "frex": "FREX score in (0, 1]",
        "probability": "p(term | topic)",
        "exclusivity": "p(term | topic) / sum over topics of p(term | topic)",
    },
}
LABEL_TERMS_SCHEMA = {
    "description": "Relevance terms and FREX terms of each topic side by side.",
    "columns": {
        "topic": "topic id (0..K-1, as fitted)",
        "relevance_terms": "top terms by relevance (topics.relevance_lambda)",
        "frex_terms": "top terms by FREX (topics.frex_weight)",
    },
}
