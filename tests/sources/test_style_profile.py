"""Style profile: MTLD and Flesch by hand, marker counts, sentences, seeded intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core.params import load_params
from analysis.sources.style_profile import (
    STYLE_PROFILE_COLUMNS,
    count_syllables,
    group_style_profile,
    load_stance_markers,
    mtld,
    mtld_factors,
    split_sentences,
    style_profile,
    style_units,
    unit_style,
)

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


def test_sentences_respect_abbreviations_and_lines():
    text = 'Mr. Smith went to Washington. He said "no!" U.S. officials agreed.\nA heading'
    assert split_sentences(text) == [
        "Mr. Smith went to Washington.",
        'He said "no!"',
        "U.S. officials agreed.",
        "A heading",
    ]


def test_flesch_by_hand():
    units = pd.DataFrame(
        {"segment_id": ["a"], "group": ["A"], "text": ["The cat sat. The dog ran."]}
    )
    profile = group_style_profile(style_units(units, MARKERS), bootstrap_samples=10)
    flesch = profile.set_index("metric").loc["flesch_reading_ease", "value"]
    # 6 words, 2 sentences, 6 syllables
    assert flesch == pytest.approx(206.835 - 1.015 * (6 / 2) - 84.6 * (6 / 6))


def test_marker_counts():
    counts = unit_style(
        "Perhaps we should, in general, act. The US will clearly help us. "
        'On 15 May 2016 "they met twice" and 3 of 12 agreed.',
        MARKERS,
    )
    assert counts["hedges"] == 3  # perhaps, should, in general ("May" in a date is not one)
    assert counts["boosters"] == 1  # clearly
    assert counts["modals"] == 2  # should, will
    assert counts["we"] == 2  # we, us (not "US")
    assert counts["dates"] == 1
    assert counts["numbers"] == 2  # 3, 12 (15 and 2016 belong to the date)
    assert counts["quoted_words"] == 3


def test_profile_finds_planted_first_person_plural_and_is_seeded():
    we_text = "We think we can help our partners and we will. " * 3
    plain = "The council met on Monday and the envoy spoke to the press. " * 3
    segments = pd.DataFrame(
        {
            "segment_id": [f"s{i}" for i in range(8)],
            "doc_id": ["d1"] * 4 + ["d2"] * 4,
            "group": ["A"] * 4 + ["B"] * 4,
            "text": [we_text, plain, we_text, plain, plain, plain, plain, plain],
        }
    )
    documents = pd.DataFrame({"group": ["A", "B"], "text": [we_text * 2, plain * 4]})
    params = load_params(overrides={"sources.bootstrap_samples": 200, "run.seed": 5})
    result = style_profile(segments, documents, params)
    groups = result.groups
    assert list(groups.columns) == list(STYLE_PROFILE_COLUMNS)
    we = groups[groups.metric == "we_per_1000"].set_index("group")
    assert we.loc["A", "value"] > 0 and we.loc["B", "value"] == 0
    assert we.loc["A", "ci_low"] <= we.loc["A", "value"] <= we.loc["A", "ci_high"]
    again = style_profile(segments, documents, params).groups
    pd.testing.assert_frame_equal(groups, again)
    assert np.isfinite(groups["value"]).all()
    doc_length = groups[groups.metric == "document_length"].set_index("group")["value"]
    assert doc_length["B"] == 4 * 3 * 12


def test_bad_units_and_marker_file_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="lacks column"):
        style_units(pd.DataFrame({"text": ["x"]}), MARKERS)
    bad = tmp_path / "markers.yaml"
    bad.write_text("hedges: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="hedges"):
        load_stance_markers(bad)
