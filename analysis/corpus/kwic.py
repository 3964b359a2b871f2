"""The one definition of a keyword-in-context line: every concordance, evidence table and
explorer builds its lines here.

A line is the matched text, whole, with up to `window` running words (`analysis.corpus
.tokens` words) on each side, whitespace collapsed and typographic apostrophes plain.
`format_line` shortens a line for display from the outside in, never cutting the match.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate

import pandas as pd

from analysis.core.errors import InputError
from analysis.corpus.patterns import MultiTermMatcher, compile_terms
from analysis.corpus.tokens import WORD_PATTERN, normalise_quotes

KWIC_COLUMNS = {
    "query": "the term searched for, as written",
    "group": "group (source) of the unit",
    "unit_id": "segment (or document) id",
    "doc_id": "document id",
    "word_position": "index of the match's first word among the unit's running words",
    "char_start": "character offset where the match starts in the unit's text",
    "char_end": "character offset just after the match",
    "left": "the `window` running words before the match",
    "match": "the text matched",
    "right": "the `window` running words after the match",
}


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class WordIndex:
    """Where a text's running words (`analysis.corpus.tokens` words) start and end, built
    once for all the context lines of that text."""

    plain: str  # the text with typographic apostrophes plain (same offsets)
    starts: tuple[int, ...]
    ends: tuple[int, ...]


# The word pattern as one group: ``split`` gives [gap, word, gap, ..., word, gap], whose
# running lengths are the words' offsets. Its re.ASCII form finds the same words in ASCII
# text, faster.
_WORD_SPLIT = re.compile(f"({WORD_PATTERN.pattern})")
_ASCII_WORD_SPLIT = re.compile(f"({WORD_PATTERN.pattern})", re.ASCII)


def word_index(text: str) -> WordIndex:
    """The `WordIndex` of `text`."""
    plain = normalise_quotes(str(text))
    split = _ASCII_WORD_SPLIT if plain.isascii() else _WORD_SPLIT
    offsets = tuple(accumulate(map(len, split.split(plain))))
    return WordIndex(plain, offsets[:-1:2], offsets[1::2])


def context_of(
    text: str, start: int, end: int, window: int, index: WordIndex | None = None
) -> tuple[str, str, str, int]:
    """(left, match, right, index of the first matched word) of the span `start:end` of
    `text`, with `window` words of context on each side (`index`: `word_index(text)`,
    passed in when a text has several matches)."""
    index = index or word_index(text)
    starts, n_words = index.starts, len(index.starts)
    first = bisect.bisect_left(starts, start)
    after = bisect.bisect_left(starts, end)  # the first word after the match
    left = index.plain[starts[max(0, first - window)] : start] if first > 0 and window else ""
    right_end = index.ends[min(n_words, after + window) - 1] if after < n_words else end
    right = index.plain[end:right_end] if window and after < n_words else ""
    return _squash(left), _squash(text[start:end]), _squash(right), first


def span_contexts(
    texts: Mapping[str, str],
    spans: Iterable[tuple[str, int, int]],
    window: int,
    indexes: Mapping[str, WordIndex] | None = None,
) -> list[tuple[str, str, str, int]]:
    """`context_of` for each (text key, start, end) in `spans`, indexing each text once for
    a run of its spans (spans grouped by text, as hits in unit order are); `indexes`: the
    texts' `word_index`, when already built."""
    lines, key, index = [], None, None
    for text_key, start, end in spans:
        if text_key != key:
            key = text_key
            index = indexes[key] if indexes is not None else word_index(texts[key])
        lines.append(context_of(texts[text_key], start, end, window, index))
    return lines


def concordance(
    units: pd.DataFrame,
    query: str | Sequence[str],
    window: int = 8,
    id_column: str = "segment_id",
) -> pd.DataFrame:
    """Keyword-in-context lines (KWIC_COLUMNS) for one or more term patterns in every unit,
    in query order, then unit order, then text order."""
    queries = [query] if isinstance(query, str) else list(query)
    lines = _lines_by_query(units, queries, window, id_column)
    return pd.DataFrame([row for rows in lines for row in rows], columns=list(KWIC_COLUMNS))


def concordance_by_query(
    units: pd.DataFrame, queries: Sequence[str], window: int = 8, id_column: str = "segment_id"
) -> list[pd.DataFrame]:
    """`concordance` of each query, in one pass over the texts."""
    lines = _lines_by_query(units, list(queries), window, id_column)
    return [pd.DataFrame(rows, columns=list(KWIC_COLUMNS)) for rows in lines]


def _lines_by_query(
    units: pd.DataFrame, queries: list[str], window: int, id_column: str
) -> list[list[tuple]]:
    if window < 0:
        raise InputError(
            f"the context window (sources.context_window) must be >= 0 words, got {window}"
        )
    missing = [c for c in (id_column, "group", "text") if c not in units.columns]
    if missing:
        raise InputError(
            f"concordance: the units table lacks column(s) {missing}; pass "
            "PreparedCorpus.segments (or documents with id_column='doc_id')"
        )
    doc_ids = units["doc_id"] if "doc_id" in units.columns else units[id_column]
    matcher = MultiTermMatcher([compile_terms([term]) for term in queries])  # one pass a text
    lines: list[list[tuple]] = [[] for _ in queries]
    for unit_id, doc_id, group, text in zip(
        units[id_column], doc_ids, units["group"], units["text"], strict=True
    ):
        text = str(text)
        found = matcher.find(text)
        index = word_index(text) if any(found) else None
        for term, matches, rows in zip(queries, found, lines, strict=True):
            for match in matches:
                left, matched, right, first = context_of(
                    text, match.start, match.end, window, index
                )
                rows.append(
                    (term, str(group), str(unit_id), str(doc_id), first, match.start,
                     match.end, left, matched, right)
                )  # fmt: skip
    return lines


def format_line(left: str, match: str, right: str, width: int) -> str:
    """``… left [match] right …`` with each side cut to `width` characters from the
    outside; the match is never cut."""
    left = left if len(left) <= width else "…" + left[-(width - 1) :]
    right = right if len(right) <= width else right[: width - 1] + "…"
    return f"{left} [{match}] {right}".strip()
