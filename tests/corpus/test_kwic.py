"""The one keyword-in-context line: word windows, whole matches, whitespace collapsed."""

from __future__ import annotations

import pandas as pd

from analysis.corpus.kwic import KWIC_COLUMNS, concordance, context_of, format_line, word_index
from analysis.corpus.tokens import WORD_PATTERN


def test_context_counts_words_keeps_the_match_whole_and_collapses_whitespace():
    text = "one two   three\nfour MATCH here five six seven"
    start = text.index("MATCH")
    left, match, right, first = context_of(text, start, start + len("MATCH here"), 2)
    assert (left, match, right, first) == ("three four", "MATCH here", "five six", 4)
    assert context_of(text, 0, 3, 2)[:3] == ("", "one", "two three")
    end = len(text)
    assert context_of(text, end - 5, end, 2)[:3] == ("five six", "seven", "")
    assert context_of(text, start, start + 5, 0)[:3] == ("", "MATCH", "")


def test_typographic_apostrophes_are_plain_in_the_context():
    text = "Israel\u2019s envoy said the resolution failed"
    start = text.index("resolution")
    left, _, right, _ = context_of(text, start, start + 10, 3)
    assert left == "envoy said the" and right == "failed"
    left, _, _, _ = context_of(text, start, start + 10, 5)
    assert left == "Israel's envoy said the"


def test_concordance_lines_in_query_then_unit_order():
    units = pd.DataFrame(
        {
            "segment_id": ["a:p0", "b:p0"],
            "doc_id": ["a", "b"],
            "group": ["A", "B"],
            "text": ["The settlements grew; settlement talks", "No settlement here"],
        }
    )
    table = concordance(units, ["settlement*", "talks"], window=1)
    assert list(table.columns) == list(KWIC_COLUMNS)
    assert table["match"].tolist() == ["settlements", "settlement", "settlement", "talks"]
    assert table["unit_id"].tolist() == ["a:p0", "a:p0", "b:p0", "a:p0"]
    assert table.iloc[1][["left", "right"]].tolist() == ["grew;", "talks"]


def test_format_line_cuts_from_the_outside_never_the_match():
    line = format_line("a long left context", "two-state solution", "and a long right", 6)
    assert line == "…ntext [two-state solution] and a…"


def test_word_index_has_the_spans_of_every_running_word():
    """The split-based index equals the spans of `WORD_PATTERN` (ASCII and other texts)."""
    for text in [
        "",
        "!!",
        "a",
        " U.S. two-state 1,000 Israel\u2019s x-",
        "É\u2019s İstanbul ſ 3.5",
    ]:
        index = word_index(text)
        spans = [m.span() for m in WORD_PATTERN.finditer(index.plain)]
        assert list(zip(index.starts, index.ends, strict=True)) == spans
