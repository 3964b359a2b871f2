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

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.params import Params
from analysis.corpus.kwic import WordIndex, context_of, word_index
from analysis.corpus.partition_map import reduce_segments
from analysis.corpus.patterns import TermMatch, compile_terms
from analysis.corpus.prepare import PartitionedCorpus
from analysis.corpus.tokens import (
    WORD_PATTERN,
    normalise_quotes,
    stopword_list,
    tokenize_words,
)
from analysis.corpus.validate import require_columns
from analysis.framing.partials import CAPPED_NOTE, CappedTable, first_rows, join_capped

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
CONCORDANCE_WINDOW = 10  # words of context on each side of a concordance line


@dataclass
class CollocationCounts:
    """Per group: word frequencies, words near each focal term, focal occurrences, words."""

    freq: dict[str, Counter] = field(default_factory=dict)
    near: dict[str, dict[str, Counter]] = field(default_factory=dict)
    focal: dict[str, Counter] = field(default_factory=dict)
    n_words: Counter = field(default_factory=Counter)


def _lower_words(text: str) -> list[str]:
    """The words of `word_spans(text)` without their offsets: `tokenize_words` on ASCII
    text (where lower-casing before tokenising changes no word), else each word lowered."""
    plain = normalise_quotes(text)
    if plain.isascii():
        return tokenize_words(plain)
    return list(map(str.lower, WORD_PATTERN.findall(plain)))


def _lines(
    text: str, found: list[TermMatch], index: WordIndex, window: int
) -> list[tuple[str, str, str, str]]:
    """(term, left, match, right) of each focal match in `text`, `window` words each side."""
    return [(m.term, *context_of(text, m.start, m.end, window, index)[:3]) for m in found]


def _counts_and_lines(
    units: pd.DataFrame,
    focal_terms: list[str],
    window: int,
    stopwords: frozenset[str],
    line_window: int | None = None,
) -> tuple[CollocationCounts, list[tuple]]:
    """`collocation_counts` and, with `line_window`, the `concordance` rows: each text is
    searched, tokenised and (when it holds a focal term) word-indexed once."""
    require_columns(units, ["segment_id", "group", "text"], "collocates(units)")
    if window < 1:
        raise InputError(f"framing.collocation_window = {window}: must be at least 1")
    if line_window is not None:
        require_columns(units, ["segment_id", "doc_id", "group", "text"], "concordance(units)")
    matcher = compile_terms(focal_terms)
    groups = units["group"].astype(str)
    counts = CollocationCounts()
    for group in sorted(set(groups)):
        counts.freq[group], counts.focal[group], counts.n_words[group] = Counter(), Counter(), 0
        counts.near[group] = {t: Counter() for t in matcher.terms}
    rows: list[tuple] = []
    ids = (units[["segment_id", "doc_id", "group"]].itertuples(index=False)
           if line_window is not None else [()] * len(units))  # fmt: skip
    for group, text, unit in zip(groups, units["text"].astype(str), ids, strict=True):
        words = _lower_words(text)
        counts.n_words[group] += len(words)
        counts.freq[group].update(words)
        found = matcher.find(text)
        if not found:
            continue
        index = word_index(text)
        near, focal = counts.near[group], counts.focal[group]
        for m in found:  # the words the match overlaps: words[first:last]
            first = bisect_right(index.ends, m.start)
            last = bisect_left(index.starts, m.end)
            if first < last:
                focal[m.term] += 1
                span = words[max(0, first - window) : first] + words[last : last + window]
                near[m.term].update(w for w in span if w not in stopwords)
        if line_window is not None:
            rows.extend((*unit, *line) for line in _lines(text, found, index, line_window))
    return counts, rows


def collocation_counts(
    units: pd.DataFrame, focal_terms: list[str], window: int, stopwords: frozenset[str]
) -> CollocationCounts:
    """The counts behind `collocates` for the units of one partition (or a whole corpus)."""
    return _counts_and_lines(units, focal_terms, window, stopwords)[0]


def add_collocation_counts(
    first: CollocationCounts, second: CollocationCounts
) -> CollocationCounts:
    """`combine` of two partitions' counts (adds them into `first`)."""
    for group, freq in second.freq.items():
        first.freq.setdefault(group, Counter()).update(freq)
        first.focal.setdefault(group, Counter()).update(second.focal[group])
        near = first.near.setdefault(group, {t: Counter() for t in second.near[group]})
        for term, counter in second.near[group].items():
            near[term].update(counter)
    first.n_words.update(second.n_words)
    return first


def collocate_table(
    counts: CollocationCounts, focal_terms: list[str], min_freq: int, stopwords: frozenset[str]
) -> pd.DataFrame:
    """Collocates of each focal term in each group with log-Dice and PMI (COLLOCATE_COLUMNS)."""
    terms = compile_terms(focal_terms).terms
    rows = []
    for group in sorted(counts.freq):
        freq, near, focal, n_words = (counts.freq[group], counts.near[group],
                                      counts.focal[group], counts.n_words[group])  # fmt: skip
        for term in terms:
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


def collocates(
    units: pd.DataFrame,
    focal_terms: list[str],
    window: int = 5,
    min_freq: int = 2,
    stopwords: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Collocates of each focal term in each group with log-Dice and PMI (COLLOCATE_COLUMNS)."""
    counts = collocation_counts(units, focal_terms, window, stopwords)
    return collocate_table(counts, focal_terms, min_freq, stopwords)


def concordance(
    units: pd.DataFrame, focal_terms: list[str], window: int = CONCORDANCE_WINDOW
) -> pd.DataFrame:
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
        if found:
            rows.extend(
                (seg, doc, group, *line) for line in _lines(text, found, word_index(text), window)
            )
    return pd.DataFrame(rows, columns=list(CONCORDANCE_COLUMNS))


@dataclass(frozen=True)
class FocalTerms:
    collocates: pd.DataFrame
    concordance: pd.DataFrame


def focal_term_contexts(units: pd.DataFrame, params: Params) -> FocalTerms:
    """Collocates and concordance of `framing.focal_terms` (one notebook step); collocates
    leave out the stop-word list of `preprocess` (file and extra words)."""
    framing = params.framing
    terms, stopwords = list(framing.focal_terms), stopword_list(params.preprocess)
    counts, rows = _counts_and_lines(
        units, terms, framing.collocation_window, stopwords, CONCORDANCE_WINDOW
    )
    return FocalTerms(
        collocates=collocate_table(counts, terms, framing.collocation_min_freq, stopwords),
        concordance=pd.DataFrame(rows, columns=list(CONCORDANCE_COLUMNS)),
    )


@dataclass(frozen=True)
class FocalContext:
    """What each partition's focal-term task needs."""

    terms: tuple[str, ...]
    window: int
    stopwords: frozenset[str]
    cap: int


def corpus_focal_terms(corpus: PartitionedCorpus, params: Params) -> FocalTerms:
    """`focal_term_contexts` over the partitioned corpus, partition by partition on the
    scheduler: collocates from all the counts; the concordance the first
    `framing.evidence_rows` lines per group and term, in corpus order."""
    framing = params.framing
    stopwords = stopword_list(params.preprocess)
    context = FocalContext(tuple(framing.focal_terms), framing.collocation_window, stopwords,
                           framing.evidence_rows)  # fmt: skip
    counts, lines = reduce_segments(
        corpus, partition_focal_terms, join_focal_terms, context, params,
        ["segment_id", "doc_id", "group", "text"], "focal terms",
    )  # fmt: skip
    table = collocate_table(counts, list(context.terms), framing.collocation_min_freq, stopwords)
    return FocalTerms(collocates=table, concordance=lines.rows)


def partition_focal_terms(
    units: pd.DataFrame, context: FocalContext
) -> tuple[CollocationCounts, CappedTable]:
    """One partition's collocation counts and capped concordance lines."""
    counts, rows = _counts_and_lines(units, list(context.terms), context.window,
                                     context.stopwords, CONCORDANCE_WINDOW)  # fmt: skip
    lines = pd.DataFrame(rows, columns=list(CONCORDANCE_COLUMNS))
    return counts, first_rows(lines, ["group", "term"], context.cap)


def join_focal_terms(
    first: tuple[CollocationCounts, CappedTable], second: tuple[CollocationCounts, CappedTable]
) -> tuple[CollocationCounts, CappedTable]:
    """`combine` of two partitions' focal-term results, in corpus order."""
    return add_collocation_counts(first[0], second[0]), join_capped(first[1], second[1])


# Table schemas: the description and columns each table is saved with.
COLLOCATE_SCHEMA = {
    "description": (
        "Collocates of the focal terms per source with co-occurrence counts, log-Dice and PMI."
    ),
    "columns": COLLOCATE_COLUMNS,
}

CONCORDANCE_SCHEMA = {
    "description": "Occurrences of the focal terms in context."
    + CAPPED_NOTE.format(per="group and focal term"),
    "columns": CONCORDANCE_COLUMNS,
}
