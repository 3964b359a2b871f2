"""Figures of the topic stage. Each function takes computed tables and returns a Figure;
none fits a model or saves a file. Topic ids are shown as fitted, through the labels."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.core.errors import InputError
from analysis.core.figure_style import (
    PALETTE,
    SEQUENTIAL_CMAP,
    group_palette,
    new_figure,
    ordered_groups,
    wrap_label,
)
from analysis.topics.comparison import TimePrevalence


def _label(labels: dict[int, str], topic: int, width: int = 30) -> str:
    return wrap_label(labels.get(int(topic), f"T{int(topic)}"), width)


def plot_k_sweep(summary: pd.DataFrame, chosen_k: int | None = None) -> Figure:
    """Coherence (c_v, NPMI), exclusivity, held-out log-likelihood (mean ± SD over seeds)
    and agreement between seeds (matched topic similarity and ARI of dominant topics)
    against K; the chosen K is marked."""
    fig, axes = new_figure("double", height_ratio=0.3, ncols=5)
    panels = [
        ("c_v", "Coherence c_v"),
        ("npmi", "Coherence NPMI"),
        ("exclusivity", "Exclusivity\n(top-N words)"),
        ("heldout_per_word_ll", "Held-out log-likelihood\n(nats per word)"),
        ("agreement", "Agreement across seeds"),
    ]
    k = summary["k"].to_numpy()
    for ax, (score, title) in zip(axes, panels, strict=True):
        if score == "agreement":
            ax.plot(
                k,
                summary["stability"],
                marker="o",
                color=PALETTE[0],
                lw=1,
                ms=3,
                label="topic similarity",
            )
            if "ari" in summary:
                ax.plot(k, summary["ari"], marker="s", color=PALETTE[1], lw=1, ms=3, label="ARI")
            ax.set_ylim(min(0.0, float(np.nanmin(summary.get("ari", [0.0])))), 1.02)
            ax.legend(fontsize=5, loc="best")
        elif f"{score}_mean" in summary:
            ax.errorbar(
                k,
                summary[f"{score}_mean"],
                yerr=summary[f"{score}_sd"],
                marker="o",
                color=PALETTE[0],
                lw=1,
                ms=3,
                capsize=2,
            )
        if chosen_k is not None:
            ax.axvline(chosen_k, color=PALETTE[5], ls="--", lw=0.8)
        ax.set_xlabel("Number of topics K")
        ax.set_title(title, fontsize=7)
        ax.set_xticks(k)
    if chosen_k is not None:
        axes[0].legend(
            [Line2D([], [], color=PALETTE[5], ls="--", lw=0.8)], [f"chosen K = {chosen_k}"]
        )
    return fig


def plot_convergence(convergence: pd.DataFrame) -> Figure:
    """Per-word likelihood bound of the final model after each training pass."""
    fig, ax = new_figure("single", height_ratio=0.6)
    ax.plot(convergence["pass"], convergence["per_word_bound"], color=PALETTE[0], lw=1)
    ax.set_xlabel("Training pass")
    ax.set_ylabel("Per-word bound (nats)")
    return fig


def plot_topic_terms(
    terms: pd.DataFrame,
    labels: dict[int, str],
    n_terms: int = 8,
    frex: pd.DataFrame | None = None,
) -> Figure:
    """Top terms of each topic ranked by relevance; bar length = p(term | topic). With
    `frex`, each panel also names the topic's top FREX terms."""
    topics = sorted(terms["topic"].unique())
    ncols = min(4, len(topics))
    nrows = int(np.ceil(len(topics) / ncols))
    fig, axes = new_figure("double", height_ratio=0.22 * nrows, nrows=nrows, ncols=ncols)
    axes = np.atleast_1d(axes).ravel()
    for ax, topic in zip(axes, topics, strict=False):
        rows = terms[terms["topic"] == topic].sort_values("rank").head(n_terms)
        y = np.arange(len(rows))[::-1]
        ax.barh(y, rows["probability"], color=PALETTE[0], height=0.7)
        ax.set_yticks(y, [t.replace("_", " ") for t in rows["term"]])
        ax.set_title(_label(labels, topic, 32), fontsize=7, loc="left")
        ax.set_xlabel("p(term | topic)")
        ax.tick_params(axis="y", length=0)
        if frex is not None:
            words = frex[frex["topic"] == topic].sort_values("rank")["term"].head(4)
            ax.text(
                0.98,
                0.02,
                wrap_label("FREX: " + ", ".join(words.str.replace("_", " ")), 28),
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=5,
                color=PALETTE[5],
            )
    for ax in axes[len(topics) :]:
        ax.set_visible(False)
    return fig


def _interval_markers(ax: Any, x: np.ndarray, y: np.ndarray, rows: pd.DataFrame, colour: str,
                      label: str) -> Any:  # fmt: skip
    """A group's estimates with their intervals (`ci_low`, `ci_high` of `rows`)."""
    xerr = [x - rows["ci_low"], rows["ci_high"] - x]
    return ax.errorbar(x, y, xerr=xerr, fmt="o", color=colour, ms=3.5, lw=1, capsize=0,
                       label=label)  # fmt: skip


def _open_markers(ax: Any, x: np.ndarray, y: np.ndarray, colour: str, label: str) -> Any:
    """A group's estimates without an interval (one document): open markers."""
    (handle,) = ax.plot(x, y, "o", mfc="white", mec=colour, ms=3.5, label=label)
    return handle


def plot_prevalence(prevalence: pd.DataFrame, labels: dict[int, str]) -> Figure:
    """Prevalence of each topic per group with 95% document-bootstrap intervals. Groups with
    one document: open marker and a dotted unit-level interval (understates uncertainty)."""
    groups = ordered_groups(prevalence["group"])
    colours = group_palette(groups)
    topics = sorted(prevalence["topic"].unique())
    fig, ax = new_figure("double", height_ratio=0.12 + 0.07 * len(topics))
    offsets = np.linspace(0.3, -0.3, len(groups)) if len(groups) > 1 else np.zeros(1)
    handles = []
    for offset, group in zip(offsets, groups, strict=True):
        rows = prevalence[prevalence["group"] == group].sort_values("topic")
        y = len(topics) - 1 - rows["topic"].to_numpy() + offset
        estimable = rows["interval"].eq("documents").to_numpy()
        x = rows["prevalence"].to_numpy()
        if estimable.all():
            label = f"{group} (n = {rows['n_documents'].iloc[0]} docs)"
            handle = _interval_markers(ax, x, y, rows, colours[group], label)
        else:
            ax.hlines(
                y, rows["unit_ci_low"], rows["unit_ci_high"], color=colours[group], lw=0.8, ls=":"
            )
            label = f"{group} (1 doc: no interval; dotted = units resampled)"
            handle = _open_markers(ax, x, y, colours[group], label)
        handles.append(handle)
    ax.set_yticks(len(topics) - 1 - np.asarray(topics), [_label(labels, t, 34) for t in topics])
    ax.set_xlabel("Topic prevalence (share of the group's tokens)")
    ax.set_xlim(left=0)
    fig.legend(handles=handles, loc="outside upper center", ncols=min(2, len(groups)), fontsize=6)
    return fig


def plot_difference(difference: pd.DataFrame, labels: dict[int, str]) -> Figure:
    """Each group's prevalence minus the rest's, with 95% document-bootstrap intervals;
    open markers: single-document groups (no interval)."""
    groups = ordered_groups(difference["group"])
    colours = group_palette(groups)
    topics = sorted(difference["topic"].unique())
    ncols = min(4, len(groups))
    nrows = int(np.ceil(len(groups) / ncols))
    fig, axes = new_figure(
        "double",
        height_ratio=nrows * (0.1 + 0.045 * len(topics)),
        nrows=nrows,
        ncols=ncols,
        sharey=True,
        sharex=True,
        squeeze=False,
    )
    y_of = {t: len(topics) - 1 - i for i, t in enumerate(topics)}
    flat = axes.ravel()
    for ax, group in zip(flat, groups, strict=False):
        rows = difference[difference["group"] == group].sort_values("topic")
        y = rows["topic"].map(y_of).to_numpy()
        x = rows["difference"].to_numpy()
        ax.axvline(0, color="#999999", lw=0.6)
        if rows["interval"].eq("documents").all():
            ax.errorbar(
                x,
                y,
                xerr=[x - rows["ci_low"], rows["ci_high"] - x],
                fmt="o",
                color=colours[group],
                ms=3,
                lw=1,
            )
        else:
            ax.plot(x, y, "o", mfc="white", mec=colours[group], ms=3)
        n_docs = rows["n_documents"].iloc[0]
        ax.set_title(wrap_label(f"{group} vs rest ({n_docs} doc{'s' if n_docs != 1 else ''})", 22))
    for ax in flat[len(groups) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("Difference in prevalence")
    for ax in axes[:, 0]:
        ax.set_yticks([y_of[t] for t in topics], [_label(labels, t, 30) for t in topics])
    return fig


# At most this many rows in the unit heatmap: each row stays a few pixels high in print
# (about 1,000 pixel rows at 300 dpi); more units are averaged in runs of consecutive units.
HEATMAP_MAX_ROWS = 400


def heatmap_units_per_row(n_units: int, n_groups: int) -> int:
    """Consecutive units of one source averaged into one heatmap row (1: every unit is a
    row), so that the heatmap has at most `HEATMAP_MAX_ROWS` rows."""
    if n_units <= HEATMAP_MAX_ROWS:
        return 1
    return int(np.ceil(n_units / max(HEATMAP_MAX_ROWS - n_groups, 1)))


def document_heatmap_caption(units: pd.DataFrame) -> str:
    """Caption of `plot_document_topic_heatmap` for these units."""
    per_row = heatmap_units_per_row(len(units), units["group"].nunique())
    if per_row == 1:
        return (
            "Topic proportions of every unit of analysis (rows, grouped by source, in document "
            "order) for each topic (columns)."
        )
    return (
        f"Topic proportions of the {len(units):,} units of analysis for each topic (columns): "
        f"each row is the mean of {per_row:,} consecutive units of one source (fewer in a "
        "source's last row), grouped by source, in document order."
    )


def plot_document_topic_heatmap(
    doc_topic: np.ndarray, units: pd.DataFrame, labels: dict[int, str]
) -> Figure:
    """Topic proportions of every unit (rows), grouped by source and ordered by document and
    position; columns are topics. Above `HEATMAP_MAX_ROWS` units a row is the mean of a run
    of consecutive units of one source (`heatmap_units_per_row`)."""
    order = units.assign(_row=np.arange(len(units))).sort_values(
        ["group", "doc_id", "position", "_row"], kind="mergesort"
    )
    groups = order["group"].astype(str).to_numpy()
    per_row = heatmap_units_per_row(len(units), len(set(groups)))
    matrix, groups = _row_means(doc_topic[order["_row"].to_numpy()], groups, per_row)
    fig, ax = new_figure("double", height_ratio=0.6)
    image = ax.imshow(
        matrix, aspect="auto", cmap=SEQUENTIAL_CMAP, vmin=0, vmax=1, interpolation="nearest"
    )
    boundaries = np.flatnonzero(groups[1:] != groups[:-1]) + 0.5
    for b in boundaries:  # white, edged in dark grey: visible on the lightest colours too
        ax.axhline(b, color="white", lw=1.2,
                   path_effects=[patheffects.Stroke(linewidth=2.2, foreground="0.25"),
                                 patheffects.Normal()])  # fmt: skip
    starts = np.concatenate([[0], np.ceil(boundaries).astype(int)])
    ends = np.concatenate([np.ceil(boundaries).astype(int), [len(groups)]])
    ax.set_yticks((starts + ends - 1) / 2, [wrap_label(groups[s], 14) for s in starts])
    ax.tick_params(axis="y", length=0)
    k = doc_topic.shape[1]
    ax.set_xticks(np.arange(k), [_label(labels, t, 16) for t in range(k)], rotation=90)
    if per_row == 1:
        ax.set_ylabel("Units (by source, document, position)")
    else:
        ax.set_ylabel(f"Units (by source, document, position);\nrow = mean of {per_row:,} units")
    fig.colorbar(image, ax=ax, label="Topic proportion", shrink=0.8)
    return fig


def _row_means(
    matrix: np.ndarray, groups: np.ndarray, per_row: int
) -> tuple[np.ndarray, np.ndarray]:
    """Means of runs of `per_row` consecutive rows that share a group (rows sorted by
    group), and each run's group."""
    if per_row == 1:
        return matrix, groups
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    runs = np.concatenate([np.arange(s, e, per_row) for s, e in zip(starts, ends, strict=True)])
    sums = np.add.reduceat(matrix, runs, axis=0)
    sizes = np.diff(np.r_[runs, len(groups)])
    return sums / sizes[:, None], groups[runs]


def plot_intertopic_map(topic_map: pd.DataFrame, labels: dict[int, str]) -> Figure:
    """Topics placed by classical scaling of their Jensen–Shannon distances; circle area is
    proportional to overall prevalence."""
    fig, ax = new_figure("single", height_ratio=0.9)
    area = 2000 * topic_map["prevalence"].to_numpy() / max(topic_map["prevalence"].max(), 1e-12)
    ax.scatter(
        topic_map["x"],
        topic_map["y"],
        s=area,
        color=PALETTE[0],
        alpha=0.35,
        edgecolor=PALETTE[0],
        lw=0.8,
    )
    for row in topic_map.itertuples(index=False):
        ax.annotate(
            _label(labels, row.topic, 18), (row.x, row.y), ha="center", va="center", fontsize=6
        )
    span = max(np.ptp(topic_map["x"]), np.ptp(topic_map["y"]), 1e-3)
    cx, cy = topic_map["x"].mean(), topic_map["y"].mean()
    ax.set_xlim(cx - 0.75 * span, cx + 0.75 * span)
    ax.set_ylim(cy - 0.75 * span, cy + 0.75 * span)
    ax.set_aspect("equal")
    ax.set_xlabel("Scaling dimension 1 (JS distance)")
    ax.set_ylabel("Scaling dimension 2 (JS distance)")
    return fig


def period_ticks(periods: pd.Series, unit: str, most: int = 10) -> tuple[list[int], list[str]]:
    """Ticks at whole periods (years, or the first years of decades), every period while
    there are at most `most`, else every 2nd, 5th, 10th, ... period."""
    width = 10 if unit == "decade" else 1
    first, last = int(periods.min()), int(periods.max())
    count = (last - first) // width + 1
    steps = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
    step = next((s for s in steps if count <= most * s), steps[-1])
    start = -(-first // (width * step)) * width * step  # first multiple of the step
    ticks = list(range(start, last + 1, width * step)) or [first]
    return ticks, [str(t) for t in ticks]


def plot_prevalence_over_time(over_time: TimePrevalence, labels: dict[int, str]) -> Figure:
    """Prevalence of each topic per period (only called when `over_time.drawable`)."""
    if not over_time.drawable:
        raise InputError(f"nothing to draw: {over_time.reason}")
    table = over_time.table
    fig, ax = new_figure("double", height_ratio=0.4)
    for i, topic in enumerate(sorted(table["topic"].unique())):
        rows = table[table["topic"] == topic].sort_values("period")
        ax.plot(
            rows["period"],
            rows["prevalence"],
            marker="o",
            ms=3,
            lw=1,
            color=PALETTE[i % len(PALETTE)],
            ls="-" if i < len(PALETTE) else "--",
            label=_label(labels, topic, 30),
        )
    ax.set_xticks(*period_ticks(table["period"], over_time.period_unit))
    ax.set_xlabel(over_time.period_unit.capitalize())
    ax.set_ylabel("Topic prevalence")
    ax.set_ylim(bottom=0)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=6)
    return fig


def plot_prevalence_effects(effects: pd.DataFrame, labels: dict[int, str]) -> Figure:
    """Expected topic proportion of each group (effect regression) with intervals over
    documents, the topic posterior and restarts; open markers: single-document groups."""
    table = effects[effects["estimand"] == "proportion"]
    groups = ordered_groups(table["group"])
    colours = group_palette(groups)
    topics = sorted(table["topic"].unique())
    fig, ax = new_figure("double", height_ratio=0.12 + 0.07 * len(topics))
    offsets = np.linspace(0.3, -0.3, len(groups)) if len(groups) > 1 else np.zeros(1)
    handles = []
    for offset, group in zip(offsets, groups, strict=True):
        rows = table[table["group"] == group].sort_values("topic")
        y = len(topics) - 1 - rows["topic"].to_numpy() + offset
        x = rows["estimate"].to_numpy()
        n_docs = int(rows["n_documents"].iloc[0])
        if rows["ci_low"].notna().all():
            label = f"{group} (n = {n_docs} docs)"
            handle = _interval_markers(ax, x, y, rows, colours[group], label)
        else:
            handle = _open_markers(ax, x, y, colours[group], f"{group} (1 doc: no interval)")
        handles.append(handle)
    ax.axvline(0, color="#999999", lw=0.6)
    ax.set_yticks(len(topics) - 1 - np.asarray(topics), [_label(labels, t, 34) for t in topics])
    ax.set_xlabel("Expected topic proportion of the group's units")
    fig.legend(handles=handles, loc="outside upper center", ncols=min(2, len(groups)), fontsize=6)
    return fig
