"""Tests of analysis.sources.style_counts: MTLD, syllables and sentences by hand, and
every fast path against its plain definition."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.corpus.sentences import split_sentences
from analysis.corpus.tokens import WORD_PATTERN
from analysis.sources import style_counts as sc
from analysis.sources.style_counts import count_syllables, mtld, mtld_factors
from analysis.sources.style_profile import load_stance_markers, unit_style

MARKERS = load_stance_markers()


def test_mtld_by_hand_with_a_partial_factor():
    tokens = "a b a b c d e f".split()
    # Forward: a 1/1, b 2/2, a 2/3 = .667 <= .72 -> factor 1, reset; then b c d e f all
    # new: TTR 1, partial (1 - 1) / .28 = 0. Factors 1 -> 8 / 1 = 8.
    assert mtld_factors(tokens) == pytest.approx(1.0)
    # Backward: f e d c b a (6/6), b 6/7 = .857, a 6/8 = .75 > .72: no full factor;
    # partial (1 - .75) / (1 - .72).
    backward = (1 - 6 / 8) / (1 - 0.72)
    assert mtld_factors(tokens[::-1]) == pytest.approx(backward)
    assert mtld(tokens) == pytest.approx((8 / 1 + 8 / backward) / 2)


def test_mtld_lincoln_example():
    # "of the people, by the people, for the people" (McCarthy & Jarvis's illustration):
    # forward, "people" (2nd) brings TTR to 4/6 = .667: one factor, then "for the people"
    # stays at TTR 1 (partial 0). Backward, "the" (2nd) gives 3/5 = .6: one factor, then
    # "by people the of" stays at 1. MTLD = (9 / 1 + 9 / 1) / 2.
    tokens = "of the people by the people for the people".split()
    assert mtld(tokens) == pytest.approx(9.0)


def test_mtld_extremes():
    assert mtld(["x"] * 4) == pytest.approx(2.0)  # x, x (1/2 <= .72): factor every 2 tokens
    assert math.isnan(mtld("every word here is new".split()))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=60))
def test_mtld_is_bounded_by_length(tokens):
    value = mtld(tokens)
    if not math.isnan(value):
        assert 0 < value <= len(tokens) / min(mtld_factors(tokens), mtld_factors(tokens[::-1]))
        assert mtld([t.upper() for t in tokens]) == pytest.approx(value)  # case-insensitive


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("the", 1), ("peace", 1), ("people", 2), ("resolution", 4), ("called", 1),
     ("wanted", 2), ("makes", 1), ("boxes", 2), ("security", 4), ("2017", 1)],
)  # fmt: skip
def test_syllable_heuristic(word, syllables):
    assert count_syllables(word) == syllables


def _sentences_with_words(text: str) -> list[str]:
    """What `count_sentences` counts, by its definition: the sentences holding a word."""
    return [s for s in split_sentences(str(text)) if sc.words_of(s)]


def test_sentences_respect_abbreviations_and_lines():
    text = 'Mr. Smith went to Washington. He said "no!" U.S. officials agreed.\nA heading'
    assert sc.count_sentences(text) == 4
    assert _sentences_with_words(text) == [
        "Mr. Smith went to Washington.",
        'He said "no!"',
        "U.S. officials agreed.",
        "A heading",
    ]


def _plain_mtld_factors(tokens, threshold):
    """MTLD factors by the definition, checking the TTR after every token."""
    factors, types, count = 0.0, set(), 0
    for token in tokens:
        types.add(token)
        count += 1
        if len(types) / count <= threshold:
            factors, types, count = factors + 1, set(), 0
    return factors + ((1 - len(types) / count) / (1 - threshold) if count else 0)


def _plain_count_markers(tokens, markers):
    """Marker occurrences by comparing every marker at every position."""
    return sum(
        tuple(tokens[i : i + len(m)]) == m
        for m in set(markers)
        for i in range(len(tokens))
        if len(m) > 0
    )


_PIECES = [
    "15", "1st", "of", "January", "Jan.", "Sept.", "May", "may", "2016", ",", "2017-01-15",
    "15/01/2017", "1,15", "US", "us", "U.S.", "we", "our", "in", "fact", "general", "the",
    "whole", "on", "tend", "to", '"', "“", "”", "«", "»", "'", "-", " ", " ", "\n", ".", "?",
    "Mr.", "İ", "²", "_", "e.g.", "J.", "people", "called", "boxes", "Sept. 15", "August 2016",
    "3 of 12", "15 December, 2017", "in my view",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.sampled_from(["", " "]))
def test_fast_paths_equal_their_plain_definitions(pieces, separator):
    text = separator.join(pieces)
    assert sc.date_spans(text) == [m.span() for m in sc._DATE.finditer(text)]
    assert sc.count_sentences(text) == len(_sentences_with_words(text))
    words = sc.words_of(text)
    starts = [m.start() for m in WORD_PATTERN.finditer(text)]
    quoted = sc.words_inside(starts, [m.span() for m in sc._QUOTED.finditer(text)])
    assert sc.quoted_words(text) == sum(map(len, quoted))
    lower = [w.lower() for w in words]
    for markers in (MARKERS.hedges, MARKERS.boosters, MARKERS.first_person_plural):
        assert sc.count_markers(lower, markers) == _plain_count_markers(lower, markers)
    for threshold in (0.5, 0.72, 1.0):
        assert mtld_factors(lower, threshold) == _plain_mtld_factors(lower, threshold)
    for word in words:
        assert count_syllables(word) == count_syllables.__wrapped__(word)
    style = unit_style(text, MARKERS)  # per distinct word, the ids compiled
    assert style["syllables"] == sum(map(count_syllables.__wrapped__, words))
    assert style["mtld_factors_forward"] == _plain_mtld_factors(lower, sc.MTLD_THRESHOLD)
    assert style["mtld_factors_backward"] == _plain_mtld_factors(lower[::-1], sc.MTLD_THRESHOLD)
