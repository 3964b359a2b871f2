"""The units a topic model sees: their light metadata, bags of words and, when asked, tokens
and texts.

`segment_topic_data` gives the units of an in-memory table of segments with at least one
in-vocabulary token, in segment order; the partitioned corpus builds the same units per
partition from its packed bag of words (`analysis.topics.stream.partition_units`). A
`TopicData` of the partitioned corpus holds no text or token lists (`texts` is None); it
fetches the few it needs (coherence samples, passages shown) through its `source` by
segment id (`analysis.topics.stream`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary

from analysis.core.errors import InputError
from analysis.topics.terms import term_probabilities

BagOfWords = list[list[tuple[int, int]]]
UNIT_COLUMNS = ["segment_id", "doc_id", "group", "position", "date", "n_tokens"]


class UnitSource(Protocol):
    """Where the tokens and texts of units not held in memory come from (by segment id)."""

    def tokens(self, segment_ids: Sequence[str]) -> list[list[str]]: ...

    def texts(self, segment_ids: Sequence[str]) -> list[str]: ...


@dataclass(frozen=True)
class TopicData:
    """The units a topic model sees: their metadata, bags of words and token lists."""

    units: pd.DataFrame  # segment_id, doc_id, group, position, [text], date, n_tokens
    bow: Sequence  # BagOfWords in a list, or read from disk by row (a large corpus)
    texts: list[list[str]] | None  # in-vocabulary tokens per unit; None: fetched by `source`
    dictionary: Dictionary
    n_empty: int  # units left out because no token survived preprocessing
    source: UnitSource | None = None  # fetches tokens and texts not held in memory
    term_totals: np.ndarray | None = None  # occurrences of each term id; None: count `bow`

    def term_probabilities(self) -> np.ndarray:
        """Marginal probability of each term in the modelled units (relevance, lift)."""
        if self.term_totals is None:
            return term_probabilities(self.bow, len(self.dictionary))
        total = self.term_totals.sum()
        if total == 0:
            raise InputError("the corpus has no tokens")
        return self.term_totals / total

    def unit_tokens(self, indices: Sequence[int] | None = None) -> list[list[str]]:
        """In-vocabulary tokens of the units at `indices` (all units when None)."""
        if self.texts is not None:
            return self.texts if indices is None else [self.texts[i] for i in indices]
        ids = self.units["segment_id"].tolist()
        wanted = ids if indices is None else [ids[i] for i in indices]
        token2id = self.dictionary.token2id
        return [in_vocabulary(tokens, token2id) for tokens in self._source().tokens(wanted)]

    def unit_texts(self, indices: Sequence[int]) -> list[str]:
        """Texts of the units at `indices` (the few shown: passages, intrusion items)."""
        if "text" in self.units:
            texts = self.units["text"]
            return [str(texts.iloc[i]) for i in indices]
        ids = self.units["segment_id"]
        return self._source().texts([str(ids.iloc[i]) for i in indices])

    def _source(self) -> UnitSource:
        if self.source is None:
            raise InputError("these units hold no texts and have no corpus to fetch them from")
        return self.source


def reordered(bow: Sequence, order: Sequence[int]) -> Sequence:
    """The units of `bow` in `order`: a list for a list, else `bow.reordered(order)` (a
    stream such as `analysis.topics.stream.UnitStream`, read again on every pass)."""
    if isinstance(bow, list):
        return [bow[i] for i in order]
    return bow.reordered(order)


def topic_data(corpus: Any) -> TopicData:
    """Units of an in-memory corpus (`segments`, `documents`, `dictionary`) with at least
    one in-vocabulary token, in segment order."""
    documents = corpus.documents
    dates = documents.set_index("doc_id")["date"] if "date" in documents else None
    data = segment_topic_data(corpus.segments.reset_index(drop=True), corpus.dictionary)
    require_units(data)
    return with_dates(data, dates)


def segment_topic_data(
    segments: pd.DataFrame, dictionary: Dictionary, keep_texts: bool = True
) -> TopicData:
    """The units of `segments` with at least one in-vocabulary token (all columns but
    `date`, which `with_dates` adds); `texts` only when `keep_texts`."""
    # Equal (id, count) pairs are one shared tuple: 21 million pairs of 700,000 paragraphs
    # take 0.2 GB instead of 1.8 GB (gensim only reads them).
    pairs: dict[tuple[int, int], tuple[int, int]] = {}
    bow = [
        [pairs.setdefault(pair, pair) for pair in dictionary.doc2bow(tokens)]
        for tokens in segments["tokens"]
    ]
    del pairs
    keep = np.array([len(b) > 0 for b in bow], dtype=bool)
    columns = [c for c in ("segment_id", "doc_id", "group", "position", "text") if c in segments]
    units = segments.loc[keep, columns].reset_index(drop=True)
    kept_bow = [b for b, k in zip(bow, keep, strict=True) if k]
    units["n_tokens"] = [sum(c for _, c in b) for b in kept_bow]
    texts = None
    if keep_texts:
        texts = [
            in_vocabulary(tokens, dictionary.token2id)
            for tokens, k in zip(segments["tokens"], keep, strict=True)
            if k
        ]
    return TopicData(units, kept_bow, texts, dictionary, int((~keep).sum()))


def with_dates(data: TopicData, dates: pd.Series | None) -> TopicData:
    """`data` with each unit's document date ("" when undated), before `n_tokens`."""
    units = data.units.copy()
    units.insert(
        len(units.columns) - 1,
        "date",
        units["doc_id"].map(dates).fillna("") if dates is not None else "",
    )
    return replace(data, units=units)


def require_units(data: TopicData) -> None:
    """Raise `InputError` when no unit has a token left to model."""
    if not len(data.units):
        raise InputError(
            "no segment has a token left after preprocessing: check segments.min_words and "
            "preprocess.min_df / max_df / stopwords_file"
        )


def in_vocabulary(tokens: Any, token2id: dict[str, int]) -> list[str]:
    """The tokens that are in the vocabulary (the topic model's pruning of a PreparedCorpus's
    whole content tokens); the list itself, not a copy, if all are."""
    if isinstance(tokens, list) and all(t in token2id for t in tokens):
        return tokens
    return [t for t in tokens if t in token2id]
