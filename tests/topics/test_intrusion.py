"""Tests of analysis.topics.intrusion: sheets, keys and scoring against a hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.topics.intrusion import (
    IntrusionTest,
    intrusion_scores,
    read_coded_sheet,
    score_answers,
    topic_intrusion_test,
    word_intrusion_test,
)


def disjoint_topics() -> tuple[np.ndarray, list[str]]:
    """3 topics, each with its own 10 words (a0..a9, b0.., c0..), most probable first."""
    vocabulary = [f"{p}{i}" for p in "abc" for i in range(10)]
    phi = np.full((3, 30), 1e-4)
    for k in range(3):
        phi[k, k * 10 : (k + 1) * 10] = np.linspace(1.0, 0.1, 10)
    return phi / phi.sum(axis=1, keepdims=True), vocabulary


def test_word_intruders_come_from_other_topics_and_the_key_is_separate():
    phi, vocabulary = disjoint_topics()
    test = word_intrusion_test(phi, vocabulary, seed=3)
    assert "intruder" not in test.sheet.columns and test.sheet["answer"].eq("").all()
    for sheet_row, key_row in zip(
        test.sheet.itertuples(index=False), test.key.itertuples(index=False), strict=True
    ):
        options = [getattr(sheet_row, f"option_{i}") for i in range(1, 7)]
        intruder = options[key_row.intruder - 1]
        assert intruder == key_row.intruder_term
        assert intruder[0] != "abc"[key_row.topic]  # from another topic
        assert {w[0] for w in options if w != intruder} == {"abc"[key_row.topic]}
    again = word_intrusion_test(phi, vocabulary, seed=3)
    assert again.sheet.equals(test.sheet) and again.key.equals(test.key)


def test_topic_intrusion_items_show_three_top_topics_and_one_intruder():
    theta = np.array([[0.6, 0.2, 0.1, 0.05, 0.05]] * 4)
    units = pd.DataFrame({"segment_id": list("wxyz"), "text": ["some text"] * 4})
    test = topic_intrusion_test(theta, units, {k: f"T{k}" for k in range(5)}, 3, seed=1)
    assert len(test.sheet) == 3
    for row in test.key.itertuples(index=False):
        topics = [getattr(row, f"topic_{i}") for i in range(1, 5)]
        assert getattr(row, f"topic_{row.intruder}") in {3, 4}
        assert set(topics) - {3, 4} == {0, 1, 2}


def hand_test() -> IntrusionTest:
    """Two topic-intrusion items with known thetas of the four options."""
    sheet = pd.DataFrame(
        {
            "item": ["T01", "T02"],
            "text": ["x", "y"],
            "option_1": ["A", "B"],
            "option_2": ["C", "D"],
            "option_3": ["E", "F"],
            "option_4": ["G", "H"],
            "answer": "",
            "coder": "",
        }
    )
    key = pd.DataFrame(
        {
            "item": ["T01", "T02"],
            "segment_id": ["s1", "s2"],
            "intruder": [4, 1],
            "theta_1": [0.5, 0.02],
            "theta_2": [0.3, 0.5],
            "theta_3": [0.15, 0.4],
            "theta_4": [0.05, 0.08],
            "topic_1": [0, 3],
            "topic_2": [1, 0],
            "topic_3": [2, 1],
            "topic_4": [3, 2],
        }
    )
    return IntrusionTest("topic", sheet, key)


def test_scoring_matches_a_hand_computation():
    test = hand_test()
    answers = pd.DataFrame(
        {
            "item": ["T01", "T02", "T01", "T02"],
            "coder": ["ann", "ann", "bob", "bob"],
            "answer": [4, 2, 3, 1],
        }
    )
    scored = score_answers(answers, test)
    # ann: T01 right (log odds 0), T02 chose option 2: log(.02) - log(.5)
    # bob: T01 chose option 3: log(.05) - log(.15), T02 right (0)
    expected = [0.0, np.log(0.02 / 0.5), np.log(0.05 / 0.15), 0.0]
    np.testing.assert_allclose(scored["log_odds"], expected)
    scores = intrusion_scores(scored, "topic", n_boot=200, seed=0).set_index(["coder", "measure"])
    assert scores.loc[("ann", "model_precision"), "estimate"] == pytest.approx(0.5)
    assert scores.loc[("ann", "topic_log_odds"), "estimate"] == pytest.approx(np.log(0.04) / 2)
    assert scores.loc[("bob", "topic_log_odds"), "estimate"] == pytest.approx(np.log(1 / 3) / 2)
    overall = scores.loc[("all coders", "topic_log_odds")]
    assert overall.estimate == pytest.approx(sum(expected) / 4)
    assert overall.ci_low <= overall.estimate <= overall.ci_high
    assert scores.loc[("all coders", "model_precision"), "n_answers"] == 4


def test_a_filled_sheet_is_read_and_checked_against_the_key(tmp_path):
    test = hand_test()
    sheet = test.sheet.copy()
    sheet["answer"] = ["4", ""]
    path = tmp_path / "coder_ann.csv"
    sheet.to_csv(path, index=False)
    answers = read_coded_sheet(path, test)
    assert answers.to_dict("records") == [{"item": "T01", "coder": "coder_ann", "answer": 4}]
    sheet.loc[0, "option_1"] = "Z"
    sheet.to_csv(path, index=False)
    with pytest.raises(InputError, match="other parameters"):
        read_coded_sheet(path, test)
    sheet = test.sheet.copy()
    sheet["answer"] = ["7", ""]
    sheet.to_csv(path, index=False)
    with pytest.raises(InputError, match="row 2"):
        read_coded_sheet(path, test)
