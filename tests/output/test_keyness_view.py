"""Tests of analysis.output.keyness_view: which terms go into the page and their KWIC lines."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.corpus.counts import segment_term_counts
from analysis.output.keyness_view import (
    corpus_keyness_view_data,
    keyness_view_data,
    shown_terms,
    term_lines,
)
from analysis.sources.keyness import KeynessSettings, corpus_keyness_counts, keyness_table
from tests.sources.partitioned import seed_corpora


def segments() -> pd.DataFrame:
    texts = {
        "UN": ["The two-state solution needs peace talks.", "Peace talks resumed in May."],
        "Wire": ["Settlements expanded again.", "New settlements were announced."],
    }
    rows = [
        {"segment_id": f"{g}:{i}", "doc_id": f"{g}{i}", "group": g, "text": t}
        for g, items in texts.items()
        for i, t in enumerate(items)
    ]
    df = pd.DataFrame(rows)
    df["tokens"] = [
        ["two_state", "solution", "peace", "talks"],
        ["peace", "talks", "resumed", "may"],
        ["settlements", "expanded"],
        ["new", "settlements", "announced"],
    ]
    return df


def test_lines_find_phrases_and_words_per_source():
    lines = term_lines(segments(), ["two_state", "peace", "settlements", "absent"], 2, 1)
    assert lines["two_state"] == [["UN", "UN:0", "The", "two-state", "solution needs"]]
    assert [line[1] for line in lines["peace"]] == ["UN:0"]  # one line per source asked
    assert lines["settlements"][0][3] == "Settlements" and lines["absent"] == []


def test_view_data_per_source_against_the_rest():
    seg = segments()
    table = keyness_table(segment_term_counts(seg), KeynessSettings(min_freq=1))
    data = keyness_view_data(table, seg, window=2, n_kwic=2)
    assert data["groups"] == ["UN", "Wire"]
    un = data["comparisons"]["UN"]
    assert un["term"][0] in {"peace", "talks"} and list(un["z"]) == sorted(un["z"], reverse=True)
    assert set(data["lines"]) >= {"peace", "settlements"}
    assert data["colours"]["UN"] != data["colours"]["Wire"]
    with pytest.raises(ValueError, match="no 'vs rest'"):
        keyness_view_data(table[table["reference"] != "rest"], seg)


def test_shown_terms_keep_both_ends_and_the_most_frequent():
    part = pd.DataFrame(
        {
            "term": [f"t{i}" for i in range(10)],
            "z": [9, 8, 7, 1, 0.5, 0, -0.5, -1, -8, -9],
            "count_target": [1, 1, 1, 50, 1, 40, 1, 1, 1, 1],
            "count_reference": 1,
        }
    )
    kept = shown_terms(part, 7)  # 2 highest z, 2 lowest, then the 3 most frequent of the rest
    assert {"t0", "t1", "t8", "t9", "t3", "t5"} <= set(kept["term"]) and len(kept) == 7


def _plain(data: dict) -> str:
    return json.dumps(data, default=lambda a: np.asarray(a).tolist(), sort_keys=True)


def test_view_of_five_partitions_on_two_processes_equals_the_corpus_in_memory(
    tmp_path_factory,
):
    one, many = seed_corpora(tmp_path_factory)
    segments = one.corpus.in_memory().segments
    table = keyness_table(corpus_keyness_counts(one.corpus, one.params))
    expected = keyness_view_data(table, segments, window=3, n_kwic=5, lines_per_group=2)
    lines = expected["lines"]
    assert len(lines) >= 10 and max(len(v) for v in lines.values()) > 2
    for group in expected["groups"]:  # capped: at most 2 lines per term and source
        assert all(sum(line[0] == group for line in v) <= 2 for v in lines.values())
    for prepared in (one, many):
        data = corpus_keyness_view_data(
            table, prepared.corpus, prepared.params, window=3, n_kwic=5, lines_per_group=2
        )
        assert _plain(data) == _plain(expected)
