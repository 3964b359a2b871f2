"""Rule-based sentence splitting: abbreviations, initials, quotes, line breaks."""

from hypothesis import given
from hypothesis import strategies as st

from analysis.corpus.sentences import sentence_spans, split_sentences


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
