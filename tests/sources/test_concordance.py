"""Keyword-in-context lines: exact positions, term syntax, windows, side-by-side layout."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.sources.concordance import (
    concordance,
    concordance_counts,
    corpus_concordance,
    side_by_side,
)
from tests.sources.partitioned import seed_corpora

TEXT = "The resolution passed. Settlements grew; a second resolution failed in the UN."


def _units(*rows):
    return pd.DataFrame(
        [
            {"segment_id": f"d{i}:p0", "doc_id": f"d{i}", "group": g, "text": t}
            for i, (g, t) in enumerate(rows)
        ]
    )


def test_exact_positions_and_windows():
    lines = concordance(_units(("A", TEXT)), "resolution", window=2)
    assert lines["word_position"].tolist() == [1, 7]  # The(0) resolution(1) ... second(6)
    first = TEXT.find("resolution")
    second = TEXT.find("resolution", first + 1)
    assert lines["char_start"].tolist() == [first, second]
    assert lines["char_end"].tolist() == [first + 10, second + 10]
    assert lines.iloc[0][["left", "match", "right"]].tolist() == [
        "The",
        "resolution",
        "passed. Settlements",
    ]
    assert lines.iloc[1]["left"] == "a second"
    assert lines.iloc[1]["right"] == "failed in"


def test_term_syntax_stem_phrase_and_acronym():
    units = _units(("A", TEXT), ("B", "A two state-solution, us and the two-state solution."))
    assert concordance(units, "settlement*")["match"].tolist() == ["Settlements"]
    phrase = concordance(units, "two-state solution")
    assert phrase["match"].tolist() == ["two state-solution", "two-state solution"]
    assert phrase["word_position"].tolist() == [1, 6]
    assert concordance(units, "UN")["group"].tolist() == ["A"]  # capitals: not "un" in words
    assert concordance(units, "US").empty  # "us" in lower case is the pronoun


def test_several_queries_counts_and_side_by_side():
    units = _units(("A", TEXT), ("B", "No resolution here, only resolution talk."), ("C", "None."))
    lines = concordance(units, ["resolution", "settlement*"], window=3)
    counts = concordance_counts(lines, units)
    hits = counts.set_index(["query", "group"])["hits"]
    assert hits[("resolution", "A")] == 2 and hits[("resolution", "C")] == 0
    wide = side_by_side(lines[lines["query"] == "resolution"], lines_per_group=5)
    assert list(wide.columns) == ["A", "B"] and len(wide) == 2
    assert "[resolution]" in wide.loc[1, "B"]


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="lacks column"):
        concordance(pd.DataFrame({"text": ["x"]}), "x")
    with pytest.raises(ValueError, match="context_window"):
        concordance(_units(("A", "x")), "x", window=-1)


words = st.lists(
    st.sampled_from(["peace", "talks", "gaza", "un", "israel's", "two-state"]),
    min_size=0,
    max_size=15,
)


@settings(max_examples=80, deadline=None)
@given(words, words, st.sampled_from([" ", "  ", "\n", ", "]))
def test_planted_term_is_found_at_its_word_position(before, after, sep):
    text = sep.join([*before, "ceasefire", *after])
    lines = concordance(_units(("A", text)), "ceasefire", window=3)
    assert len(lines) == 1
    line = lines.iloc[0]
    assert line["word_position"] == len(before)
    assert text[line["char_start"] : line["char_end"]] == "ceasefire"
    assert line["left"].replace(",", "").split() == before[-3:]
    assert line["right"].replace(",", "").split() == after[:3]


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    return seed_corpora(tmp_path_factory)


QUERIES = ["two-state solution", "resolution", "settlement*"]


def test_corpus_concordance_caps_lines_and_counts_every_hit(corpora):
    one, many = corpora
    segments = one.corpus.in_memory().segments
    every = concordance(segments, QUERIES, 3)
    per_group = every.groupby(["query", "group"]).size()
    assert per_group.max() > 2  # the cap below bites
    expected = every.groupby(["query", "group"], sort=False).head(2).reset_index(drop=True)
    for prepared in (one, many):
        found = corpus_concordance(prepared.corpus, prepared.params, QUERIES, 3, per_group=2)
        pd.testing.assert_frame_equal(found.lines, expected, check_exact=True)
        pd.testing.assert_frame_equal(
            found.counts, concordance_counts(every, segments), check_exact=True
        )
    assert found.counts["hits"].sum() == len(every) > len(found.lines)


def test_corpus_concordance_of_documents_in_one_source(corpora):
    _, many = corpora
    documents = many.corpus.documents(with_text=True)
    group = sorted(documents["group"])[0]
    chosen = documents[documents["group"] == group]
    expected = concordance(chosen, ["resolution"], 2, id_column="doc_id")
    found = corpus_concordance(
        many.corpus, many.params, ["resolution"], 2, per_group=1000, unit="document",
        group=group,
    )  # fmt: skip
    pd.testing.assert_frame_equal(found.lines, expected, check_exact=True)
