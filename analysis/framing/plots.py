"""Figures of the framing notebook: frame salience, co-occurrence, ANTMN networks and
focal-term collocates. Each function takes the tables computed in analysis.framing.frames,
frame_salience, topic_networks and collocations and returns a Figure; nothing is fitted
or saved here."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from analysis.core.figure_style import (
    PALETTE,
    SEQUENTIAL_CMAP,
    group_palette,
    new_figure,
    ordered_groups,
    wrap_label,
)
from analysis.framing.antmn import TopicNetwork, network_layout
from analysis.framing.salience import source_frame_matrix

LABEL_SIZE = 7  # points: the smallest text of a figure, readable at printed size
SINGLE_COLUMN_GROUPS = 5  # annotated heatmaps of more groups than this are double width

MEASURE_LABELS = {
    "per_1000": "Frame hits per 1,000 words",
    "share_present": "Share of units with the frame",
}


def _frame_labels(frames: list[str], labels: dict | None) -> list[str]:
    return [wrap_label(str((labels or {}).get(f, f)), 26) for f in frames]


def plot_source_frame_heatmap(
    salience: pd.DataFrame, measure: str = "per_1000", labels: dict | None = None
) -> Figure:
    """Frame × group heatmap of one salience measure, each cell annotated with its value
    (a single column wide; double for more than `SINGLE_COLUMN_GROUPS` groups, whose cells
    would be narrower than their values)."""
    matrix = source_frame_matrix(salience, measure)
    groups = ordered_groups(matrix.columns)
    data = matrix[groups].to_numpy(float)
    width = "single" if len(groups) <= SINGLE_COLUMN_GROUPS else "double"
    ratio = 0.35 + 0.09 * len(matrix)
    fig, ax = new_figure(width, height_ratio=ratio if width == "single" else ratio / 2)
    image = ax.imshow(data, cmap=SEQUENTIAL_CMAP, aspect="auto", vmin=0)
    ax.set_xticks(range(len(groups)), groups, rotation=35, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(matrix)), _frame_labels(list(matrix.index), labels))
    ax.tick_params(length=0)
    high = np.nanmax(data) if data.size else 0
    fmt = "{:.1f}" if measure == "per_1000" else "{:.2f}"
    for (i, j), value in np.ndenumerate(data):
        colour = "black" if high and value > 0.6 * high else "white"
        ax.text(j, i, fmt.format(value), ha="center", va="center", fontsize=LABEL_SIZE,
                color=colour)  # fmt: skip
    fig.colorbar(image, ax=ax, shrink=0.8, label=MEASURE_LABELS[measure])
    ax.set_xlabel("Source")
    ax.spines[:].set_visible(False)
    return fig


def plot_frame_salience(
    salience: pd.DataFrame, measure: str = "per_1000", labels: dict | None = None
) -> Figure:
    """Salience of each frame per group: point estimate with its 95% bootstrap interval."""
    part = salience[salience["measure"] == measure]
    frames = list(dict.fromkeys(part["frame"]))
    groups = ordered_groups(part["group"])
    colours = group_palette(groups)
    fig, ax = new_figure("double", height_ratio=0.12 + 0.045 * len(frames))
    step = 0.8 / max(len(groups), 1)
    for k, group in enumerate(groups):
        rows = part[part["group"] == group].set_index("frame").loc[frames]
        y = np.arange(len(frames)) - 0.4 + step * (k + 0.5)
        ax.errorbar(
            rows["estimate"], y,
            xerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]],
            fmt="o", ms=3, lw=0.8, capsize=1.5, color=colours[group], label=group,
        )  # fmt: skip
    ax.set_yticks(range(len(frames)), _frame_labels(frames, labels))
    ax.invert_yaxis()
    ax.set_xlabel(MEASURE_LABELS[measure] + " (95% bootstrap interval)")
    ax.set_xlim(left=0)
    ax.legend(title="Source", loc="lower right")
    return fig


def plot_frame_cooccurrence(cooccurrence: pd.DataFrame, labels: dict | None = None) -> Figure:
    """Jaccard overlap of frames across units (lower triangle; diagonal = units with frame).
    More than six frames get a full-width figure so that labels stay at the house size."""
    frames = list(dict.fromkeys(cooccurrence["frame_a"]))
    wide = cooccurrence.pivot(index="frame_a", columns="frame_b", values="jaccard").loc[
        frames, frames
    ]
    data = wide.to_numpy(float).copy()
    data[np.triu_indices_from(data, k=1)] = np.nan
    width = "single" if len(frames) <= 6 else "double"
    fig, ax = new_figure(width, height_ratio=1.0 if width == "single" else 0.75)
    image = ax.imshow(data, cmap=SEQUENTIAL_CMAP, vmin=0, vmax=max(np.nanmax(data), 0.01))
    names = _frame_labels(frames, labels)
    ax.set_xticks(range(len(frames)), names, rotation=90)
    ax.set_yticks(range(len(frames)), names)
    ax.tick_params(length=0, labelsize=LABEL_SIZE)
    ax.spines[:].set_visible(False)
    fig.colorbar(image, ax=ax, shrink=0.7, label="Jaccard overlap of units")
    return fig


def marker_radius_points(area: float) -> float:
    """Radius in points of a scatter marker of `area` (matplotlib's s, in points²)."""
    return float(np.sqrt(area)) / 2


# Where a node label may go, tried in order: (offset direction, ha, va).
LABEL_PLACES = (((0, 1), "center", "bottom"), ((0, -1), "center", "top"),
                ((1, 0), "left", "center"), ((-1, 0), "right", "center"))  # fmt: skip


def _boxes_overlap(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def place_node_labels(
    fig: Figure, ax, nodes: list[tuple[float, float, float, str]], fontsize: float = LABEL_SIZE
) -> None:
    """Label nodes (x, y, marker area in points², text) in the given order (most important
    first): above the node, else below, right or left, whichever overlaps no node and no
    label placed before (above if none is free). Call it last: it draws the figure once to
    measure the text."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    to_pixels = fig.dpi / 72
    centres = ax.transData.transform([(x, y) for x, y, _, _ in nodes]) if nodes else []
    radii = [marker_radius_points(area) for _, _, area, _ in nodes]
    discs = [
        Bbox([[cx - r * to_pixels, cy - r * to_pixels], [cx + r * to_pixels, cy + r * to_pixels]])
        for (cx, cy), r in zip(centres, radii, strict=True)
    ]
    placed: list[Bbox] = []
    for i, (x, y, _, text) in enumerate(nodes):
        others = discs[:i] + discs[i + 1 :]
        gap = radii[i] + 1.5
        for (dx, dy), ha, va in LABEL_PLACES:
            label = _node_label(ax, text, (x, y), (dx * gap, dy * gap), ha, va, fontsize)
            box = label.get_window_extent(renderer)
            if not any(_boxes_overlap(box, o) for o in others + placed):
                break
            label.remove()
        else:  # nowhere free: the first choice
            (dx, dy), ha, va = LABEL_PLACES[0]
            label = _node_label(ax, text, (x, y), (dx * gap, dy * gap), ha, va, fontsize)
            box = label.get_window_extent(renderer)
        placed.append(box)


def _node_label(ax, text: str, xy, offset, ha: str, va: str, fontsize: float):
    return ax.annotate(text, xy, xytext=offset, textcoords="offset points", ha=ha, va=va,
                       fontsize=fontsize, zorder=3)  # fmt: skip


def no_edges_note(ax, message: str) -> None:
    """Say in the figure, above the network (never over it), that it has no edges and why."""
    ax.set_title(wrap_label(message, 100), fontsize=LABEL_SIZE, color="#555555")


def plot_topic_network(network: TopicNetwork, seed: int) -> Figure:
    """ANTMN network: topics as nodes (size = prevalence, colour = frame), edge width =
    correlation of topic proportions; seeded spring layout. Labels sit above their node,
    the legend below the network, and a network without edges says so."""
    nodes, edges = network.nodes, network.edges
    positions = network_layout(list(nodes["topic"]), edges, seed)
    fig, ax = new_figure("double", height_ratio=0.6)
    frames = sorted(nodes["frame"].unique(), key=lambda f: int(str(f)[1:]))
    colour = {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(frames)}
    top = edges["weight"].max() if len(edges) else 1.0
    for a, b, w in edges.itertuples(index=False):
        (x0, y0), (x1, y1) = positions[a], positions[b]
        ax.plot([x0, x1], [y0, y1], color="#999999", lw=0.3 + 2.5 * w / top, alpha=0.7, zorder=1)
    size = 60 + 900 * nodes["prevalence"] / max(nodes["prevalence"].max(), 1e-12)
    for frame in frames:
        sel = nodes["frame"] == frame
        xy = np.array([positions[t] for t in nodes.loc[sel, "topic"]])
        ax.scatter(xy[:, 0], xy[:, 1], s=size[sel], color=colour[frame], label=frame,
                   edgecolor="white", lw=0.5, zorder=2)  # fmt: skip
    ax.set_axis_off()
    ax.margins(x=0.12, y=0.25)
    if edges.empty:
        no_edges_note(
            ax,
            "No edges: no two topics' proportions are positively correlated "
            "above framing.antmn_min_correlation, so each topic is its own frame.",
        )
    handles = [Line2D([], [], ls="", marker="o", ms=6, color=colour[f], label=f) for f in frames]
    fig.legend(handles=handles, title="Frame (community)", loc="outside lower center",
               ncols=min(len(frames), 6))  # fmt: skip
    order = np.argsort(-size.to_numpy(), kind="stable")  # the largest topics first
    rows = nodes.iloc[order]
    place_node_labels(fig, ax, [
        (*positions[t], float(a), wrap_label(f"{t}: {label}", 22))
        for t, label, a in zip(rows["topic"], rows["label"], size.iloc[order], strict=True)
    ])  # fmt: skip
    return fig


def plot_antmn_frame_shares(shares: pd.DataFrame) -> Figure:
    """Share of each ANTMN frame in each group's units (stacked bars; sums to 1)."""
    wide = shares.pivot(index="group", columns="frame", values="share")
    wide = wide.loc[ordered_groups(wide.index), sorted(wide.columns, key=lambda f: int(f[1:]))]
    fig, ax = new_figure("single", height_ratio=0.25 + 0.08 * len(wide))
    left = np.zeros(len(wide))
    for i, frame in enumerate(wide.columns):
        ax.barh(
            range(len(wide)), wide[frame], left=left, color=PALETTE[i % len(PALETTE)], label=frame
        )
        left += wide[frame].to_numpy()
    ax.set_yticks(range(len(wide)), [wrap_label(g, 14) for g in wide.index])
    ax.invert_yaxis()
    ax.set_xlabel("Mean share of topic proportions")
    ax.set_xlim(0, 1)
    fig.legend(title="Frame", ncols=min(len(wide.columns), 4), loc="outside lower center")
    return fig


def plot_collocates(
    collocates: pd.DataFrame,
    terms: list[str],
    groups: Sequence[str] | None = None,
    top_n: int = 6,
) -> Figure:
    """Strongest collocates (log-Dice) of each focal term (rows) in each group (columns).
    `groups`: every group of the corpus (e.g. `corpus.segments["group"]`), so that a group
    without collocates keeps its column, shown as empty, and every group its colour.
    Each collocate is written on its bar, inside its own panel (tick labels would run into
    the panel on their left once there are more than a few groups)."""
    groups = ordered_groups(collocates["group"] if groups is None else groups)
    groups = groups or ["(no collocates)"]
    colours = group_palette(groups)
    fig, axes = new_figure(
        "double", height_ratio=0.2 * max(len(terms), 1), nrows=max(len(terms), 1),
        ncols=len(groups), sharex=True, squeeze=False,
    )  # fmt: skip
    fits = _characters_across(fig.get_figwidth() / len(groups))
    for r, term in enumerate(terms):
        for c, group in enumerate(groups):
            ax = axes[r, c]
            rows = collocates[(collocates["term"] == term) & (collocates["group"] == group)]
            _named_bars(ax, rows.head(top_n), colours[group], top_n, fits)
            if r == 0:
                ax.set_title(wrap_label(group, 16))
            if c == 0:
                ax.set_ylabel(wrap_label(term, 14), fontsize=LABEL_SIZE)
            if rows.empty:
                ax.text(0.5, 0.5, "none above\nmin. frequency", transform=ax.transAxes,
                        ha="center", va="center", fontsize=LABEL_SIZE, color="#555555",
                        in_layout=False)  # fmt: skip
    for ax in axes[-1]:
        ax.set_xlabel("log-Dice")
    return fig


def _named_bars(ax, rows: pd.DataFrame, colour: str, slots: int, fits: int) -> None:
    """Light horizontal bars of `rows["log_dice"]`, each collocate's name written on it from
    the left (cut to `fits` characters); `slots` rows, so every panel has the same bars."""
    positions = np.arange(len(rows))
    ax.barh(positions, rows["log_dice"], color=colour, alpha=0.35, height=0.8)
    on_bar = ax.get_yaxis_transform()  # x in axes fractions, y in rows
    for y, name in zip(positions, rows["collocate"].astype(str), strict=True):
        name = name if len(name) <= fits else name[: fits - 1] + "…"
        ax.text(
            0.03,
            y,
            name,
            transform=on_bar,
            ha="left",
            va="center",
            fontsize=LABEL_SIZE,
            in_layout=False,
        )  # fmt: skip  (cut to fit: the panels keep their width)
    ax.set_ylim(slots - 0.5, -0.5)
    ax.set_yticks([])


def _characters_across(inches: float) -> int:
    """About how many characters of LABEL_SIZE text fit across a panel in a column `inches`
    wide (a wide glyph is about 0.62 em; a fifth of the column is spacing and margins)."""
    return max(4, int(inches * 0.8 * 72 / (0.62 * LABEL_SIZE)))
