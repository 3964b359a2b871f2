"""Term syntax: stems, multi-word phrases, acronyms, whole words, longest match first."""

import pytest

from analysis.term_patterns import (
    TermError,
    compile_terms,
    count_words,
    keyword_in_context,
    words_with_offsets,
)


def matched(terms, text):
    return [m.matched for m in compile_terms(terms).find(text)]


def test_stem_matches_inflections_but_not_inside_words():
    text = "Settlements, a settlement, anti-settlement votes; resettlement and unsettled."
    assert matched(["settlement*"], text) == ["Settlements", "settlement", "settlement"]


def test_multiword_phrase_allows_space_or_hyphen_and_not_longer_words():
    text = "the two-state solution, a two state solution, a two state-solution, two-state solutions"
    assert matched(["two-state solution"], text) == [
        "two-state solution",
        "two state solution",
        "two state-solution",
    ]


def test_whole_words_only():
    assert matched(["peace"], "peacekeeping and peace-building for peace") == ["peace", "peace"]


def test_all_capital_terms_are_case_sensitive():
    assert matched(["US"], "Let us ask the US and U.S. officials") == ["US"]
    assert matched(["U.S."], "the U.S. said") == ["U.S."]
    assert matched(["Security Council"], "the security council and SECURITY COUNCIL") == [
        "security council",
        "SECURITY COUNCIL",
    ]


def test_longest_term_wins_without_overlap():
    found = compile_terms(["Security Council", "UN Security Council", "UN"]).find(
        "The UN Security Council and the UN"
    )
    assert [(m.term, m.matched) for m in found] == [
        ("UN Security Council", "UN Security Council"),
        ("UN", "UN"),
    ]


def test_typographic_apostrophe_is_plain():
    assert matched(["Israel's"], "Israel\u2019s position") == ["Israel's"]


@pytest.mark.parametrize("bad", ["", "sett*lement", "*", "a(b)"])
def test_bad_terms_are_refused(bad):
    with pytest.raises(TermError):
        compile_terms([bad])


def test_word_count_and_offsets():
    assert count_words("Two-state solution: Israel's 1967 lines!") == 5
    words = words_with_offsets("A b-c")
    assert words == [("a", 0, 1), ("b-c", 2, 5)]


def test_keyword_in_context_collapses_whitespace():
    text = "left   side\nMATCH right  side"
    assert keyword_in_context(text, 12, 17, width=6) == ("t side", "MATCH", "right")
