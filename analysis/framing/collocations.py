"""Focal terms in context: their collocates per group, and concordance lines.

For each focal term (term syntax of analysis/corpus/patterns.py, e.g. "two-state solution",
"settlement*") and each group, every running word within `window` words left or right of
an occurrence counts as a co-occurrence. With f_xy the co-occurrence count, f_x the
focal term's occurrences, f_y the collocate's frequency and N the running words of the
group:

- log-Dice = 14 + log2(2 f_xy / (f_x + f_y))   (Rychly 2008; at most 14, independent of N)
- PMI      = log2(f_xy N / (f_x f_y))          (Church & Hanks 1990, no window correction)

Collocates seen fewer than `min_freq` times near the term are dropped; stop words (the
project's stop-word list) are not counted as collocates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.params import Params
from analysis.corpus.kwic import context_of
from analysis.corpus.patterns import compile_terms
from analysis.corpus.tokens import normalise_quotes, stopword_list, word_spans
from analysis.corpus.validate import require_columns

COLLOCATE_COLUMNS = {
    "group": "comparison group (source)",
    "term": "focal term (pattern)",
    "collocate": "word within the window of the focal term",
    "f_xy": "co-occurrences of the collocate within the window",
    "f_x": "occurrences of the focal term in the group",
    "f_y": "frequency of the collocate in the group",
    "n_words": "running words in the group",
    "log_dice": "14 + log2(2 f_xy / (f_x + f_y))",
    "pmi": "log2(f_xy N / (f_x f_y))",
}
CONCORDANCE_COLUMNS = {
    "segment_id": "unit (segment) id",
    "doc_id": "document id",
    "group": "comparison group (source)",
    "term": "focal term (pattern)",
    "left": "text before the occurrence",
    "match": "the occurrence as written",
    "right": "text after the occurrence",
}


def _occurrences(
    text: str, matcher, words: list[tuple[str, int, int]]
) -> list[tuple[str, int, int, int, int]]:
    """(term, first word index, last word index + 1, start, end) of each focal occurrence."""
    found = []
    for m in matcher.find(text):
        inside = [i for i, (_, a, b) in enumerate(words) if a < m.end and b > m.start]
        if inside:
            found.append((m.term, inside[0], inside[-1] + 1, m.start, m.end))
    return found


def collocates(
    units: pd.DataFrame,
    focal_terms: list[str],
    window: int = 5,
    min_freq: int = 2,
    stopwords: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Collocates of each focal term in each group with log-Dice and PMI (COLLOCATE_COLUMNS)."""
    require_columns(units, ["segment_id", "group", "text"], "collocates(units)")
    if window < 1:
        raise InputError(f"framing.collocation_window = {window}: must be at least 1")
    matcher = compile_terms(focal_terms)
    rows = []
    for group, part in units.groupby(units["group"].astype(str), sort=True):
        freq, near, focal = Counter(), {t: Counter() for t in matcher.terms}, Counter()
        n_words = 0
        for text in part["text"].astype(str):
            text = normalise_quotes(text)
            words = word_spans(text)
            n_words += len(words)
            freq.update(w for w, *_ in words)
            for term, first, last, *_ in _occurrences(text, matcher, words):
                focal[term] += 1
                span = words[max(0, first - window) : first] + words[last : last + window]
                near[term].update(w for w, *_ in span if w not in stopwords)
        for term in matcher.terms:
            for word, f_xy in sorted(near[term].items()):
                if f_xy < min_freq or word in stopwords:
                    continue
                f_x, f_y = focal[term], freq[word]
                log_dice = 14.0 + np.log2(2.0 * f_xy / (f_x + f_y))
                pmi = np.log2(f_xy * n_words / (f_x * f_y))
                rows.append((group, term, word, f_xy, f_x, f_y, n_words, log_dice, pmi))
    table = pd.DataFrame(rows, columns=list(COLLOCATE_COLUMNS))
    return table.sort_values(
        ["group", "term", "log_dice", "collocate"], ascending=[True, True, False, True]
    ).reset_index(drop=True)


def concordance(units: pd.DataFrame, focal_terms: list[str], window: int = 10) -> pd.DataFrame:
    """Every occurrence of every focal term with `window` words of context on each side
    (CONCORDANCE_COLUMNS; the line is `analysis.corpus.kwic`'s)."""
    require_columns(units, ["segment_id", "doc_id", "group", "text"], "concordance(units)")
    matcher = compile_terms(focal_terms)
    rows = []
    for seg, doc, group, text in units[["segment_id", "doc_id", "group", "text"]].itertuples(
        index=False
    ):
        text = str(text)
        found = matcher.find(text)
        words = word_spans(text) if found else []
        for m in found:
            left, match, right, _ = context_of(text, m.start, m.end, window, words)
            rows.append((seg, doc, group, m.term, left, match, right))
    return pd.DataFrame(rows, columns=list(CONCORDANCE_COLUMNS))


@dataclass(frozen=True)
class FocalTerms:
    collocates: pd.DataFrame
    concordance: pd.DataFrame


def focal_term_contexts(units: pd.DataFrame, params: Params) -> FocalTerms:
    """Collocates and concordance of `framing.focal_terms` (one notebook step); collocates
    leave out the stop-word list of `preprocess` (file and extra words)."""
    framing = params.framing
    terms = list(framing.focal_terms)
    return FocalTerms(
        collocates=collocates(
            units,
            terms,
            window=framing.collocation_window,
            min_freq=framing.collocation_min_freq,
            stopwords=stopword_list(params.preprocess),
        ),
        concordance=concordance(units, terms),
    )


# Table schemas: the description and columns each table is saved with.
COLLOCATE_SCHEMA = {
    "description": (
        "Collocates of the focal terms per source with co-occurrence counts, log-Dice and PMI."
    ),
    "columns": COLLOCATE_COLUMNS,
}

CONCORDANCE_SCHEMA = {
    "description": "Every occurrence of a focal term in context.",
    "columns": CONCORDANCE_COLUMNS,
}
