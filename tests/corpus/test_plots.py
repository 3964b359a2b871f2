"""Corpus figures draw what the tables say."""

from __future__ import annotations

import pandas as pd

from analysis.corpus import plots as corpus_plots


def test_composition_bars_have_the_table_values():
    summary = pd.DataFrame(
        {"group": ["B", "A"], "documents": [2, 1], "segments": [20, 10], "words": [900, 300]}
    )
    fig = corpus_plots.plot_composition(summary)
    widths = [[p.get_width() for p in ax.patches] for ax in fig.axes]
    assert widths == [[1, 2], [10, 20], [300, 900]]  # groups in name order


def test_length_distribution_draws_every_unit():
    lengths = pd.DataFrame({"group": ["A"] * 3 + ["B"] * 2, "n_words": [10, 20, 30, 5, 7]})
    fig = corpus_plots.plot_length_distribution(lengths, "n_words", "words per segment")
    points = [c.get_offsets() for c in fig.axes[0].collections]
    assert sorted(len(p) for p in points) == [2, 3]
    assert fig.axes[0].get_xlabel() == "words per segment"


def test_timeline_marks_exact_dates_and_spans():
    dated = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "group": ["A", "B"],
            "start": pd.to_datetime(["2017-01-15", "2016-03-01"]),
            "end": pd.to_datetime(["2017-01-15", "2016-03-31"]),
            "precision": ["day", "month"],
        }
    )
    fig = corpus_plots.plot_timeline(dated, undated=1)
    ax = fig.axes[0]
    assert len(ax.collections[0].get_offsets()) == 1  # the day-precise date is a point
    assert len(ax.lines) == 1  # the month is a bar
    assert "1 undated" in ax.get_title(loc="right")


def test_cleaning_stacks_shares_per_group():
    by_rule = pd.DataFrame(
        {"group": ["A", "A", "B"], "step": ["urls", "footer", "urls"],
         "matches": [1, 1, 2], "chars_removed": [10, 5, 8], "percent_removed": [1.0, 0.5, 2.0]}
    )  # fmt: skip
    fig = corpus_plots.plot_cleaning(by_rule)
    totals = {}
    for patch in fig.axes[0].patches:
        y = round(patch.get_y() + patch.get_height() / 2)
        totals[y] = totals.get(y, 0) + patch.get_width()
    assert totals == {0: 1.5, 1: 2.0}


def test_cleaning_figure_says_so_when_nothing_was_removed():
    by_rule = pd.DataFrame(
        {"group": [], "step": [], "matches": [], "chars_removed": [], "percent_removed": []}
    )
    fig = corpus_plots.plot_cleaning(by_rule)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["no cleaning step removed any characters"]
    assert not fig.axes[0].patches
