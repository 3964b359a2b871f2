"""Per-unit term counts over the partitioned corpus: partitions stacked in label order give
the matrix of one count over the whole corpus, on any partitioning."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.corpus.counts import count_terms, segment_term_counts
from analysis.sources.unit_counts import (
    UnitCounts,
    corpus_unit_counts,
    group_blocks,
    stack_term_counts,
    stack_unit_counts,
)
from tests.sources.partitioned import seed_corpora


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    return seed_corpora(tmp_path_factory)


def test_stacked_parts_equal_one_count_by_hand():
    first = count_terms([("u2", ["b", "a", "a"]), ("u0", [])])
    second = count_terms([("u1", ["c", "a"])])
    stacked = stack_term_counts([first, second])
    assert stacked.labels == ("u0", "u1", "u2")
    assert stacked.vocabulary == ("a", "b", "c")
    assert stacked.matrix.toarray().tolist() == [[0, 0, 0], [1, 0, 1], [2, 1, 0]]
    whole = count_terms([("u2", ["b", "a", "a"]), ("u0", []), ("u1", ["c", "a"])])
    assert (stacked.matrix != whole.matrix).nnz == 0


def test_five_partitions_on_two_processes_equal_one_partition(corpora):
    one, many = corpora
    segments = one.corpus.in_memory().segments
    expected = segment_term_counts(segments, by="segment_id")
    for prepared in (one, many):
        units = corpus_unit_counts(prepared.corpus, prepared.params)
        assert units.counts.labels == expected.labels
        assert units.counts.vocabulary == expected.vocabulary
        assert np.array_equal(units.counts.matrix.toarray(), expected.matrix.toarray())
        group = dict(zip(segments["segment_id"], segments["group"], strict=True))
        assert units.groups == tuple(group[label] for label in units.counts.labels)


def test_only_the_kept_documents_are_counted(corpora):
    _, many = corpora
    documents = sorted(many.corpus.documents()["doc_id"].astype(str))[:2]
    units = corpus_unit_counts(many.corpus, many.params, "doc_id", frozenset(documents))
    assert list(units.counts.labels) == documents
    assert units.counts.totals.min() > 0


def test_stacking_random_parts_equals_one_count_of_all_their_units():
    rng = np.random.default_rng(3)
    words = [f"w{i:03d}" for i in range(300)]
    units = [(f"u{int(i):05d}", list(rng.choice(words, rng.integers(0, 40))))
             for i in rng.permutation(2000)]  # fmt: skip
    cuts = np.sort(rng.choice(np.arange(1, len(units)), 6, replace=False))
    parts = [count_terms(chunk) for chunk in np.split(np.array(units, dtype=object), cuts)]
    whole = count_terms(units)
    stacked = stack_term_counts(parts)
    assert stacked.labels == whole.labels and stacked.vocabulary == whole.vocabulary
    assert stacked.matrix.dtype == np.int64 and stacked.matrix.has_sorted_indices
    assert (stacked.matrix != whole.matrix).nnz == 0


def test_group_blocks_are_each_groups_rows_of_the_stacked_parts():
    rng = np.random.default_rng(5)
    words = [f"w{i:02d}" for i in range(40)]
    parts = []
    for p in range(4):
        units = [(f"u{p}{i:03d}", list(rng.choice(words, rng.integers(1, 12)))) for i in range(30)]
        counts = count_terms(units)
        parts.append(UnitCounts(counts, tuple("ABC"[int(rng.integers(3))] for _ in units)))
    whole = stack_unit_counts(parts)
    blocks = group_blocks(part for part in parts)  # a stream of parts will do
    assert sorted(blocks) == ["A", "B", "C"]
    for group, block in blocks.items():
        rows = [i for i, g in enumerate(whole.groups) if g == group]
        assert block.labels == tuple(whole.counts.labels[i] for i in rows)
        assert block.vocabulary == whole.counts.vocabulary
        assert (block.matrix != whole.counts.matrix[rows, :]).nnz == 0
