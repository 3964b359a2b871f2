"""Term syntax: stems, multi-word phrases, acronyms, whole words, longest match first."""

import random
import re
import sys
from dataclasses import replace

import pytest

from analysis.corpus.patterns import (
    UNSAFE_CASE,
    MultiTermMatcher,
    TermError,
    _trie,
    candidate_words,
    compile_terms,
)
from analysis.corpus.tokens import count_words, word_spans
from tests.conftest import PROJECT_ROOT


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
    words = word_spans("A b-c")
    assert words == [("a", 0, 1), ("b-c", 2, 5)]


def test_multi_term_matcher_equals_each_matcher_find():
    """Overlapping exact and stem keys of several lengths, acronyms, multi-word terms, and
    texts whose lower case differs from re's case folding (dotted I, long s, Kelvin sign)."""
    matchers = [
        compile_terms(["settlement*", "two-state solution", "two-state", "Israel", "US"]),
        compile_terms(["security", "Security Council", "u.s.", "threat*", "threaten", "thr*"]),
        compile_terms(["Security Council", "UN", "united nations", "settle*"]),
    ]
    texts = [
        "Two state solution, two-state; settlements and resettlement. Israel's US us UN",
        "The U.S. Security Council; security-threats, THREATENED, threaten. thrall, thr",
        "İsrael and Israel: the anti-settlement two-state-solution, unthreatened. K\u212a",
        "misſettlement ſecurity; United  Nations and the united-nations; settler",
        "",
    ]
    multi = MultiTermMatcher(matchers)
    for _ in range(2):  # the second time through the per-word memo
        for text in texts:
            assert multi.find(text) == [m.find(text) for m in matchers]
            assert multi.find_terms(text) == [[x.term for x in m.find(text)] for m in matchers]
    # Two state solution, two-state, settlements, Israel, US | - | settlements, UN
    assert [len(x) for x in multi.find(texts[0])] == [5, 0, 2]


def test_multi_term_matcher_equals_each_matcher_on_the_project_dictionaries():
    from analysis.core.params import load_params
    from analysis.framing.actors import load_actor_gazetteer
    from analysis.framing.frames import frame_matcher, load_frame_dictionary

    params = load_params()
    frames = load_frame_dictionary(params.framing.frames_file).frames
    matchers = [frame_matcher(f) for f in frames]
    matchers.append(load_actor_gazetteer(params.framing.actors_file).matcher)
    multi = MultiTermMatcher(matchers)
    texts = [p.read_text(encoding="utf-8") for p in sorted((PROJECT_ROOT / "seeds").glob("*.txt"))]
    assert len(texts) == 5
    found = [multi.find(text) for text in texts]
    assert found == [[m.find(text) for m in matchers] for text in texts]
    assert sum(len(x) for per_text in found for x in per_text) > 100


def test_lower_cased_text_lines_up_with_the_text():
    """Candidates are scanned over ``text.lower()`` and used at the same offsets in the text:
    every Unicode character lower-cases to one character that is a word character exactly
    when it is, except those in UNSAFE_CASE (whose texts are scanned word by word)."""
    unsafe = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        lowered = char.lower()
        if len(lowered) != 1 or bool(re.match(r"\w", char)) != bool(re.match(r"\w", lowered)):
            unsafe.append(char)
    assert unsafe == list(UNSAFE_CASE)


def test_candidate_words_find_what_a_scan_of_every_word_finds():
    """Visiting only the candidate words gives the matches of visiting every word start."""
    terms = ["settlement*", "two-state solution", "two-state", "Israel", "US", "UN", "u.s.",
             "security council", "threat*", "thr*", "threaten", "é*", "Élysée"]  # fmt: skip
    matcher = compile_terms(terms)
    every_word = replace(matcher, candidates=re.compile(r"(?<!\w)\w"))
    pieces = ["settlement", "Settlements", "resettlement", "two", "state", "solution", "-", " ",
              "Israel's", "US", "us", "UN", "U.S.", "Security", "council", "THREAT", "thrall",
              "threatened", "élysée", "ÉLYSÉE", "étoile", "K\u212a", "ſettlement", "İsrael",
              "'", ",", "\u2019s", "unthreatened", "x"]  # fmt: skip
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", "-"]) for _ in range(12))
        assert matcher.find(text) == every_word.find(text)
    assert len(matcher.find("Two-state solution: settlements, Élysée")) == 3


def test_one_trie_of_exact_and_stem_keys_matches_where_two_tries_do():
    """`candidate_words` builds one trie of exact and stem keys; it starts candidates
    exactly where the two tries (exact keys, then stems) do."""
    exact, stems = ["threaten", "thr", "two", "us", "é", "élysée"], ["thr", "threat", "settle", "é"]
    merged = candidate_words(exact, stems)
    two_tries = re.compile(rf"(?<!\w)(?:{_trie(exact)}(?!\w)|{_trie(stems)})")
    pieces = ["threaten", "THREATENED", "thr", "thrall", "two", "twos", "US", "us", "usa",
              "settlement", "Élysée", "é", "ét", "K\u212a", "ſettle", " ", "-", "'"]  # fmt: skip
    rng = random.Random(3)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(10)).lower()
        assert [m.start() for m in merged.finditer(text)] == [
            m.start() for m in two_tries.finditer(text)
        ]
