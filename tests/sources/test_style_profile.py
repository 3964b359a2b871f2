"""Style profile: Flesch by hand, marker counts, planted signals, seeded intervals (the
per-unit counts themselves: tests/sources/test_style_counts.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.params import load_params
from analysis.sources.style_profile import (
    STYLE_PROFILE_COLUMNS,
    group_style_profile,
    load_stance_markers,
    style_profile,
    style_units,
    unit_style,
)

MARKERS = load_stance_markers()


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
