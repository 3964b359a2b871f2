"""Sentence splitting without downloaded models: a rule-based splitter with offsets.

A sentence ends at ".", "!" or "?" (plus any closing quotes or brackets) followed by white
space and a capital letter, digit or opening quote, unless the word before the full stop
is a known abbreviation ("Jan.", "U.S.", "Mr.") or a single initial; a line break always
ends a sentence. NLTK's Punkt models are not installed, and a trained Punkt would change
with the corpus; these rules do not.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st gen gov sen rep col lt sgt capt no nos vs etc e.g i.e u.s u.n
    u.k d.c h.e jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co jr sr approx
    fig cf al ed eds pp vol dept est""".split()
)
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_LINE_BREAK = re.compile(r"\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of `text`, whitespace trimmed."""
    cuts = [0]
    for match in _BOUNDARY.finditer(text):
        word = re.search(r"(\S+)$", text[cuts[-1] : match.start() + 1])
        token = word.group(1).lower().rstrip(".") if word else ""
        token = token.lstrip("\"'“‘([")
        if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        cuts.append(match.end())
    for match in _LINE_BREAK.finditer(text):
        cuts.append(match.start())
    cuts = sorted(set(cuts)) + [len(text)]
    spans = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        piece = text[start:end]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            spans.append((start + left, start + right))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` (see `sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]
