"""The one definition of a sentence: a rule-based splitter with offsets, used by every stage
(sentence segments, quotations, tone, the style profile).

A sentence ends at ".", "!" or "?" (plus any closing quotes or brackets) followed by white
space and a capital letter, digit or opening quote, unless the sentence ends in a full stop
after a known abbreviation ("Jan.", "Mr."), a single initial or a dotted abbreviation
("U.S.", "e.g."); a line break always ends a sentence. NLTK's Punkt models are not
installed, and a Punkt trained on the corpus would change with the corpus; these rules do
not.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st gen gov sen rep col lt sgt capt rev hon pres no nos vs etc eg ie
    jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp jr sr approx fig cf al
    ed eds pp vol dept est mt ft""".split()
)
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_LINE_BREAK = re.compile(r"\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of `text`, whitespace trimmed."""
    cuts = [0]
    for match in _BOUNDARY.finditer(text):
        token = _last_word(text, cuts[-1], match.start() + 1).lower().rstrip(".")
        token = token.lstrip("\"'“‘([")
        full_stop = match.group(0)[0] == "."
        if full_stop and (token in ABBREVIATIONS or _is_initial_or_dotted(token)):
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


def _last_word(text: str, start: int, end: int) -> str:
    """The run of non-space characters that ends `text[start:end]` (what ``\\S+$`` finds
    in it; ``str.isspace`` is the ``\\s`` of `re`)."""
    first = end
    while first > start and not text[first - 1].isspace():
        first -= 1
    return text[first:end]


def _is_initial_or_dotted(token: str) -> bool:
    """A single letter ("J.") or a dotted abbreviation ("u.s", "e.g", "d.c")."""
    return (len(token) == 1 and token.isalpha()) or (
        "." in token and token.replace(".", "").isalpha()
    )


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` (see `sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]
