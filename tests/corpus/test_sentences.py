"""Rule-based sentence splitting: abbreviations, initials, quotes, line breaks."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.corpus.sentences import _last_word, sentence_spans, split_sentences


def test_abbreviations_and_initials_do_not_split():
    text = (
        "The U.S. Embassy moved on Jan. 15. Mr. Smith met J. Kerry. "
        "\u201cIt works.\u201d Then 2017 came!"
    )
    assert split_sentences(text) == [
        "The U.S. Embassy moved on Jan. 15.",
        "Mr. Smith met J. Kerry.",
        "\u201cIt works.\u201d",
        "Then 2017 came!",
    ]


def test_line_breaks_end_sentences():
    assert split_sentences("Heading\nBody text here. More") == [
        "Heading",
        "Body text here.",
        "More",
    ]


@given(st.text(alphabet='ab .?!\n"ABC', max_size=60))
def test_spans_are_ordered_trimmed_and_inside_text(text):
    spans = sentence_spans(text)
    for (_a, b), (c, _d) in zip(spans, spans[1:], strict=False):
        assert b <= c
    for a, b in spans:
        assert 0 <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Mr.", "U.S.", "J.", "e.g.", "end.", "?", "!", "\u2003", "\u00a0", "\u2028", " ",
             "\n", "\t", "A", "9", "“Quote.”", "(x.)", "x", "é.", "\x1c", "\x85", "..."]
        ),
        max_size=40,
    )
)  # fmt: skip
def test_the_last_word_before_a_boundary_is_what_the_regex_finds(pieces):
    """`_last_word` equals ``\\S+$`` searched in the slice, Unicode white space included."""
    text = " ".join(pieces)
    for end in range(1, len(text) + 1):
        for start in (0, end // 2):
            found = re.search(r"(\S+)$", text[start:end])
            assert _last_word(text, start, end) == (found.group(1) if found else "")
