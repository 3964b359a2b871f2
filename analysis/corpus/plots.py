"""Figures of the corpus notebook: composition, lengths, timeline, cleaning.

Each function takes the tidy tables of `analysis.corpus.overview` and returns a Figure.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.core.figure_style import (
    PALETTE,
    RASTER_MIN_POINTS,
    group_palette,
    new_figure,
    ordered_groups,
)
from analysis.corpus.overview import TIMELINE_PERIODS, timeline_period

_COMPOSITION = (("documents", "Documents"), ("segments", "Segments"), ("words", "Words"))


def plot_composition(summary: pd.DataFrame) -> Figure:
    """Documents, segments and words per group, as three small bar charts."""
    groups = ordered_groups(summary["group"])
    colors = group_palette(groups)
    data = summary.set_index("group").loc[groups]
    fig, axes = new_figure("double", height_ratio=0.3, ncols=3, sharey=True)
    y = np.arange(len(groups))
    for ax, (column, title) in zip(axes, _COMPOSITION, strict=True):
        values = data[column].to_numpy()
        ax.barh(y, values, color=[colors[g] for g in groups])
        for yi, value in zip(y, values, strict=True):
            ax.text(value, yi, f" {value:,}", va="center", fontsize=6)
        ax.set_title(title)
        ax.set_xlim(0, values.max() * 1.3 if values.max() else 1)
        ax.set_xlabel("count")
    axes[0].set_yticks(y, groups)
    axes[0].invert_yaxis()
    return fig


def plot_length_distribution(lengths: pd.DataFrame, value: str, label: str) -> Figure:
    """Distribution of lengths per group: box plot with every unit drawn as a point. Above
    `RASTER_MIN_POINTS` units the points are one embedded image, smaller, lighter and
    beneath the boxes, so that the quartiles and median stay visible."""
    raster = len(lengths) > RASTER_MIN_POINTS
    groups = ordered_groups(lengths["group"])
    colors = group_palette(groups)
    fig, ax = new_figure("single", height_ratio=0.2 + 0.12 * len(groups))
    rng = np.random.default_rng(0)  # jitter only, fixed so the figure is reproducible
    # Many points: beneath black boxes (zorder), small and light; few: the seed-corpus look.
    box = {"color": "black", "linewidth": 1.0} if raster else {"color": "0.4"}
    median = {"color": "black", "linewidth": 1.8} if raster else {"color": "black"}
    points = {"s": 1, "alpha": 0.25, "zorder": 1} if raster else {"s": 6, "alpha": 0.7, "zorder": 3}
    for i, group in enumerate(groups):
        values = lengths.loc[lengths["group"] == group, value].to_numpy()
        ax.boxplot(values, positions=[i], orientation="horizontal", widths=0.5, showfliers=False,
                   medianprops=median, boxprops=box, whiskerprops=box, capprops=box,
                   **({"zorder": 4} if raster else {}))  # fmt: skip
        jitter = rng.uniform(-0.18, 0.18, len(values))
        ax.scatter(values, i + jitter, color=colors[group], linewidths=0, rasterized=raster,
                   **points)  # fmt: skip
    ax.set_yticks(range(len(groups)), [f"{g} (n={(lengths['group'] == g).sum()})" for g in groups])
    ax.invert_yaxis()
    if lengths[value].max() > 20 * max(lengths[value].min(), 1):
        ax.set_xscale("log")
    ax.set_xlabel(label)
    return fig


def plot_timeline(dated: pd.DataFrame, undated: int) -> Figure:
    """Documents over time per group. Up to `TIMELINE_MAX_MARKERS` documents, a point per
    document, or a bar spanning a date known only to the month or year; above, documents
    per period (`timeline_period`) per group, on one scale."""
    period = timeline_period(dated)
    if period:
        return _plot_timeline_counts(dated, undated, period)
    groups = ordered_groups(dated["group"]) if len(dated) else []
    colors = group_palette(groups)
    fig, ax = new_figure("double", height_ratio=0.12 + 0.06 * max(len(groups), 1))
    for i, group in enumerate(groups):
        rows = dated[dated["group"] == group]
        exact = rows[rows["start"] == rows["end"]]
        spans = rows[rows["start"] != rows["end"]]
        ax.scatter(exact["start"], [i] * len(exact), color=colors[group], s=14, zorder=3)
        for span in spans.itertuples():
            ax.plot([span.start, span.end + pd.Timedelta(days=1)], [i, i], color=colors[group],
                    linewidth=4, solid_capstyle="butt", alpha=0.8)  # fmt: skip
    ax.set_yticks(range(len(groups)), groups)
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_xlabel("date (points: known to the day; bars: known only to the month or year)")
    if undated:
        ax.set_title(f"{undated} undated document(s) not shown", loc="right", fontsize=7)
    return fig


def _plot_timeline_counts(dated: pd.DataFrame, undated: int, period: str) -> Figure:
    """Documents per period, one panel per group, shared axes; a date known only to a
    longer period than `period` is spread evenly over the periods it spans."""
    groups = ordered_groups(dated["group"])
    colors = group_palette(groups)
    edges = _period_edges(dated, dict((n, f) for n, f, _ in TIMELINE_PERIODS)[period])
    fig, axes = new_figure("double", height_ratio=0.12 + 0.06 * len(groups), nrows=len(groups),
                           sharex=True, sharey=True, squeeze=False)  # fmt: skip
    axes = axes[:, 0]
    for ax, group in zip(axes, groups, strict=True):
        counts = _documents_per_period(dated[dated["group"] == group], edges)
        ax.stairs(counts, edges, fill=True, color=colors[group], alpha=0.35, linewidth=0)
        ax.stairs(counts, edges, color=colors[group], linewidth=0.8)
        ax.set_ylabel(group, rotation=0, ha="right", va="center", fontsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(2, integer=True))
        ax.tick_params(axis="y", labelsize=6)
    axes[0].set_ylim(bottom=0)
    for ax in axes:  # the edges are date numbers: make it a date axis
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes[-1].set_xlabel(f"date (documents per {period}, same scale in every row)")
    if undated:
        axes[0].set_title(f"{undated} undated document(s) not shown", loc="right", fontsize=7)
    return fig


def _period_edges(dated: pd.DataFrame, freq: str) -> np.ndarray:
    """Period boundaries (as matplotlib date numbers) from before the first date to after
    the last."""
    first = dated["start"].min().normalize()
    first = {"W-MON": first - pd.Timedelta(days=first.day_of_week),
             "MS": first.replace(day=1), "YS": first.replace(month=1, day=1)}[freq]  # fmt: skip
    last = dated["end"].max() + pd.Timedelta(days=1)
    edges = pd.date_range(first, last + pd.tseries.frequencies.to_offset(freq), freq=freq)
    return mdates.date2num(edges[: np.searchsorted(edges, last, side="left") + 1])


def _documents_per_period(dated: pd.DataFrame, edges: np.ndarray) -> np.ndarray:
    """Documents per period between `edges`; a document whose date spans several periods
    counts in each by the share of its days that fall there."""
    start = mdates.date2num(dated["start"])
    end = mdates.date2num(dated["end"]) + 1.0  # exclusive: the day after the last day
    counts = np.zeros(len(edges) - 1)
    first = np.searchsorted(edges, start, side="right") - 1
    last = np.searchsorted(edges, end, side="left") - 1
    inside = first == last
    np.add.at(counts, first[inside], 1.0)
    for s, e, i, j in zip(start[~inside], end[~inside], first[~inside], last[~inside],
                          strict=True):  # fmt: skip
        overlap = np.minimum(edges[i + 1 : j + 2], e) - np.maximum(edges[i : j + 1], s)
        counts[i : j + 1] += overlap / (e - s)
    return counts


def plot_cleaning(by_rule: pd.DataFrame) -> Figure:
    """Characters removed by each cleaning step, as a share of each group's raw text."""
    groups = ordered_groups(by_rule["group"])
    removed = by_rule[by_rule["chars_removed"] > 0]
    steps = sorted(removed["step"].unique())
    colors = group_palette(steps)
    fig, ax = new_figure("double", height_ratio=0.12 + 0.07 * max(len(groups), 1))
    left = np.zeros(len(groups))
    for number, step in enumerate(steps):
        share = removed[removed["step"] == step].set_index("group")["percent_removed"]
        values = np.array([share.get(g, 0.0) for g in groups])
        hatch = "////" if number >= len(PALETTE) else None  # palette exhausted: hatch repeats
        ax.barh(range(len(groups)), values, left=left, color=colors[step], label=step,
                hatch=hatch, edgecolor="white", linewidth=0)  # fmt: skip
        left += values
    ax.set_yticks(range(len(groups)), groups)
    ax.invert_yaxis()
    ax.set_xlabel("characters removed (% of raw text)")
    if steps:
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    else:
        ax.text(0.5, 0.5, "no cleaning step removed any characters", transform=ax.transAxes,
                ha="center", va="center", color="0.35")  # fmt: skip
        ax.set_yticks([])
    return fig
