"""Frame dictionary loading, hits in exactly the planted units, evidence and unit table."""

import pandas as pd
import pytest

from analysis.core.paths import RESOURCES
from analysis.framing.frames import (
    EVIDENCE_SCHEMA,
    code_frames,
    corpus_frames,
    frame_hits,
    load_frame_dictionary,
)
from tests.framing.conftest import first_per

DICTIONARY = """
version: "t1"
frames:
  law:
    kind: domain
    description: legal
    source: test
    terms: [settlement*, international law]
  peace:
    kind: domain
    description: talks
    source: test
    terms: [two-state solution, peace talks]
  security:
    kind: domain
    description: security
    source: test
    terms: [secur*]
    exclude: [Security Council]
"""


def units():
    texts = [
        "Filler words about the weather and nothing else at all here.",
        "They built settlements against international law, said the envoy.",
        "Peace talks on a two state-solution resumed; resettlement was not discussed.",
        "The Security Council met. Security forces stayed home.",
    ]
    return pd.DataFrame(
        {
            "segment_id": [f"d{i}:p{i}" for i in range(4)],
            "doc_id": ["a", "a", "b", "b"],
            "group": ["A", "A", "B", "B"],
            "text": texts,
        }
    )


@pytest.fixture
def frames_file(tmp_path):
    path = tmp_path / "frames.yaml"
    path.write_text(DICTIONARY, encoding="utf-8")
    return path


def test_planted_terms_hit_exactly_the_planted_units(frames_file):
    coding = code_frames(units(), frames_file)
    present = coding.units[coding.units["present"] == 1]
    assert set(zip(present["segment_id"], present["frame"], strict=True)) == {
        ("d1:p1", "law"),
        ("d2:p2", "peace"),
        ("d3:p3", "security"),
    }
    law = coding.units.set_index(["segment_id", "frame"]).loc[("d1:p1", "law")]
    assert law["hits"] == 2 and law["n_words"] == 9
    assert law["per_1000"] == pytest.approx(2000 / 9)


def test_exclusion_stops_a_term_inside_a_name(frames_file):
    coding = code_frames(units(), frames_file)
    security = coding.hits[coding.hits["frame"] == "security"]
    assert security["matched"].tolist() == ["Security"]
    assert security["start"].tolist() == [len("The Security Council met. ")]


def test_evidence_has_context_for_every_hit(frames_file):
    coding = code_frames(units(), frames_file)
    assert len(coding.evidence) == len(coding.hits) == 5
    row = coding.evidence[coding.evidence["term"] == "two-state solution"].iloc[0]
    assert (row["left"], row["match"]) == ("Peace talks on a", "two state-solution")
    assert row["right"].startswith("resumed;")


@pytest.mark.parametrize(
    "text, message",
    [
        ("frames: {a: {description: d, source: s, terms: [x]}}", "version"),
        ("version: 1\nframes: {a: {description: d, terms: [x]}}", "source"),
        ("version: 1\nframes: {a: {description: d, source: s, terms: []}}", "terms"),
        ('version: 1\nframes: {a: {description: d, source: s, terms: ["x*y"]}}', "'\\*'"),
        ("version: 1\nframes: {a: {kind: odd, description: d, source: s, terms: [x]}}", "kind"),
    ],
)
def test_bad_dictionaries_name_file_and_problem(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_frame_dictionary(path)


def test_shipped_dictionary_is_valid_and_documented():
    dictionary = load_frame_dictionary(RESOURCES / "frames.yaml")
    assert {
        "conflict",
        "responsibility",
        "economic_consequences",
        "human_interest",
        "morality",
    } <= set(dictionary.frame_ids)
    assert all(f.source and f.description for f in dictionary.frames)
    hits = frame_hits(units(), dictionary)
    assert "two-state solution" in set(hits["term"])


def test_frames_of_the_partitioned_corpus_equal_those_of_its_segments(seed_runs, seed_segments):
    reference = code_frames(seed_segments, seed_runs["one"][1].framing.frames_file)
    for corpus, params in seed_runs.values():
        coding = corpus_frames(corpus, params)
        pd.testing.assert_frame_equal(coding.units, reference.units)
        pd.testing.assert_frame_equal(coding.hits, reference.hits)
        pd.testing.assert_frame_equal(coding.evidence, reference.evidence)


def test_frame_evidence_keeps_the_first_rows_per_group_and_frame(
    seed_runs, seed_segments, capped_run
):
    reference = code_frames(seed_segments, seed_runs["one"][1].framing.frames_file)
    coding = corpus_frames(*capped_run)
    pd.testing.assert_frame_equal(coding.units, reference.units)  # counts use every hit
    expected = first_per(reference.evidence, ["group", "frame"], 2)
    pd.testing.assert_frame_equal(coding.evidence, expected)
    assert "framing.evidence_rows" in EVIDENCE_SCHEMA["description"]
