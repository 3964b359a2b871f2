"""Per-unit style counts of running text: sentences, syllables, MTLD factors, dates,
quoted words and stance markers, as `analysis.sources.style_profile` defines them (its
docstring gives every definition). Each is a plain function of a text or its words; the
style profile adds them up per unit and group."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numba
import numpy as np

from analysis.corpus.sentences import sentence_spans
from analysis.corpus.tokens import WORD_PATTERN, tokenize_words

MTLD_THRESHOLD = 0.72


def words_of(text: str) -> list[str]:
    """The words of a text as written (`tokenize_words`, case kept)."""
    return tokenize_words(text, lowercase=False)


# --- sentences ----------------------------------------------------------------------


# A character that starts a word (`WORD_PATTERN`: a letter or a digit): a text holds a word
# if and only if it holds one of these.
_WORD_CHARACTER = re.compile(r"[^\W_]")


def count_sentences(text: str) -> int:
    """The sentences (`analysis.corpus.sentences`) of a text that hold at least one word,
    counted without tokenizing each sentence."""
    return sum(1 for a, b in sentence_spans(text) if _WORD_CHARACTER.search(text, a, b))


# --- syllables, MTLD ----------------------------------------------------------------


_DIGIT_GROUP = re.compile(r"\d+")
_NOT_A_LETTER = re.compile(r"[^a-z]")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_CONSONANT_LE = re.compile(r"[^aeiouy]le$")


@lru_cache(maxsize=100_000)
def count_syllables(word: str) -> int:
    """Syllables of one word by the heuristic in the module docstring (cached: words
    repeat)."""
    word = word.lower()
    if any(map(str.isdigit, word)):
        return max(1, len(_DIGIT_GROUP.findall(word)))
    letters = _NOT_A_LETTER.sub("", word)
    if not letters:
        return 1
    count = len(_VOWEL_GROUP.findall(letters))
    if count > 1 and letters.endswith("e") and not _CONSONANT_LE.search(letters):
        count -= 1
    elif count > 1 and letters.endswith("ed") and len(letters) > 3 and letters[-3] not in "td":
        count -= 1
    elif (
        count > 1
        and letters.endswith("es")
        and len(letters) > 3
        and letters[-3] not in "sxz"
        and not letters.endswith(("ches", "shes"))
    ):
        count -= 1
    return max(1, count)


def mtld_factors(tokens: Sequence[str], threshold: float = MTLD_THRESHOLD) -> float:
    """Number of MTLD factors in one reading direction, the partial factor included."""
    return mtld_factors_of_ids(token_ids(tokens), threshold)


def token_ids(tokens: Sequence[str], types: Iterable[str] | None = None) -> np.ndarray:
    """Each token's number among the distinct tokens (`types`: them in order of first
    appearance, e.g. the keys of the tokens' `Counter`, if already made)."""
    types = dict.fromkeys(tokens) if types is None else types
    number = {token: i for i, token in enumerate(types)}
    return np.fromiter(map(number.__getitem__, tokens), dtype=np.int64, count=len(tokens))


def mtld_factors_of_ids(ids: np.ndarray, threshold: float = MTLD_THRESHOLD) -> float:
    """`mtld_factors` of tokens given by their `token_ids` (read in the order given)."""
    if threshold >= 1:  # every token (TTR 1) closes a factor
        return float(len(ids))
    return _mtld_factors(ids, int(ids.max()) + 1 if len(ids) else 0, float(threshold))


@numba.njit(cache=True)
def _mtld_factors(ids: np.ndarray, n_types: int, threshold: float) -> float:  # pragma: no cover
    """The factor count, compiled: a type is new when it was last seen in an earlier factor."""
    factors = 0.0
    last_factor = np.full(n_types, -1)
    factor, types, count = 0, 0, 0
    for token in ids:
        count += 1
        if last_factor[token] != factor:
            # A new type never lowers the TTR, which was above the threshold (or 1/1 for
            # the first token): no factor can end here.
            last_factor[token] = factor
            types += 1
        elif types / count <= threshold:
            factors += 1
            factor, types, count = factor + 1, 0, 0
    if count:
        factors += (1 - types / count) / (1 - threshold)
    return factors


def mtld(tokens: Sequence[str], threshold: float = MTLD_THRESHOLD) -> float:
    """Bidirectional MTLD of one text (NaN when there is no factor at all)."""
    tokens = [t.lower() for t in tokens]
    forward = mtld_factors(tokens, threshold)
    backward = mtld_factors(tokens[::-1], threshold)
    return mtld_from(len(tokens), forward, backward)


def mtld_from(n_tokens: int, forward: float, backward: float) -> float:
    if forward == 0 or backward == 0:
        return float("nan")
    return (n_tokens / forward + n_tokens / backward) / 2


# --- quotes, dates, numbers -----------------------------------------------------------

_QUOTED = re.compile(r"“[^“”]*”|\"[^\"]*\"|«[^«»]*»")
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
_DATE = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?"
    rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"
    rf"|\b{_MONTH}\s+\d{{4}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b(?:January|February|March|April|June|July|August|September|October|November|December)\b"
)


# Every date match starts with a digit or a month's capital; a candidate runs to the end of
# its word, since a match starts at a word boundary (\b), never inside a word.
_DATE_START = re.compile(r"[\dJFMASOND]\w*")


def date_spans(text: str) -> list[tuple[int, int]]:
    """The spans `_DATE.finditer` gives, matched only where a date can start (faster)."""
    spans: list[tuple[int, int]] = []
    end = 0
    for candidate in _DATE_START.finditer(text):
        start = candidate.start()
        if start >= end and (match := _DATE.match(text, start)):
            spans.append(match.span())
            end = match.end()
    return spans


def words_inside(starts: list[int], spans: list[tuple[int, int]]) -> list[range]:
    """For each span (sorted, not overlapping, as `finditer` gives them), the indices of
    the words that start inside it."""
    return [range(bisect_left(starts, a), bisect_left(starts, b)) for a, b in spans]


# Multi-word markers by their first and second word.
_Phrases = dict[str, dict[str, list[tuple[str, ...]]]]


@lru_cache(maxsize=16)
def marker_index(markers: tuple[tuple[str, ...], ...]) -> tuple[frozenset[str], _Phrases]:
    """Single-word markers, and multi-word markers by their first two words."""
    singles = frozenset(m[0] for m in markers if len(m) == 1)
    phrases: _Phrases = {}
    for marker in markers:
        if len(marker) > 1:
            phrases.setdefault(marker[0], {}).setdefault(marker[1], []).append(marker)
    return singles, phrases


def count_markers(
    tokens: list[str],
    markers: tuple[tuple[str, ...], ...],
    counts: Counter[str] | None = None,
) -> int:
    """Occurrences of single- and multi-word markers in a token list (``counts``: its
    `Counter`, if already made)."""
    singles, phrases = marker_index(markers)
    counts = Counter(tokens) if counts is None else counts
    total = sum(counts[word] for word in counts.keys() & singles)
    last = len(tokens) - 1
    for first in phrases.keys() & counts.keys():
        by_second = phrases[first]
        position = -1
        for _ in range(counts[first]):  # every position of the first word
            position = tokens.index(first, position + 1)
            following = tokens[position + 1] if position < last else None
            for marker in by_second.get(following, ()):
                total += tuple(tokens[position : position + len(marker)]) == marker
    return total


def quoted_words(text: str) -> int:
    """Words inside double quotation marks. A quotation starts and ends with a mark no word
    holds, so the words matched inside it are the text's words that start inside it."""
    return sum(len(WORD_PATTERN.findall(text, *m.span())) for m in _QUOTED.finditer(text))
