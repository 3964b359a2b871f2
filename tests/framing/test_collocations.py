"""Collocates with log-Dice and PMI by hand; concordance of stems and phrases."""

import math

import pandas as pd
import pytest

from analysis.core.params import load_params
from analysis.framing.collocations import (
    CONCORDANCE_SCHEMA,
    collocates,
    concordance,
    corpus_focal_terms,
    focal_term_contexts,
)
from tests.framing.conftest import first_per


def units():
    return pd.DataFrame(
        {
            "segment_id": ["a", "b", "c"],
            "doc_id": ["d1", "d1", "d2"],
            "group": ["G", "G", "H"],
            "text": [
                "illegal settlements grow near the illegal outpost",
                "new settlement plans and the two-state solution",
                "settlement talks",
            ],
        }
    )


def test_log_dice_and_pmi_by_hand():
    table = collocates(units(), ["settlement*"], window=2, min_freq=1, stopwords=frozenset({"the"}))
    row = table[(table["group"] == "G") & (table["collocate"] == "illegal")].iloc[0]
    # G: 7 + 7 running words ("two-state" is one); "settlement*" twice; "illegal" twice,
    # once within 2 words of it
    assert (row["f_xy"], row["f_x"], row["f_y"], row["n_words"]) == (1, 2, 2, 14)
    assert row["log_dice"] == pytest.approx(14 + math.log2(2 * 1 / (2 + 2)))
    assert row["pmi"] == pytest.approx(math.log2(1 * 14 / (2 * 2)))
    assert "the" not in set(table["collocate"])
    assert "outpost" not in set(table["collocate"])  # 5 words away


def test_min_frequency_filters():
    table = collocates(units(), ["settlement*"], window=2, min_freq=2)
    assert table.empty


def test_concordance_matches_phrase_and_stem():
    lines = concordance(units(), ["two-state solution", "settlement*"])
    assert lines["match"].tolist() == [
        "settlements",
        "settlement",
        "two-state solution",
        "settlement",
    ]
    assert lines.iloc[0]["left"] == "illegal"


def test_collocates_leave_out_the_preprocess_stopwords_and_extra_words(tmp_path):
    """One stop-word list: the file's words (with # comments) and preprocess.extra_stopwords."""
    path = tmp_path / "stop.txt"
    path.write_text("# comment\nthe  # inline comment\nof\n", encoding="utf-8")
    units = pd.DataFrame(
        {
            "segment_id": ["a:p0", "b:p0"],
            "doc_id": ["a", "b"],
            "group": ["A", "B"],
            "text": ["the illegal settlements of the valley", "the illegal settlements grow"],
        }
    )
    overrides = {
        "preprocess.stopwords_file": str(path),
        "preprocess.extra_stopwords": ["grow"],
        "framing.focal_terms": ["settlements"],
        "framing.collocation_min_freq": 1,
    }
    found = focal_term_contexts(units, load_params(overrides=overrides)).collocates
    words = set(found["collocate"])
    assert "illegal" in words and "valley" in words
    assert not words & {"the", "of", "grow"}


def test_collocates_count_words_the_topic_vocabulary_would_prune():
    """A collocate in every unit (pruned by preprocess.max_df) or in one unit only (by
    min_df) is still counted: collocations read the running text."""
    texts = ["peace talks in geneva", "peace talks stalled", "peace talks resumed"]
    table = pd.DataFrame({"segment_id": list("abc"), "group": "G", "text": texts})
    found = collocates(table, ["talks"], window=2, min_freq=1).set_index("collocate")
    assert found.loc["peace", "f_xy"] == 3 and found.loc["geneva", "f_xy"] == 1


def test_focal_terms_of_the_partitioned_corpus_equal_those_of_its_segments(
    seed_runs, seed_segments
):
    reference = focal_term_contexts(seed_segments, seed_runs["one"][1])
    assert len(reference.collocates) and len(reference.concordance)
    for corpus, params in seed_runs.values():
        focal = corpus_focal_terms(corpus, params)
        pd.testing.assert_frame_equal(focal.collocates, reference.collocates)
        pd.testing.assert_frame_equal(focal.concordance, reference.concordance)


def test_concordance_keeps_the_first_lines_per_group_and_term(seed_runs, seed_segments, capped_run):
    reference = focal_term_contexts(seed_segments, seed_runs["one"][1])
    focal = corpus_focal_terms(*capped_run)
    pd.testing.assert_frame_equal(focal.collocates, reference.collocates)
    expected = first_per(reference.concordance, ["group", "term"], 2)
    pd.testing.assert_frame_equal(focal.concordance, expected)
    assert "framing.evidence_rows" in CONCORDANCE_SCHEMA["description"]
