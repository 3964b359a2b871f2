"""Describing a fitted topic model: relevance-ranked terms, labels, document-topic tables
and representative passages (plain arrays and tables in, tidy tables out).

Topic ids are 0..K-1 exactly as fitted, everywhere: the label file maps ids to labels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary

from analysis.core.errors import InputError

BagOfWords = list[list[tuple[int, int]]]


def term_probabilities(bow: BagOfWords, num_terms: int) -> np.ndarray:
    """Marginal probability of each term in the modelled corpus (for relevance/lift)."""
    counts = np.zeros(num_terms, dtype=np.float64)
    for doc in bow:
        for term_id, count in doc:
            counts[term_id] += count
    total = counts.sum()
    if total == 0:
        raise InputError("the corpus has no tokens")
    return counts / total


def ranked_term_ids(scores: np.ndarray, top_n: int) -> list[np.ndarray]:
    """Per topic (row of `scores`), the ids of its `top_n` highest-scoring terms; ties are
    broken by term id, so the ranking is stable."""
    ids = np.arange(scores.shape[1])
    return [np.lexsort((ids, -row))[:top_n] for row in scores]


def term_relevance(topic_word: np.ndarray, term_probability: np.ndarray, lam: float) -> np.ndarray:
    """Relevance of each term to each topic (Sievert & Shirley 2014):
    lam * log p(w|k) + (1 - lam) * log(p(w|k) / p(w)). lam = 1 ranks by probability,
    lam = 0 by lift; LDAvis users found 0.6 most interpretable."""
    with np.errstate(divide="ignore"):
        log_phi = np.log(topic_word)
        log_pw = np.log(term_probability)
    return lam * log_phi + (1.0 - lam) * (log_phi - log_pw[np.newaxis, :])


def topic_terms_table(
    topic_word: np.ndarray,
    vocabulary: Sequence[str],
    term_probability: np.ndarray,
    lam: float,
    top_n: int,
) -> pd.DataFrame:
    """Top `top_n` terms per topic by relevance: topic, rank, term, relevance, probability,
    lift. Ties are broken by term id, so the ranking is stable."""
    relevance = term_relevance(topic_word, term_probability, lam)
    rows = []
    for topic, order in enumerate(ranked_term_ids(relevance, top_n)):
        for rank, term_id in enumerate(order, start=1):
            rows.append(
                {
                    "topic": topic,
                    "rank": rank,
                    "term": vocabulary[term_id],
                    "relevance": float(relevance[topic, term_id]),
                    "probability": float(topic_word[topic, term_id]),
                    "lift": float(topic_word[topic, term_id] / term_probability[term_id]),
                }
            )
    return pd.DataFrame(rows)


def top_words(topic_word: np.ndarray, vocabulary: Sequence[str], top_n: int) -> list[list[str]]:
    """The `top_n` most probable terms of each topic (what coherence is computed on)."""
    out = []
    for row in topic_word:
        order = np.lexsort((np.arange(len(vocabulary)), -row))[:top_n]
        out.append([vocabulary[i] for i in order])
    return out


def vocabulary_of(dictionary: Dictionary) -> list[str]:
    """Terms in id order."""
    return [dictionary[i] for i in range(len(dictionary))]


def default_topic_labels(terms: pd.DataFrame, n_words: int = 3) -> dict[int, str]:
    """ "T3: word1 word2 word3" from the relevance-ranked terms of each topic."""
    labels = {}
    for topic, group in terms.sort_values(["topic", "rank"]).groupby("topic", sort=True):
        words = " ".join(group["term"].head(n_words).str.replace("_", " "))
        labels[int(topic)] = f"T{int(topic)}: {words}"
    return labels


def topic_labels_table(labels: dict[int, str]) -> pd.DataFrame:
    """The editable label file as a table: topic, label."""
    return pd.DataFrame({"topic": sorted(labels), "label": [labels[k] for k in sorted(labels)]})


def write_topic_labels(labels: dict[int, str], path: str | Path) -> Path:
    """Write an editable labels CSV (topic, label)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    topic_labels_table(labels).to_csv(path, index=False, lineterminator="\n")
    return path


def read_topic_labels(path: str | Path, defaults: dict[int, str]) -> dict[int, str]:
    """Labels from a researcher-edited CSV with columns topic, label.

    Topics missing from the file keep their default label; ids outside the model, duplicate
    ids and empty labels are errors naming the file and row.
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype={"label": str}, keep_default_na=False)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path}: topic label file not found; set topics.labels_file to an existing CSV "
            "(columns topic,label) or to '' for the default labels"
        ) from None
    missing = {"topic", "label"} - set(table.columns)
    if missing:
        raise InputError(f"{path}: missing column(s) {sorted(missing)}; expected topic,label")
    labels = dict(defaults)
    seen: set[int] = set()
    for row_number, row in enumerate(table.itertuples(index=False), start=2):
        try:
            topic = int(row.topic)
        except (TypeError, ValueError):
            raise InputError(
                f"{path}, row {row_number}: topic {row.topic!r} is not an integer"
            ) from None
        if topic not in defaults:
            raise InputError(
                f"{path}, row {row_number}: topic {topic} is not in the model "
                f"(ids 0..{len(defaults) - 1}); was the label file written for another K?"
            )
        if topic in seen:
            raise InputError(f"{path}, row {row_number}: topic {topic} is labelled twice")
        label = str(row.label).strip()
        if not label:
            raise InputError(f"{path}, row {row_number}: empty label for topic {topic}")
        seen.add(topic)
        labels[topic] = label
    return labels


def document_topic_table(doc_topic: np.ndarray, units: pd.DataFrame) -> pd.DataFrame:
    """Tidy unit × topic proportions: segment_id, doc_id, group, topic, proportion."""
    if len(units) != doc_topic.shape[0]:
        raise InputError(f"{len(units)} units but {doc_topic.shape[0]} rows of topic proportions")
    k = doc_topic.shape[1]
    keys = units[["segment_id", "doc_id", "group"]].reset_index(drop=True)
    table = keys.loc[keys.index.repeat(k)].reset_index(drop=True)
    table["topic"] = np.tile(np.arange(k), len(units))
    table["proportion"] = doc_topic.reshape(-1)
    return table


def representative_passages(
    doc_topic: np.ndarray,
    units: pd.DataFrame,
    n_passages: int = 3,
    max_chars: int = 300,
    texts: Callable[[list[int]], list[str]] | None = None,
) -> pd.DataFrame:
    """The units with the highest proportion of each topic: topic, rank, segment_id, doc_id,
    group, proportion, text (shortened to `max_chars`). Ties broken by unit order. `texts`
    gives the texts of the units at some row numbers (default: the `text` column), so that
    only the passages shown are fetched (`TopicData.unit_texts`)."""
    rows = []
    orders = [
        np.lexsort((np.arange(len(units)), -doc_topic[:, topic]))[:n_passages]
        for topic in range(doc_topic.shape[1])
    ]
    shown = sorted({int(i) for order in orders for i in order})
    fetched = texts(shown) if texts is not None else [str(units["text"].iloc[i]) for i in shown]
    text_of = dict(zip(shown, fetched, strict=True))
    for topic, order in enumerate(orders):
        for rank, i in enumerate(order, start=1):
            text = " ".join(text_of[int(i)].split())
            if len(text) > max_chars:
                text = text[: max_chars - 1].rsplit(" ", 1)[0] + "…"
            rows.append(
                {
                    "topic": topic,
                    "rank": rank,
                    "segment_id": units["segment_id"].iloc[i],
                    "doc_id": units["doc_id"].iloc[i],
                    "group": units["group"].iloc[i],
                    "proportion": float(doc_topic[i, topic]),
                    "text": text,
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- table schemas

TERMS_SCHEMA = {
    "description": "Top terms of each topic ranked by relevance (Sievert & Shirley 2014).",
    "columns": {
        "topic": "topic id (0..K-1, as fitted)",
        "rank": "rank of the term within the topic by relevance (1 = most relevant)",
        "term": "term (phrases joined with _)",
        "relevance": "lambda*log p(term|topic) + (1-lambda)*log lift, lambda = relevance_lambda",
        "probability": "p(term | topic)",
        "lift": "p(term | topic) / p(term) in the modelled corpus",
    },
}
LABELS_SCHEMA = {
    "description": "Topic labels used by every figure; edit a copy and set topics.labels_file.",
    "columns": {"topic": "topic id (0..K-1, as fitted)", "label": "label shown in figures"},
}
DOCUMENT_TOPICS_SCHEMA = {
    "description": "Topic proportions of every unit of analysis (rows of one unit sum to 1).",
    "columns": {
        "segment_id": "unit of analysis id",
        "doc_id": "document the unit comes from",
        "group": "comparison group of the document",
        "topic": "topic id (0..K-1, as fitted)",
        "proportion": "share of the unit's words assigned to the topic",
    },
}
PASSAGES_SCHEMA = {
    "description": "Units with the highest proportion of each topic.",
    "columns": {
        "topic": "topic id (0..K-1, as fitted)",
        "rank": "rank by proportion within the topic (1 = most typical)",
        "segment_id": "unit of analysis id",
        "doc_id": "document the unit comes from",
        "group": "comparison group of the document",
        "proportion": "share of the unit's words assigned to the topic",
        "text": "the unit's text (shortened to 300 characters)",
    },
}
