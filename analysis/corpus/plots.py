"""Figures of the corpus notebook: composition, lengths, timeline, cleaning.

Each function takes the tidy tables of `analysis.corpus.overview` and returns a Figure.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.core.figure_style import (
    PALETTE,
    RASTER_MIN_POINTS,
    group_palette,
    new_figure,
    ordered_groups,
)

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
    """Distribution of lengths per group: box plot with every unit drawn as a point (as
    one embedded image above `RASTER_MIN_POINTS` units)."""
    raster = len(lengths) > RASTER_MIN_POINTS
    groups = ordered_groups(lengths["group"])
    colors = group_palette(groups)
    fig, ax = new_figure("single", height_ratio=0.2 + 0.12 * len(groups))
    rng = np.random.default_rng(0)  # jitter only, fixed so the figure is reproducible
    for i, group in enumerate(groups):
        values = lengths.loc[lengths["group"] == group, value].to_numpy()
        ax.boxplot(values, positions=[i], orientation="horizontal", widths=0.5, showfliers=False,
                   medianprops={"color": "black"}, boxprops={"color": "0.4"},
                   whiskerprops={"color": "0.4"}, capprops={"color": "0.4"})  # fmt: skip
        jitter = rng.uniform(-0.18, 0.18, len(values))
        ax.scatter(values, i + jitter, s=6, color=colors[group], alpha=0.7, linewidths=0,
                   zorder=3, rasterized=raster)  # fmt: skip
    ax.set_yticks(range(len(groups)), [f"{g} (n={(lengths['group'] == g).sum()})" for g in groups])
    ax.invert_yaxis()
    if lengths[value].max() > 20 * max(lengths[value].min(), 1):
        ax.set_xscale("log")
    ax.set_xlabel(label)
    return fig


def plot_timeline(dated: pd.DataFrame, undated: int) -> Figure:
    """Documents over time per group; a bar spans a date known only to the month or year.
    Above `RASTER_MIN_POINTS` documents the points are drawn as one embedded image."""
    raster = len(dated) > RASTER_MIN_POINTS
    groups = ordered_groups(dated["group"]) if len(dated) else []
    colors = group_palette(groups)
    fig, ax = new_figure("double", height_ratio=0.12 + 0.06 * max(len(groups), 1))
    for i, group in enumerate(groups):
        rows = dated[dated["group"] == group]
        exact = rows[rows["start"] == rows["end"]]
        spans = rows[rows["start"] != rows["end"]]
        ax.scatter(exact["start"], [i] * len(exact), color=colors[group], s=14, zorder=3,
                   rasterized=raster)  # fmt: skip
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
