"""Corpus figures draw what the tables say."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.figure_style import RASTER_MIN_POINTS
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


def test_thousands_of_units_are_drawn_as_one_image_and_a_few_as_vector_points():
    rng = np.random.default_rng(1)
    many = pd.DataFrame({"group": rng.choice(["A", "B"], RASTER_MIN_POINTS + 1),
                         "n_words": rng.integers(50, 900, RASTER_MIN_POINTS + 1)})  # fmt: skip
    few = many.iloc[:RASTER_MIN_POINTS]
    for lengths, raster in ((many, True), (few, False)):
        fig = corpus_plots.plot_length_distribution(lengths, "n_words", "words")
        points = [c for c in fig.axes[0].collections if len(c.get_offsets())]
        assert sum(len(c.get_offsets()) for c in points) == len(lengths)  # every unit drawn
        assert {c.get_rasterized() for c in points} == {raster}
    dated = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(many))], "group": many["group"],
                          "start": pd.Timestamp("2020-01-01") + pd.to_timedelta(
                              rng.integers(0, 900, len(many)), unit="D")})  # fmt: skip
    dated["end"], dated["precision"] = dated["start"], "day"
    timeline = corpus_plots.plot_timeline(dated, undated=0)
    assert all(c.get_rasterized() for c in timeline.axes[0].collections)
    small = corpus_plots.plot_timeline(dated.iloc[:10], undated=0)
    assert not any(c.get_rasterized() for c in small.axes[0].collections)
