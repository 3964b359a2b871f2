"""Term counts per unit (segment or document) over the partitioned corpus.

Each partition counts its own units (`analysis.corpus.counts.segment_term_counts`: sparse,
over the partition's own vocabulary); `stack_term_counts` puts the partitions' rows into one
matrix over the union of their vocabularies, rows sorted by label as one `count_terms` call
over the whole corpus would give. Only ids, groups and integer counts come back to the
notebook, never texts or tokens. The divergence bootstrap resamples these rows; document
similarity counts the sampled documents only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.core.params import Params
from analysis.corpus.counts import TermCounts, segment_term_counts, term_positions
from analysis.corpus.partition_map import map_segments
from analysis.corpus.prepare import PartitionedCorpus

UNIT_COUNT_COLUMNS = ("segment_id", "group", "tokens")  # what a partition's counting reads


@dataclass(frozen=True, eq=False)
class UnitCounts:
    """Term counts of units (rows sorted by label) and the group of each row."""

    counts: TermCounts
    groups: tuple[str, ...]

    def group_of(self) -> dict[str, str]:
        """Row label -> group."""
        return dict(zip(self.counts.labels, self.groups, strict=True))


@dataclass(frozen=True)
class UnitContext:
    """What a partition's task counts: its units by `by`, only those in `keep` if given."""

    by: str = "segment_id"
    keep: frozenset[str] | None = None


def partition_unit_counts(segments: pd.DataFrame, context: UnitContext) -> UnitCounts:
    """Term counts of one partition's units (segments, or documents with by="doc_id")."""
    if context.keep is not None:
        segments = segments[segments[context.by].astype(str).isin(context.keep)]
    counts = segment_term_counts(segments, by=context.by)
    group = dict(zip(segments[context.by].astype(str), segments["group"].astype(str), strict=True))
    return UnitCounts(counts, tuple(group[label] for label in counts.labels))


def corpus_unit_counts(
    corpus: PartitionedCorpus,
    params: Params,
    by: str = "segment_id",
    keep: frozenset[str] | None = None,
    description: str = "unit term counts",
) -> UnitCounts:
    """Term counts of every unit of the corpus (or of the units in `keep`), per partition on
    the scheduler, stacked in label order. A document never spans two partitions, so
    by="doc_id" sums whole documents."""
    parts = map_segments(
        corpus, partition_unit_counts, UnitContext(by, keep), params,
        [by, *UNIT_COUNT_COLUMNS[1:]], description,
    )  # fmt: skip
    return stack_unit_counts(parts)


def stack_unit_counts(parts: Sequence[UnitCounts]) -> UnitCounts:
    """The rows of several `UnitCounts` (distinct labels) in one, over the union of their
    vocabularies, rows sorted by label."""
    counts = stack_term_counts([part.counts for part in parts])
    group = {
        label: g for part in parts for label, g in zip(part.counts.labels, part.groups, strict=True)
    }
    return UnitCounts(counts, tuple(group[label] for label in counts.labels))


def group_blocks(parts: Iterable[UnitCounts]) -> dict[str, TermCounts]:
    """Each group's rows of the stacked `parts`, as `stack_unit_counts` would order them
    (rows by label), all over the union of the parts' vocabularies: the rows split by
    group part by part, so that the parts can be dropped as they come (`parts` may be a
    stream) and the whole corpus is never one matrix."""
    chunks: dict[str, list[TermCounts]] = {}
    vocabulary: set[str] = set()
    for part in parts:
        vocabulary.update(part.counts.vocabulary)
        groups = np.asarray(part.groups, dtype=object)
        for group in sorted(set(part.groups)):
            rows = np.flatnonzero(groups == group)
            labels = tuple(part.counts.labels[i] for i in rows)
            matrix = sparse.csr_array(part.counts.matrix[rows, :])
            chunks.setdefault(group, []).append(TermCounts(matrix, labels, part.counts.vocabulary))
    union = sorted(vocabulary)
    columns = _union_columns([c for group in chunks.values() for c in group], union)
    blocks = {}
    for group in sorted(chunks):  # each group's chunks dropped once stacked
        rows = chunks.pop(group)
        blocks[group] = _stacked(rows, union, [columns[id(c.vocabulary)] for c in rows])
    return blocks


def stack_term_counts(
    parts: Sequence[TermCounts], vocabulary: Sequence[str] | None = None
) -> TermCounts:
    """Rows of several TermCounts with distinct labels in one matrix (int64, terms sorted,
    rows sorted by label): the matrix `count_terms` gives over all their units at once;
    over `vocabulary` (sorted, a superset of the parts' terms) if given, else their union."""
    if vocabulary is None:
        vocabulary = sorted({term for part in parts for term in part.vocabulary})
    columns = _union_columns(parts, vocabulary)
    return _stacked(parts, vocabulary, [columns[id(part.vocabulary)] for part in parts])


def _union_columns(parts: Sequence[TermCounts], vocabulary: Sequence[str]) -> dict[int, np.ndarray]:
    """Each part vocabulary's columns in `vocabulary`, by the vocabulary's id (the parts
    of one partition share theirs: each is looked up once)."""
    position = {term: i for i, term in enumerate(vocabulary)}
    columns: dict[int, np.ndarray] = {}
    for part in parts:
        terms = part.vocabulary
        if id(terms) not in columns:
            columns[id(terms)] = term_positions(terms, position)
    return columns


def _stacked(
    parts: Sequence[TermCounts], vocabulary: Sequence[str], columns: Sequence[np.ndarray]
) -> TermCounts:
    """`stack_term_counts` with each part's term columns in `vocabulary` given.

    Each part's entries are copied once, straight to their place in the result (rows in
    label order, terms renumbered into the union vocabulary): the stacking holds the parts
    and the result, not the four copies of a block-by-block `vstack` and reorder."""
    if not parts:
        empty = sparse.csr_array((0, len(vocabulary)), dtype=np.int64)
        return TermCounts(matrix=empty, labels=(), vocabulary=tuple(vocabulary))
    labels = [label for part in parts for label in part.labels]
    order = np.argsort(np.asarray(labels, dtype=object), kind="stable")
    lengths = np.concatenate([np.diff(part.matrix.indptr) for part in parts]).astype(np.int64)
    nnz = int(lengths.sum())
    index = np.int32 if max(nnz, len(vocabulary)) < np.iinfo(np.int32).max else np.int64
    indptr = np.concatenate([[0], np.cumsum(lengths[order])]).astype(index)  # as scipy keeps it
    destination_row = np.empty(len(labels), dtype=np.int64)
    destination_row[order] = np.arange(len(labels))
    data = np.empty(nnz, dtype=np.int64)
    indices = np.empty(nnz, dtype=index)
    first_row = 0
    for part, part_columns in zip(parts, columns, strict=True):
        matrix = sparse.csr_array(part.matrix)
        matrix.sort_indices()
        rows = destination_row[first_row : first_row + matrix.shape[0]]
        first_row += matrix.shape[0]
        shift = indptr[rows].astype(np.int64) - matrix.indptr[:-1]  # from a row's place here
        entries = np.repeat(shift, np.diff(matrix.indptr)) + np.arange(matrix.nnz)
        data[entries] = matrix.data
        indices[entries] = part_columns[matrix.indices]
    matrix = sparse.csr_array((data, indices, indptr), shape=(len(labels), len(vocabulary)))
    return TermCounts(
        matrix=matrix, labels=tuple(labels[i] for i in order), vocabulary=tuple(vocabulary)
    )
