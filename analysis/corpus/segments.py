"""Units of analysis: whole documents, paragraphs, or windows of N sentences.

Five documents are too few for most statistics; their paragraphs are not. Sentences are
`analysis.corpus.sentences` sentences and words `analysis.corpus.tokens` words (one
definition of each for every stage). Segments shorter than `min_words` (headings,
datelines) are merged into their neighbour, so every word of a document lands in exactly
one segment.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.core.errors import InputError
from analysis.corpus.sentences import split_sentences
from analysis.corpus.tokens import count_words

SEGMENT_COLUMNS = ["segment_id", "doc_id", "group", "position", "text"]
_TERMINAL = re.compile(r"[.!?:;\"')\]]$")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a cleaned text.

    One paragraph per line, unless the text is hard-wrapped (most lines inside blank-line
    blocks end mid-sentence), in which case blank lines separate paragraphs.
    """
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) > len(blocks) and _is_hard_wrapped(blocks):
        return [" ".join(b.split()) for b in blocks]
    return lines


def _is_hard_wrapped(blocks: list[str]) -> bool:
    inner = [line for b in blocks for line in b.split("\n")[:-1] if line.strip()]
    if not inner:
        return False
    open_ended = sum(1 for line in inner if not _TERMINAL.search(line.strip()))
    return open_ended / len(inner) > 0.5


def merge_short(pieces: list[str], min_words: int) -> list[str]:
    """Join pieces shorter than `min_words` words onto the next piece (the last onto the
    previous), so headings travel with the paragraph they introduce."""
    merged: list[str] = []
    carry = ""
    for piece in pieces:
        piece = f"{carry} {piece}".strip() if carry else piece
        if count_words(piece) < min_words:
            carry = piece
            continue
        merged.append(piece)
        carry = ""
    if carry:
        if merged:
            merged[-1] = f"{merged[-1]} {carry}"
        else:
            merged.append(carry)
    return merged


def segment_documents(
    documents: pd.DataFrame,
    unit: str = "paragraph",
    window: int = 3,
    min_words: int = 8,
) -> pd.DataFrame:
    """Cut documents into segments with stable ids ``<doc_id>:<unit letter><number>``."""
    if unit not in {"document", "paragraph", "sentences"}:
        raise InputError(f"segments.unit {unit!r}: use document, paragraph or sentences")
    if unit == "sentences" and window < 1:
        raise InputError(f"segments.window {window}: a window holds at least one sentence")
    rows = []
    for doc in documents[["doc_id", "group", "text"]].itertuples(index=False):
        for position, text in enumerate(_pieces(doc.text, unit, window, min_words)):
            letter = {"document": "d", "paragraph": "p", "sentences": "s"}[unit]
            rows.append(
                (f"{doc.doc_id}:{letter}{position:04d}", doc.doc_id, doc.group, position, text)
            )
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


def _pieces(text: str, unit: str, window: int, min_words: int) -> list[str]:
    if unit == "document":
        return [" ".join(text.split())]
    if unit == "paragraph":
        return merge_short(split_paragraphs(text), min_words)
    sentences = split_sentences(text)
    windows = [" ".join(sentences[i : i + window]) for i in range(0, len(sentences), window)]
    return merge_short(windows, min_words)
