"""Term-count matrices: exact counts, stable order, streaming input, row sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.corpus.counts import added_term_counts, count_terms, segment_term_counts, sum_rows


def test_counts_are_exact_and_sorted():
    counts = count_terms([("b", ["x", "y", "x"]), ("a", ["y"]), ("b", ["z"])])
    assert counts.labels == ("a", "b")
    assert counts.vocabulary == ("x", "y", "z")
    assert counts.matrix.toarray().tolist() == [[0, 1, 0], [2, 1, 1]]
    assert counts.totals.tolist() == [1, 4]
    assert counts.term_totals.tolist() == [2, 2, 1]
    assert counts.row("b").tolist() == [2, 1, 1]


def test_streams_from_a_generator_and_tidy_frame():
    pairs = ((f"g{i % 2}", ["w"] * i) for i in range(5))  # consumed once
    counts = count_terms(pairs)
    assert counts.to_frame().to_dict("records") == [
        {"label": "g0", "term": "w", "count": 0 + 2 + 4},
        {"label": "g1", "term": "w", "count": 1 + 3},
    ]


def test_vocabulary_keeps_only_its_terms_and_every_label():
    pairs = [("b", ["x", "y", "x"]), ("a", ["y"]), ("c", ["z"])]
    counts = count_terms(pairs, vocabulary=frozenset({"x", "z", "unused"}))
    assert counts.labels == ("a", "b", "c")  # "a" counted nothing but is still a row
    assert counts.vocabulary == ("x", "z")
    assert counts.matrix.toarray().tolist() == [[0, 0], [2, 0], [0, 1]]


def test_terms_are_counted_as_their_str():
    counts = count_terms([("a", [1, "1", np.str_("w")]), ("b", ["w"])], vocabulary={"1", "w"})
    assert counts.vocabulary == ("1", "w")
    assert all(type(term) is str for term in counts.vocabulary)
    assert counts.matrix.toarray().tolist() == [[2, 1], [0, 1]]


def test_string_instead_of_tokens_is_a_clear_error():
    with pytest.raises(TypeError, match="tokenize it first"):
        count_terms([("a", "not tokens")])


def test_unknown_row_names_the_rows():
    counts = count_terms([("a", ["x"])])
    with pytest.raises(KeyError, match="rows are: a"):
        counts.row("b")


def test_segment_counts_and_sum_rows_agree():
    segments = pd.DataFrame(
        {
            "segment_id": ["d1:p0", "d1:p1", "d2:p0"],
            "group": ["A", "A", "B"],
            "tokens": [["x", "y"], ["y"], ["x", "x"]],
        }
    )
    by_group = segment_term_counts(segments)
    by_segment = segment_term_counts(segments, by="segment_id")
    summed = sum_rows(by_segment, dict(zip(segments["segment_id"], segments["group"], strict=True)))
    assert summed.labels == by_group.labels == ("A", "B")
    assert (summed.matrix.toarray() == by_group.matrix.toarray()).all()
    with pytest.raises(KeyError, match="columns are"):
        segment_term_counts(segments, by="source")


token_lists = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.lists(st.sampled_from(["peace", "war", "un", "israel", "two-state"]), max_size=8),
    ),
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(token_lists, st.randoms(use_true_random=False))
def test_totals_match_and_order_does_not_matter(pairs, random):
    counts = count_terms(pairs)
    assert counts.matrix.sum() == sum(len(tokens) for _, tokens in pairs)
    for label in counts.labels:
        expected = sum(len(t) for g, t in pairs if g == label)
        assert counts.row(label).sum() == expected
    shuffled = list(pairs)
    random.shuffle(shuffled)
    again = count_terms(shuffled)
    assert again.labels == counts.labels and again.vocabulary == counts.vocabulary
    assert np.array_equal(again.matrix.toarray(), counts.matrix.toarray())


def test_added_term_counts_equal_one_count_of_all_pairs():
    rng = np.random.default_rng(8)
    words = [f"w{i:02d}" for i in range(30)]
    pairs = [("ABCD"[int(rng.integers(4))], list(rng.choice(words, 5))) for _ in range(40)]
    first, second = count_terms(pairs[:25]), count_terms(pairs[25:] + [("E", [])])
    added = added_term_counts(first, second)
    whole = count_terms(pairs + [("E", [])])
    assert added.labels == whole.labels and added.vocabulary == whole.vocabulary
    assert added.matrix.dtype == np.int64 and added.matrix.has_sorted_indices
    assert (added.matrix != whole.matrix).nnz == 0
    assert added.row("E").sum() == 0
