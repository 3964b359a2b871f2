"""Term-count matrices: rows are groups (sources) or units (documents, segments), columns terms.

The matrix is built in one streaming pass over ``(label, tokens)`` pairs, so a corpus never
has to be held as token lists twice; memory grows with the number of distinct
(label, term) pairs, not with the number of tokens. Rows are sorted by label and columns
by term, so the same corpus always gives the same matrix. Keyness counts groups; the
divergence bootstrap counts units and sums them into groups with `sum_rows`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.core.errors import InputError

TERM_COUNT_COLUMNS = {
    "label": "row label: group (source) or unit id",
    "term": "term (token from segments.tokens: lower-cased, stop words removed, phrases joined)",
    "count": "number of occurrences of the term in the row's tokens",
}


@dataclass(frozen=True, eq=False)
class TermCounts:
    """A labels x terms count matrix (scipy CSR, int64) with its row labels and vocabulary."""

    matrix: sparse.csr_array
    labels: tuple[str, ...]
    vocabulary: tuple[str, ...]

    def __post_init__(self) -> None:
        rows, cols = self.matrix.shape
        if rows != len(self.labels) or cols != len(self.vocabulary):
            raise InputError(
                f"TermCounts: matrix is {rows}x{cols} but there are {len(self.labels)} labels "
                f"and {len(self.vocabulary)} terms"
            )

    @property
    def totals(self) -> np.ndarray:
        """Tokens per row."""
        return np.asarray(self.matrix.sum(axis=1)).ravel()

    @property
    def term_totals(self) -> np.ndarray:
        """Occurrences of each term over all rows."""
        return np.asarray(self.matrix.sum(axis=0)).ravel()

    def row(self, label: str) -> np.ndarray:
        """Dense counts of one row, by label."""
        return self.matrix[[self.index_of(label)], :].toarray().ravel()

    def index_of(self, label: str) -> int:
        """Row number of a label, with a clear error naming the labels that exist."""
        try:
            return self.labels.index(label)
        except ValueError:
            raise KeyError(
                f"{label!r} is not a row of the term counts; rows are: {', '.join(self.labels)}"
            ) from None

    def to_frame(self) -> pd.DataFrame:
        """Tidy long table (label, term, count) of the non-zero cells, sorted."""
        coo = self.matrix.tocoo()
        frame = pd.DataFrame(
            {
                "label": np.asarray(self.labels, dtype=object)[coo.row],
                "term": np.asarray(self.vocabulary, dtype=object)[coo.col],
                "count": coo.data.astype(np.int64),
            }
        )
        return frame.sort_values(["label", "term"], kind="stable").reset_index(drop=True)


def count_terms(
    pairs: Iterable[tuple[str, Sequence[str]]], vocabulary: Collection[str] | None = None
) -> TermCounts:
    """Count terms per label in one pass over ``(label, tokens)`` pairs; only the terms of
    `vocabulary` if given (every label is a row, even with no term counted).

    Labels may repeat (e.g. one pair per segment, labelled by its group): their counts add.
    """
    rows: dict[str, Counter] = {}
    for number, (label, tokens) in enumerate(pairs):
        if isinstance(tokens, str):
            raise TypeError(
                f"count_terms: item {number} (label {label!r}) gives a string, not a list of "
                "tokens; tokenize it first"
            )
        rows.setdefault(str(label), Counter()).update(tokens)
    if any(type(t) is not str for t in set().union(*rows.values())):
        rows = {label: _counted_as_str(counter) for label, counter in rows.items()}
    if vocabulary is not None:
        for counter in rows.values():
            for term in counter.keys() - vocabulary:
                del counter[term]
    return _sorted_counts(rows)


def _counted_as_str(counter: Counter) -> Counter[str]:
    """The counts with every term as its `str` (numbers, NumPy strings; equal ones add)."""
    as_str: Counter[str] = Counter()
    for term, n in counter.items():
        as_str[str(term)] += n
    return as_str


def _sorted_counts(rows: Mapping[str, Counter[str]]) -> TermCounts:
    labels = sorted(rows)
    vocabulary = sorted(set().union(*rows.values()))
    position = {term: i for i, term in enumerate(vocabulary)}
    row_idx, col_idx, values = [], [], []
    for r, label in enumerate(labels):
        counter = rows[label]
        row_idx.append(np.full(len(counter), r, dtype=np.int64))
        col_idx.append(np.fromiter(map(position.__getitem__, counter), np.int64, len(counter)))
        values.append(np.fromiter(counter.values(), dtype=np.int64, count=len(counter)))
    matrix = sparse.csr_array(
        (
            np.concatenate(values) if values else np.zeros(0, np.int64),
            (
                np.concatenate(row_idx) if row_idx else np.zeros(0, np.int64),
                np.concatenate(col_idx) if col_idx else np.zeros(0, np.int64),
            ),
        ),
        shape=(len(labels), len(vocabulary)),
        dtype=np.int64,
    )
    matrix.sort_indices()
    return TermCounts(matrix=matrix, labels=tuple(labels), vocabulary=tuple(vocabulary))


def segment_term_counts(
    segments: pd.DataFrame, by: str = "group", tokens_column: str = "tokens"
) -> TermCounts:
    """Count `segments.tokens` per value of column `by` ("group", "doc_id" or "segment_id")."""
    for column in (by, tokens_column):
        if column not in segments.columns:
            raise KeyError(
                f"segments table has no column {column!r}; columns are: "
                f"{', '.join(map(str, segments.columns))}"
            )
    return count_terms(zip(segments[by].astype(str), segments[tokens_column], strict=True))


def added_term_counts(first: TermCounts, second: TermCounts) -> TermCounts:
    """The counts of both, added: rows are the union of their labels, terms the union of
    their vocabularies (both sorted), as one `count_terms` over all their pairs would give.
    Integer counts, so any order of adding gives the same matrix."""
    labels = _sorted_union(first.labels, second.labels)
    vocabulary = _sorted_union(first.vocabulary, second.vocabulary)
    row_position = {label: i for i, label in enumerate(labels)}
    column_position = {term: i for i, term in enumerate(vocabulary)}
    rows, columns, values = [], [], []
    for counts in (first, second):
        entries = counts.matrix.tocoo()
        rows.append(term_positions(counts.labels, row_position)[entries.row])
        columns.append(term_positions(counts.vocabulary, column_position)[entries.col])
        values.append(entries.data.astype(np.int64))
    matrix = sparse.csr_array(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
        shape=(len(labels), len(vocabulary)),
        dtype=np.int64,
    )
    matrix.sum_duplicates()
    return TermCounts(matrix=matrix, labels=tuple(labels), vocabulary=tuple(vocabulary))


def _sorted_union(first: Sequence[str], second: Sequence[str]) -> list[str]:
    """The sorted union of two sequences of distinct strings: `first` and the new ones of
    `second`, two sorted runs when both are sorted, which the sort merges in linear time."""
    known = set(first)
    return sorted([*first, *(item for item in second if item not in known)])


def term_positions(items: Sequence[str], position: Mapping[str, int]) -> np.ndarray:
    """The position of each of `items` in an ordering given as {item: position}."""
    return np.fromiter((position[item] for item in items), np.int64, len(items))


def sum_rows(counts: TermCounts, row_groups: Mapping[str, str]) -> TermCounts:
    """Add rows together: ``row_groups`` maps each row label (e.g. a segment) to its group."""
    missing = [label for label in counts.labels if label not in row_groups]
    if missing:
        raise KeyError(f"sum_rows: no group given for rows {missing[:5]} (and maybe more)")
    groups = sorted({str(row_groups[label]) for label in counts.labels})
    position = {g: i for i, g in enumerate(groups)}
    indicator = sparse.csr_array(
        (
            np.ones(len(counts.labels), dtype=np.int64),
            (
                np.array([position[str(row_groups[lab])] for lab in counts.labels], np.int64),
                np.arange(len(counts.labels)),
            ),
        ),
        shape=(len(groups), len(counts.labels)),
    )
    matrix = sparse.csr_array(indicator @ counts.matrix)
    matrix.sort_indices()
    return TermCounts(matrix=matrix, labels=tuple(groups), vocabulary=counts.vocabulary)
