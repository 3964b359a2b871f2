"""Units of analysis: documents, paragraphs, sentence windows."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.corpus.segments import merge_short, segment_documents, split_paragraphs
from analysis.corpus.sentences import split_sentences

LONG = "This sentence has quite a few words in it for the test."


def docs(*texts: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"doc_id": [f"d{i}" for i in range(len(texts))], "group": "g", "text": list(texts)}
    )


def test_one_paragraph_per_line_when_lines_end_sentences():
    text = f"{LONG}\n{LONG}\n\n{LONG}"
    assert split_paragraphs(text) == [LONG, LONG, LONG]


def test_hard_wrapped_text_uses_blank_lines():
    text = (
        "This paragraph is wrapped\nat a fixed width and goes\non for a while.\n\nSecond one\nhere."
    )
    assert split_paragraphs(text) == [
        "This paragraph is wrapped at a fixed width and goes on for a while.",
        "Second one here.",
    ]


def test_short_pieces_join_the_next_one_and_the_last_joins_the_previous():
    assert merge_short(["Heading", LONG, LONG, "Tail"], min_words=5) == [
        f"Heading {LONG}",
        f"{LONG} Tail",
    ]
    assert merge_short(["tiny"], min_words=5) == ["tiny"]


def test_every_word_lands_in_exactly_one_segment():
    text = f"Background\n{LONG}\n{LONG} {LONG}\nEnd."
    segs = segment_documents(docs(text), "paragraph", min_words=5)
    assert " ".join(segs["text"]).split() == text.split()
    assert list(segs["segment_id"]) == ["d0:p0000", "d0:p0001"]


def test_sentence_windows_use_the_one_sentence_definition():
    text = "He met Vladimir Putin on Nov. 24 in Moscow. The U.S. will act. It did. Then U.S. Army."
    sentences = [
        "He met Vladimir Putin on Nov. 24 in Moscow.",
        "The U.S. will act.",
        "It did.",
        "Then U.S. Army.",
    ]
    assert split_sentences(text) == sentences
    segs = segment_documents(docs(text), "sentences", window=1, min_words=1)
    assert list(segs["text"]) == sentences


def test_sentence_windows_hold_n_sentences():
    text = " ".join(f"Sentence number {i} talks about peace." for i in range(10))
    segs = segment_documents(docs(text), "sentences", window=3, min_words=3)
    assert list(segs["text"].str.count("Sentence")) == [3, 3, 3, 1]
    assert segs["segment_id"].iloc[-1] == "d0:s0003"


def test_document_unit_keeps_whole_text():
    segs = segment_documents(docs("a b c\n\nd e f"), "document")
    assert list(segs["text"]) == ["a b c d e f"]


def test_unknown_unit_is_an_error():
    with pytest.raises(ValueError, match="segments.unit 'chapter'"):
        segment_documents(docs(LONG), "chapter")
