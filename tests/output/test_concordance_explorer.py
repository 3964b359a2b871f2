"""Tests of analysis.output.concordance_explorer: sorting, paging and the widget's pager."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.output.concordance_explorer import (
    ALL_SOURCES,
    ConcordanceExplorer,
    CorpusLines,
    FrameLines,
    concordance_explorer,
    page_count,
    page_of,
    sort_lines,
)
from tests.sources.partitioned import seed_corpora


def lines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["B", "A", "B", "A"],
            "unit_id": ["u1", "u2", "u3", "u4"],
            "left": ["the big", "a small", "one Big", "zero"],
            "match": ["peace"] * 4,
            "right": ["talks began", "Accord", "talks ended", "now"],
        }
    )


def test_sort_orders_by_the_words_next_to_the_keyword_stably():
    df = lines()
    assert sort_lines(df, "corpus order")["unit_id"].tolist() == ["u1", "u2", "u3", "u4"]
    # word before, then the one before it: "big one" (u3) < "big the" (u1) < small < zero
    assert sort_lines(df, "word before")["unit_id"].tolist() == ["u3", "u1", "u2", "u4"]
    assert sort_lines(df, "word after")["unit_id"].tolist() == ["u2", "u4", "u1", "u3"]
    assert sort_lines(df, "source")["unit_id"].tolist() == ["u2", "u4", "u1", "u3"]
    with pytest.raises(ValueError, match="sort order 'random'"):
        sort_lines(df, "random")


def test_pages_are_clamped_and_counted():
    df = pd.DataFrame({"x": range(7)})
    assert page_count(7, 3) == 3 and page_count(0, 3) == 1
    assert page_of(df, 3, 3)["x"].tolist() == [6]
    assert page_of(df, 9, 3)["x"].tolist() == [6] and page_of(df, 0, 3)["x"].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="page_size"):
        page_count(1, 0)


def test_the_explorer_pages_through_its_lines():
    units = pd.DataFrame(
        {
            "segment_id": [f"s{i}" for i in range(5)],
            "group": ["UN"] * 5,
            "text": ["peace and peace and peace"] * 5,  # 15 lines
        }
    )
    explorer = ConcordanceExplorer(units, "peace", window=1, page_size=4)
    assert len(explorer.table) == 15 and len(explorer.shown) == 4
    assert "lines 1–4 (page 1 of 4)" in explorer.status.value
    assert explorer.previous.disabled and not explorer.next.disabled
    explorer.next.click()
    assert explorer.shown.index[0] == 4 and "page 2 of 4" in explorer.status.value
    explorer.turn(+10)
    assert explorer.page == 4 and len(explorer.shown) == 3 and explorer.next.disabled
    explorer.window.value = 2  # any new search starts again at page 1
    assert explorer.page == 1
    assert explorer.lines.value.count("<mark>peace</mark>") == 4
    assert all(c.style.description_width == "initial" for c in (explorer.term, explorer.window))


def test_corpus_search_on_five_partitions_keeps_the_first_lines_of_each_source(
    tmp_path_factory,
):
    one, many = seed_corpora(tmp_path_factory)
    in_memory = FrameLines(one.corpus.in_memory().segments)
    every, hits = in_memory.lines("resolution", ALL_SOURCES, 4)
    assert hits == len(every) and every.groupby("group").size().max() > 3
    first = every.groupby("group", sort=False).head(3).reset_index(drop=True)
    for prepared in (one, many):
        search = CorpusLines(prepared.corpus, prepared.params, per_group=3)
        assert search.groups == in_memory.groups
        lines, found = search.lines("resolution", ALL_SOURCES, 4)
        pd.testing.assert_frame_equal(lines, first, check_exact=True)
        assert found == hits
    explorer = concordance_explorer(many.corpus, "resolution", 4, params=many.params)
    assert len(explorer.table) == hits  # fewer than 500 lines per source: all shown
    explorer.source.value = in_memory.groups[0]
    assert set(explorer.table["group"]) == {in_memory.groups[0]}
