"""Corpus figures draw what the tables say."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

from analysis.core.figure_style import RASTER_MIN_POINTS
from analysis.corpus import overview
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
    small = corpus_plots.plot_timeline(dated.iloc[:10], undated=0)
    assert sum(len(c.get_offsets()) for c in small.axes[0].collections) == 10
    assert not any(c.get_rasterized() for c in small.axes[0].collections)


def test_many_lengths_are_drawn_beneath_the_box_and_few_above_it():
    rng = np.random.default_rng(2)
    many = pd.DataFrame({"group": "A", "n_words": rng.integers(50, 900, RASTER_MIN_POINTS + 1)})
    for lengths, points_on_top in ((many, False), (many.iloc[:50], True)):
        ax = corpus_plots.plot_length_distribution(lengths, "n_words", "words").axes[0]
        (points,) = [c for c in ax.collections if len(c.get_offsets())]
        assert len(ax.lines) == 6  # box, median, two whiskers, two caps
        assert all((points.get_zorder() > line.get_zorder()) == points_on_top for line in ax.lines)
    big = corpus_plots.plot_length_distribution(many, "n_words", "words").axes[0]
    small = corpus_plots.plot_length_distribution(many.iloc[:50], "n_words", "words").axes[0]
    assert big.collections[0].get_sizes()[0] < small.collections[0].get_sizes()[0]
    assert big.collections[0].get_alpha() < small.collections[0].get_alpha()


def _month_dated(n_per_day: int) -> pd.DataFrame:
    """Group A: n_per_day documents on 2020-01-15 and on 2022-06-15, and 120 documents of
    2021 known only to the year; group B: one document a day over 2020-2022."""
    days = pd.date_range("2020-01-01", "2022-12-31", freq="D")
    starts = ([pd.Timestamp("2020-01-15")] * n_per_day + [pd.Timestamp("2022-06-15")] * n_per_day
              + [pd.Timestamp("2021-01-01")] * 120 + list(days))  # fmt: skip
    ends = starts[: 2 * n_per_day] + [pd.Timestamp("2021-12-31")] * 120 + list(days)
    groups = ["A"] * (2 * n_per_day + 120) + ["B"] * len(days)
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(starts))], "group": groups,
                         "start": starts, "end": ends,
                         "precision": ["day"] * (2 * n_per_day) + ["year"] * 120
                         + ["day"] * len(days)})  # fmt: skip


def test_a_timeline_of_20000_dated_documents_shows_documents_per_month():
    dated = _month_dated(n_per_day=(20_000 - 120 - 1096) // 2)
    assert len(dated) >= 20_000 - 1
    fig = corpus_plots.plot_timeline(dated, undated=3)
    markers = sum(len(c.get_offsets()) for ax in fig.axes for c in ax.collections)
    assert markers < 100  # not one marker per document
    counts = {}
    for ax in fig.axes:
        (values, edges, _), _ = [p.get_data() for p in ax.patches]
        counts[ax.get_ylabel()] = pd.Series(values, index=mdates.num2date(edges[:-1]))
    a, b = counts["A"], counts["B"]
    assert a.sum() == pytest.approx(len(dated[dated["group"] == "A"]))  # every document counted
    assert a["2020-01"].item() == (len(dated) - 1216) / 2  # the day-precise pile
    assert a["2021-02"].item() == pytest.approx(120 * 28 / 365)  # the year spread over its days
    assert b["2020-02"].item() == 29 and b["2021-02"].item() == 28  # one document a day
    assert "documents per month" in fig.axes[-1].get_xlabel()
    assert "3 undated" in fig.axes[0].get_title(loc="right")


def test_timeline_counts_weeks_over_a_short_span_and_the_caption_says_what_is_drawn():
    start = pd.Timestamp("2020-01-06")  # a Monday
    dated = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(3000)],
            "group": "A",
            "start": [start + pd.Timedelta(days=i % 70) for i in range(3000)],
        }
    )
    dated["end"], dated["precision"] = dated["start"], "day"  # fmt: skip
    fig = corpus_plots.plot_timeline(dated, undated=0)
    (values, edges, _), _ = [p.get_data() for p in fig.axes[0].patches]
    assert len(values) == 10 and values.sum() == 3000
    assert mdates.num2date(edges[0]).date() == start.date()
    caption = overview.timeline_caption(dated, undated=0)
    assert caption.startswith("Documents per week by group")
    few = overview.timeline_caption(dated.iloc[:5], undated=0)
    assert few.startswith("Document dates by group; points are dates known to the day")
