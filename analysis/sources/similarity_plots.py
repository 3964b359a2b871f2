"""Figures of document similarity (`analysis.sources.similarity`): the similarity heatmap
ordered by source, and the average-linkage dendrogram, cut to its top clusters when the
documents are many."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from scipy.cluster import hierarchy

from analysis.core.figure_style import (
    SEQUENTIAL_CMAP,
    group_palette,
    new_figure,
    ordered_groups,
    wrap_label,
)
from analysis.sources.plots import DARK, NEUTRAL
from analysis.sources.similarity import DocumentSimilarity


def _group_strip(groups: tuple[str, ...]) -> tuple[np.ndarray, ListedColormap, list[str]]:
    order = ordered_groups(groups)
    colours = group_palette(groups)
    codes = np.array([order.index(g) for g in groups])
    return codes, ListedColormap([colours[g] for g in order]), order


def _draw_strip(strip, codes: np.ndarray, cmap: ListedColormap) -> None:
    """A strip of cells coloured by group code (`_group_strip`), without axes."""
    strip.imshow(
        codes[None, :], cmap=cmap, aspect="auto", vmin=0, vmax=cmap.N - 1,
        interpolation="nearest",
    )  # fmt: skip
    strip.set_yticks([])
    strip.spines[:].set_visible(False)


def _group_legend(fig: Figure, order: list[str]) -> None:
    colours = group_palette(order)
    handles = [Patch(color=colours[g], label=g) for g in order]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(4, len(order)))


# The similarity colour scale ends at this percentile of the pairs of distinct documents:
# a document's similarity to itself (1) would otherwise set the scale and flatten every
# other cell into its lowest colour.
SIMILARITY_SCALE_PERCENTILE = 99


def similarity_scale(similarity: np.ndarray) -> float:
    """Top of the similarity colour scale: SIMILARITY_SCALE_PERCENTILE of the cosines of
    distinct documents (the diagonal left out); 1 if no two documents share a term."""
    pairs = similarity[np.triu_indices(len(similarity), k=1)]
    top = float(np.percentile(pairs, SIMILARITY_SCALE_PERCENTILE)) if len(pairs) else 0.0
    return top if top > 0 else 1.0


def plot_similarity_heatmap(result: DocumentSimilarity) -> Figure:
    """Document x document TF-IDF cosine similarity, documents ordered by group.

    The colour scale runs from 0 to `similarity_scale` (a high percentile of the pairs of
    distinct documents); higher pairs take the top colour (the colour bar's arrow), and
    the diagonal, each document with itself, is drawn grey, off the scale.
    """
    n = len(result.doc_ids)
    vmax = similarity_scale(result.similarity)
    codes, cmap, order = _group_strip(result.groups)
    fig, axes = new_figure(
        "single" if n <= 30 else "double",
        height_ratio=1.0,
        nrows=2,
        ncols=1,
        gridspec_kw={"height_ratios": [1, 18]},
        sharex=True,
    )
    strip, ax = axes
    _draw_strip(strip, codes, cmap)
    cells = np.ma.masked_array(result.similarity, mask=np.eye(n, dtype=bool))
    image = ax.imshow(
        cells,
        cmap=colormaps[SEQUENTIAL_CMAP].with_extremes(bad=NEUTRAL),
        vmin=0,
        vmax=vmax,
        interpolation="nearest",
        aspect="auto",
    )
    boundaries = np.flatnonzero(np.diff(codes)) + 0.5
    for b in boundaries:
        ax.axhline(b, color="white", linewidth=0.8)
        ax.axvline(b, color="white", linewidth=0.8)
    if n <= 30:
        labels = [wrap_label(d, 18) for d in result.doc_ids]
        ax.set_xticks(range(n), labels, rotation=90)
        ax.set_yticks(range(n), labels)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(f"{n} documents, ordered by group")
    colourbar = fig.colorbar(image, ax=axes, shrink=0.8, extend="max" if vmax < 1 else "neither")
    colourbar.set_label(_similarity_scale_label(vmax))
    _group_legend(fig, order)
    return fig


def _similarity_scale_label(vmax: float) -> str:
    if vmax >= 1:
        return "TF-IDF cosine similarity\n(grey: a document with itself)"
    return (
        f"TF-IDF cosine similarity\n(scale ends at {vmax:.2g}, the "
        f"{SIMILARITY_SCALE_PERCENTILE}th\npercentile of document pairs;\n"
        "grey: a document with itself)"
    )


# Above DENDROGRAM_MAX_LEAVES documents the tree is cut to its top DENDROGRAM_CLUSTERS
# clusters (scipy's truncate_mode="lastp"): thousands of leaves draw as a solid block.
DENDROGRAM_MAX_LEAVES = 40
DENDROGRAM_CLUSTERS = 30


def dendrogram_truncated(result: DocumentSimilarity) -> bool:
    """Whether `plot_dendrogram` cuts the tree to DENDROGRAM_CLUSTERS leaves."""
    return len(result.doc_ids) > DENDROGRAM_MAX_LEAVES


def dendrogram_leaf_note(result: DocumentSimilarity) -> str:
    """What the dendrogram's leaves are, for the caption: documents coloured by source, or
    (above DENDROGRAM_MAX_LEAVES documents) the clusters of the truncated tree."""
    if not dendrogram_truncated(result):
        return "leaves coloured by source."
    return (
        f"the tree of {len(result.doc_ids):,} documents is cut to its top "
        f"{DENDROGRAM_CLUSTERS} clusters (its last merges): each leaf is a cluster, labelled "
        "with its number of documents and its most common source, and the bar under it "
        "shows the sources of its documents."
    )


def plot_dendrogram(result: DocumentSimilarity) -> Figure:
    """Average-linkage dendrogram of documents, leaves coloured by group.

    Above DENDROGRAM_MAX_LEAVES documents the tree is cut to its top DENDROGRAM_CLUSTERS
    clusters (`dendrogram_leaf_note` says so for the caption), each leaf labelled with its size
    and majority group, above a bar of its groups' shares.
    """
    if dendrogram_truncated(result):
        return _truncated_dendrogram(result)
    n = len(result.doc_ids)
    codes, cmap, order = _group_strip(result.groups)
    colours = group_palette(result.groups)
    fig, axes = new_figure(
        "single" if n <= 20 else "double",
        height_ratio=0.75,
        nrows=2,
        ncols=1,
        gridspec_kw={"height_ratios": [12, 1]},
    )
    tree_ax, strip = axes
    labels = list(result.doc_ids)
    tree = hierarchy.dendrogram(
        result.linkage,
        ax=tree_ax,
        labels=labels,
        link_color_func=lambda _: DARK,
        leaf_rotation=90,
    )
    for tick in tree_ax.get_xticklabels():
        tick.set_color(colours[result.groups[result.doc_ids.index(tick.get_text())]])
        tick.set_fontsize(6)
    tree_ax.set_ylabel("cosine distance (average linkage)")
    leaves = tree["leaves"]
    _draw_strip(strip, codes[leaves], cmap)
    strip.set_xticks([])
    strip.set_xlabel("leaf colour = group")
    _group_legend(fig, order)
    return fig


def _truncated_dendrogram(result: DocumentSimilarity) -> Figure:
    order = ordered_groups(result.groups)
    colours = group_palette(result.groups)
    codes = np.array([order.index(g) for g in result.groups])
    fig, axes = new_figure(
        "double",
        height_ratio=0.75,
        nrows=2,
        ncols=1,
        sharex=True,
        gridspec_kw={"height_ratios": [6, 1]},
    )
    tree_ax, strip = axes
    tree = hierarchy.dendrogram(
        result.linkage,
        ax=tree_ax,
        truncate_mode="lastp",
        p=DENDROGRAM_CLUSTERS,
        no_labels=True,
        link_color_func=lambda _: DARK,
    )
    tree_ax.set_ylabel("cosine distance (average linkage)")
    tree_ax.tick_params(axis="x", length=0)
    _, nodes = hierarchy.to_tree(result.linkage, rd=True)
    counts = np.array(
        [
            np.bincount(codes[nodes[leaf].pre_order()], minlength=len(order))
            for leaf in tree["leaves"]
        ]
    )
    x = 5.0 + 10.0 * np.arange(len(counts))  # scipy draws leaf i at 5 + 10 i
    shares = counts / counts.sum(axis=1, keepdims=True)
    bottom = np.zeros(len(counts))
    for k, group in enumerate(order):
        strip.bar(x, shares[:, k], width=10.0, bottom=bottom, color=colours[group], linewidth=0)
        bottom += shares[:, k]
    labels = [_cluster_label(row, order) for row in counts]
    strip.set_xticks(x, labels, rotation=90)
    strip.set_ylim(0, 1)
    strip.set_yticks([])
    strip.spines[:].set_visible(False)
    strip.tick_params(axis="x", length=0)
    strip.set_xlabel(
        f"top {len(counts)} clusters of {len(result.doc_ids):,} documents (tree cut); "
        "bars: sources of each cluster's documents"
    )
    _group_legend(fig, order)
    return fig


def _cluster_label(counts: np.ndarray, order: list[str]) -> str:
    """'n docs: share majority' for a leaf of a truncated tree (ties: the first group)."""
    size, top = int(counts.sum()), int(np.argmax(counts))
    if size == 1:
        return f"1 doc: {order[top]}"
    return f"{size:,} docs: {counts[top] / size:.0%} {order[top]}"
