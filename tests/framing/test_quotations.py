"""Quotations and speakers from written examples, including anonymous sources."""

import re
import string
import sys

import pandas as pd
import pytest

from analysis.core.paths import RESOURCES
from analysis.framing.actors import load_actor_gazetteer
from analysis.framing.quotations import (
    _CUE,
    _MARKERS,
    _UNSAFE_LOWER,
    anonymity_markers,
    finditer_ignoring_case,
    quoted_voices,
)


@pytest.fixture(scope="module")
def gazetteer():
    return load_actor_gazetteer(RESOURCES / "actors.yaml")


def attribute(texts, gazetteer, doc="d"):
    units = pd.DataFrame(
        {
            "segment_id": [f"{doc}:{i}" for i in range(len(texts))],
            "doc_id": doc,
            "group": "G",
            "text": texts,
        }
    )
    return quoted_voices(units, gazetteer)


def test_direct_quote_after_speaker(gazetteer):
    table = attribute(['Lavrov said: "We propose a ministerial conference in spring."'], gazetteer)
    row = table.attributions.iloc[0]
    assert (row["kind"], row["actor"], row["camp"], row["anonymous"]) == (
        "direct",
        "lavrov",
        "Russia",
        0,
    )
    assert row["quote"] == "We propose a ministerial conference in spring."


def test_direct_quote_before_speaker_and_pronoun(gazetteer):
    texts = [
        "\u201cWe will resume engagement with both sides,\u201d Richard Mills said.",
        "\u201cThe damage must be repaired,\u201d he said.",
    ]
    rows = attribute(texts, gazetteer).attributions
    assert rows["actor"].tolist() == ["mills", "mills"]
    assert rows["kind"].tolist() == ["direct", "direct"]
    assert rows["resolved"].tolist() == ["", "pronoun"]
    assert rows["quote"].iloc[0] == "We will resume engagement with both sides,"


def test_reported_speech_with_appositive(gazetteer):
    text = (
        "Richard Mills, the interim representative of the United States to the United "
        "Nations, said on Tuesday that the administration would restore aid."
    )
    row = attribute([text], gazetteer).attributions.iloc[0]
    assert (row["kind"], row["speaker"], row["camp"]) == (
        "reported",
        "Richard Mills",
        "United States",
    )


def test_anonymous_sources_get_camp_from_demonym(gazetteer):
    texts = [
        "According to Israeli sources, Kerry called Netanyahu from the conference.",
        "An Israeli official told reporters that the government is aware of it.",
        "A senior official, speaking on condition of anonymity, said the plan was dead.",
        "The official said more action would follow.",
    ]
    rows = attribute(texts, gazetteer).attributions
    assert rows["kind"].tolist() == ["according_to", "reported", "reported", "reported"]
    assert rows["anonymous"].tolist() == [1, 1, 1, 1]
    # "A senior official" is a new, undescribed speaker; "The official" refers back.
    assert rows["camp"].tolist() == ["Israel", "Israel", "Unidentified", "Israel"]
    assert rows["resolved"].tolist() == ["", "", "", "anaphor"]
    assert rows["actor"].tolist() == ["", "", "", ""]


def test_named_speaker_is_not_anonymous_and_quotes_inside_quotes_are_skipped(gazetteer):
    text = 'UN spokesman Stephane Dujarric said: "He said nothing new."'
    rows = attribute([text], gazetteer).attributions
    assert len(rows) == 1
    assert (rows.iloc[0]["actor"], rows.iloc[0]["anonymous"]) == ("dujarric", 0)


def test_no_attribution_without_cue(gazetteer):
    table = attribute(["The talks resumed in Paris with the Quartet."], gazetteer)
    assert table.attributions.empty and table.summary["attributions"].tolist() == [0]


def test_summary_and_markers(gazetteer):
    texts = [
        "A senior official told Al-Monitor on condition of anonymity that talks failed.",
        "Lavrov said that Russia supports talks.",
    ]
    result = attribute(texts, gazetteer)
    summary = result.summary.iloc[0]
    assert (summary["attributions"], summary["anonymous"]) == (2, 1)
    assert summary["anonymous_share"] == 0.5
    markers = anonymity_markers(pd.DataFrame({"segment_id": ["s"], "doc_id": "d", "group": "G",
                                              "text": [texts[0]]}))  # fmt: skip
    assert markers["marker"].tolist() == ["A senior official", "on condition of anonymity"]
    shares = result.shares.set_index("camp")["share"]
    assert shares["Russia"] == 0.5


def test_passive_cues_name_no_speaker(gazetteer):
    table = attribute(["On one hand, it was highlighted that member states must support it."],
                      gazetteer).attributions  # fmt: skip
    assert table.empty


def test_participants_are_anonymous_with_the_camp_of_their_organisation(gazetteer):
    rows = attribute(["Representatives of LAS opined that a mechanism is needed.",
                      "Participants emphasized that threats cannot be addressed in silos."],
                     gazetteer).attributions  # fmt: skip
    assert rows["anonymous"].tolist() == [1, 1]
    assert rows["camp"].tolist() == ["Arab League", "Unidentified"]
    assert rows["actor"].tolist() == ["", ""]


def test_a_quotation_without_cue_continues_the_previous_speaker(gazetteer):
    texts = ["\u201cWe will resume engagement with both sides,\u201d Richard Mills said.",
             "\u201cBiden will take steps to reopen the agency that was closed.\u201d",
             "The \u201cconflict management\u201d paradigm."]  # fmt: skip
    rows = attribute(texts, gazetteer).attributions
    assert rows["actor"].tolist() == ["mills", "mills"]
    assert rows["resolved"].tolist() == ["", "continuation"]


def test_an_unclosed_quotation_runs_to_the_end_of_the_unit(gazetteer):
    text = 'Dujarric said that Guterres will examine it." We have always called for talks.'
    rows = attribute([text], gazetteer).attributions
    assert rows["kind"].tolist() == ["reported", "direct"]
    assert rows["quote"].iloc[1] == "We have always called for talks."


def test_an_introducing_cue_and_a_second_verb_are_not_counted_again(gazetteer):
    rows = attribute(["Citing him, Breitbart reported: The official said action could come.",
                      "The reviews pointed out the need, but also indicated that it rests "
                      "with the UNSG."], gazetteer).attributions  # fmt: skip
    assert rows["speaker"].tolist() == ["The official", "The reviews"]


def _spans(pattern, text, flags=0):
    return [m.span() for m in re.finditer(pattern, text, flags)]


def test_lowering_matches_as_ignoring_case_save_for_the_unsafe_characters():
    """On every Unicode character but `_UNSAFE_LOWER`, `str.lower` keeps the length and a
    lower-case pattern on the lowered text matches where the case-insensitive one does;
    each unsafe character breaks that."""
    chars = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    safe = "".join(c for c in chars if c not in _UNSAFE_LOWER)
    lowered = safe.lower()
    assert len(lowered) == len(safe)
    atoms = [*string.ascii_lowercase, r"\w", r"\W", r"\s", r"\d", r"\b", "[sz]", "[^,;:]", " ", "-"]
    for atom in atoms:
        assert _spans(atom, safe, re.I) == _spans(atom, lowered), atom
    for char in _UNSAFE_LOWER:
        text = f"x{char}x"
        assert len(text.lower()) != len(text) or any(
            _spans(atom, text, re.I) != _spans(atom, text.lower()) for atom in atoms
        )


@pytest.mark.parametrize("pattern", [_CUE, _MARKERS])
def test_finditer_ignoring_case_equals_the_case_insensitive_pattern(pattern):
    texts = [
        "An Israeli OFFICIAL Said, According To sources, that SOURCES TOLD him; they "
        "Spoke On Condition Of Anonymity. A senior official EMPHASISED it, and Sources say so.",
        "Mills SAİD it; the ſource ſaid so; a hıgh-ranking offıcial declared, "
        "according to ſources, that officials \u201ctold\u201d her.",
        "Aksaid unsaid; accordingto; pointed  out; Pointed out; résumé said, naïve sources told.",
    ]
    for text in texts:
        found = [(m.span(), bool(m.groupdict().get("according"))) for m in pattern.finditer(text)]
        fast = finditer_ignoring_case(pattern, text)
        assert [(m.span(), bool(m.groupdict().get("according"))) for m in fast] == found
        assert found
