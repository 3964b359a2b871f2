"""Figures of the source comparison. Each takes a result table or object and returns a Figure.

Nothing here computes a statistic or saves a file: the tables come from
`analysis.sources.keyness`, `analysis.sources.divergence` and
`analysis.sources.style_profile`, and the notebook saves the figures.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from adjustText import adjust_text
from matplotlib import rcParams
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, Locator, NullFormatter

from analysis.core.errors import InputError
from analysis.core.figure_style import (
    RASTER_MIN_POINTS,
    SEQUENTIAL_CMAP,
    WIDTHS,
    group_palette,
    new_figure,
    ordered_groups,
    wrap_label,
)
from analysis.sources.divergence import divergence_matrix
from analysis.sources.style_profile import STYLE_METRICS

Z_CRITICAL = 1.96
NEUTRAL = "#BBBBBB"
DARK = "#555555"
# adjustText stops after a fixed number of iterations (never after a time limit), so the
# label positions, and hence the figure bytes, are the same on every run.
LABEL_ITERATIONS = 200


def _grid(n_panels: int, max_cols: int) -> tuple[int, int]:
    cols = min(n_panels, max_cols)
    return math.ceil(n_panels / cols), cols


def _term(term: str) -> str:
    return term.replace("_", " ")


def _hide_unused(axes: np.ndarray, used: int) -> None:
    for ax in axes.ravel()[used:]:
        ax.set_visible(False)


MEASURE_LABELS = {
    "log_odds": "log-odds z-score (informative Dirichlet prior)",
    "g2": "log-likelihood G2",
    "log_ratio": "log ratio (log2 of the relative-frequency ratio)",
    "chi2": "chi-squared",
    "chi2_yates": "chi-squared (Yates correction as quanteda)",
    "exact": "odds ratio (Fisher's exact test)",
}
# Under each panel: short enough to stay within a panel of a three-column grid; the full
# label (MEASURE_LABELS) is written once, under the whole figure.
MEASURE_SHORT_LABELS = {
    "log_odds": "log-odds z",
    "g2": "G2",
    "log_ratio": "log ratio",
    "chi2": "chi-squared",
    "chi2_yates": "chi-squared (Yates)",
    "exact": "odds ratio",
}


# Height of a row of keyness bars, in inches: BAR_TERM_INCHES a term (at least four terms'
# worth), and never less than BAR_ROW_INCHES for the title and axis plus BAR_INCHES a term.
BAR_TERM_INCHES = 0.216
BAR_ROW_INCHES = 0.8
BAR_INCHES = 0.13


def plot_keyness_bars(table: pd.DataFrame, top_n: int = 15, reference: str = "rest") -> Figure:
    """Small multiples: each group's top terms against `reference`, by the table's ranking
    measure (`sources.measure`; the log-odds z-score by default)."""
    measure = str(table["measure"].iloc[0]) if "measure" in table and len(table) else "log_odds"
    score = table["score"] if "score" in table else table["z"]
    chosen = table[(table["reference"] == reference) & (score > (measure == "exact"))]
    chosen = chosen.assign(_score=score[chosen.index])
    if chosen.empty:
        raise InputError(f"plot_keyness_bars: no terms that favour a group against {reference!r}")
    groups = ordered_groups(chosen["group"])
    colours = group_palette(table["group"])
    rows, cols = _grid(len(groups), 2 if len(groups) <= 4 else 3)
    # With few terms a row's title and axis take most of it: without the second bound the
    # term labels would run together.
    row_inches = max(BAR_TERM_INCHES * max(4, top_n), BAR_ROW_INCHES + BAR_INCHES * top_n)
    fig, axes = new_figure(
        "double",
        height_ratio=rows * row_inches / WIDTHS["double"],
        nrows=rows,
        ncols=cols,
        squeeze=False,
    )
    for ax, group in zip(axes.ravel(), groups, strict=False):
        top = chosen[chosen["group"] == group].nsmallest(top_n, "rank")
        y = np.arange(len(top))[::-1]
        ax.barh(y, _finite(top["_score"].to_numpy(float)), color=colours[group], height=0.7)
        ax.set_yticks(y, [_term(t) for t in top["term"]])
        ax.set_title(wrap_label(f"{group} vs {reference}", 40), loc="left")
        if measure == "log_odds":
            ax.axvline(Z_CRITICAL, color=DARK, linewidth=0.6, linestyle="--")
        ax.set_xlabel(MEASURE_SHORT_LABELS[measure])
    _hide_unused(axes, len(groups))
    fig.supxlabel(MEASURE_LABELS[measure], fontsize="medium")
    return fig


def _finite(values: np.ndarray) -> np.ndarray:
    """Infinite scores (an exact odds ratio with no reference count) drawn at the largest
    finite one."""
    finite = values[np.isfinite(values)]
    return np.where(np.isfinite(values), values, finite.max() if len(finite) else 1.0)


def plot_fightin_words(table: pd.DataFrame, reference: str = "rest", n_labels: int = 10) -> Figure:
    """Term frequency (log) against log-odds z, one panel per target group (Monroe et al.).

    Terms beyond |z| = 1.96 are coloured: the target's colour above, grey (or the other
    group's colour in a two-group comparison) below; the `n_labels` most distinctive terms
    on each side are labelled, moved apart by adjustText so that labels do not overlap.
    A panel of more than `RASTER_MIN_POINTS` terms draws its points as one embedded image
    in SVG and PDF (labels, lines and axes stay vector), so the file does not grow with
    the vocabulary.
    """
    chosen = table[table["reference"] == reference]
    if chosen.empty:
        raise InputError(f"plot_fightin_words: no comparison against {reference!r} in the table")
    groups = ordered_groups(chosen["group"])
    colours = group_palette(table["group"])
    rows, cols = _grid(len(groups), 2)
    width = "double" if cols > 1 else "single"
    fig, axes = new_figure(
        width, height_ratio=0.42 * rows / cols * 1.6, nrows=rows, ncols=cols, squeeze=False
    )
    for ax, group in zip(axes.ravel(), groups, strict=False):
        part = chosen[chosen["group"] == group]
        below_colour = colours.get(reference, DARK)
        _fightin_words_panel(ax, part, colours[group], below_colour, n_labels)
        ax.set_title(wrap_label(f"{group} vs {reference}", 40), loc="left")
    _hide_unused(axes, len(groups))
    return fig


def _fightin_words_panel(ax, part: pd.DataFrame, above: str, below: str, n_labels: int) -> None:
    frequency = part["count_target"] + part["count_reference"]
    z = part["z"].to_numpy()
    colour = np.where(z >= Z_CRITICAL, above, np.where(z <= -Z_CRITICAL, below, NEUTRAL))
    ax.scatter(
        frequency, z, c=list(colour), s=6, linewidths=0, alpha=0.8,
        rasterized=len(z) > RASTER_MIN_POINTS,
    )  # fmt: skip
    ax.set_xscale("log")
    _frequency_ticks(ax)
    for level in (Z_CRITICAL, -Z_CRITICAL):
        ax.axhline(level, color=DARK, linewidth=0.5, linestyle="--")
    ax.set_xlabel("term frequency in both (tokens, log scale)")
    ax.set_ylabel("log-odds z-score")
    top = part.nlargest(n_labels, "z")
    bottom = part.nsmallest(n_labels, "z")
    labelled = pd.concat([top[top["z"] >= Z_CRITICAL], bottom[bottom["z"] <= -Z_CRITICAL]])
    x = (labelled["count_target"] + labelled["count_reference"]).to_numpy(dtype=float)
    y = labelled["z"].to_numpy(dtype=float)
    # Terms with identical counts sit on one point: stack their labels before adjusting.
    offset = pd.Series(y).groupby([x, np.round(y, 6)]).cumcount().to_numpy()
    step = 0.08 * (np.nanmax(np.abs(z)) if len(z) else 1.0)
    ax.margins(x=0.08, y=0.12)
    texts = [
        ax.text(xx, yy + k * step * np.sign(yy or 1), _term(t), fontsize=6)
        for xx, yy, k, t in zip(x, y, offset, labelled["term"], strict=True)
    ]
    if texts:
        adjust_text(
            texts,
            ax=ax,
            iter_lim=LABEL_ITERATIONS,
            time_lim=None,
            expand=(1.15, 1.4),
            force_text=(0.3, 0.5),
            arrowprops={"arrowstyle": "-", "color": DARK, "linewidth": 0.4},
        )


# Labels of a log frequency axis keep at least FREQUENCY_LABEL_GAP (in em) between them.
FREQUENCY_LABEL_GAP = 0.5
DIGIT_EM, COMMA_EM = 0.64, 0.32  # DejaVu Sans: widths of a digit and of a comma
FREQUENCY_SUBS = ((1.0, 2.0, 5.0), (1.0, 3.0), (1.0,))  # the finest that fits is used


class FrequencyLocator(Locator):
    """Ticks of a log axis whose labels ("1,000") never run together: 1, 2 and 5 of each
    decade if their labels fit side by side at the axis's drawn width, else 1 and 3, else
    every decade, or every second, third... decade. Chosen when the axis is drawn, from
    its width and the width of its widest label, so the same figure gets the same ticks."""

    def __init__(self, fontsize: float):
        self.fontsize = fontsize

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        low, high = np.log10(sorted((max(vmin, 1e-12), max(vmax, 1e-12))))
        decades = max(high - low, 1e-6)
        inches = self.axis.axes.get_window_extent().width / self.axis.figure.dpi
        label = f"{10 ** np.floor(high) * 5:,.0f}"  # as wide as the widest label in view
        em = DIGIT_EM * sum(c.isdigit() for c in label) + COMMA_EM * label.count(",")
        needed = (em + FREQUENCY_LABEL_GAP) * self.fontsize / 72 * decades / inches
        exponents = range(int(np.floor(low)) - 1, int(np.ceil(high)) + 2)
        for subs in FREQUENCY_SUBS:
            steps = np.diff(np.log10([*subs, 10.0]))
            if steps.min() >= needed:
                return np.array([m * 10.0**k for k in exponents for m in subs])
        stride = math.ceil(needed)
        return np.array([10.0**k for k in exponents if k % stride == 0])


def _frequency_label(value: float, _position=None) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def _frequency_ticks(ax) -> None:
    """Label a log frequency axis so that no two tick labels run together."""
    size = FontProperties(size=rcParams["xtick.labelsize"]).get_size_in_points()
    ax.xaxis.set_major_locator(FrequencyLocator(size))
    ax.xaxis.set_major_formatter(FuncFormatter(_frequency_label))
    ax.xaxis.set_minor_formatter(NullFormatter())


def plot_divergence_heatmap(table: pd.DataFrame) -> Figure:
    """Group x group bias-corrected Jensen-Shannon divergence with its bootstrap interval.

    The diagonal shows the noise floor: the range of the divergence between two
    resamples of the same group.
    """
    column = "jsd_corrected" if table["jsd_corrected"].notna().any() else "jsd"
    jsd = divergence_matrix(table, column)
    low = divergence_matrix(table, "ci_low")
    high = divergence_matrix(table, "ci_high")
    groups = list(jsd.index)
    n = len(groups)
    fig, ax = new_figure("single" if n <= 5 else "double", height_ratio=0.85)
    image = ax.imshow(jsd.to_numpy(), cmap=SEQUENTIAL_CMAP, vmin=0)
    ax.set_xticks(range(n), [wrap_label(g, 14) for g in groups], rotation=45, ha="right")
    ax.set_yticks(range(n), [wrap_label(g, 14) for g in groups])
    ax.spines[:].set_visible(False)
    if n <= 8:
        threshold = np.nanmax(jsd.to_numpy()) * 0.6
        for i in range(n):
            for j in range(n):
                value = jsd.iat[i, j]
                head = "floor" if i == j else f"{value:.2f}"
                text = f"{head}\n[{low.iat[i, j]:.2f}, {high.iat[i, j]:.2f}]"
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=5.5,
                    color="white" if value < threshold else "black",
                )
    colourbar = fig.colorbar(image, ax=ax, shrink=0.8)
    label = "bias-corrected " if column == "jsd_corrected" else ""
    colourbar.set_label(f"{label}Jensen–Shannon divergence (bits)")
    return fig


def plot_style_profile(profile: pd.DataFrame) -> Figure:
    """Small multiples: one panel per style metric, each group's value with its interval."""
    metrics = [m for m in STYLE_METRICS if m in set(profile["metric"])]
    groups = ordered_groups(profile["group"])
    colours = group_palette(profile["group"])
    rows, cols = _grid(len(metrics), 3)
    fig, axes = new_figure(
        "double",
        height_ratio=0.16 * rows * max(1.0, len(groups) / 4),
        nrows=rows,
        ncols=cols,
        squeeze=False,
        sharey=True,
    )
    y = {g: i for i, g in enumerate(groups[::-1])}
    for ax, metric in zip(axes.ravel(), metrics, strict=False):
        part = profile[profile["metric"] == metric]
        for row in part.itertuples(index=False):
            low = row.value - row.ci_low if np.isfinite(row.ci_low) else 0
            high = row.ci_high - row.value if np.isfinite(row.ci_high) else 0
            ax.errorbar(
                row.value,
                y[row.group],
                xerr=[[max(low, 0)], [max(high, 0)]],
                fmt="o",
                color=colours[row.group],
                markersize=3,
                elinewidth=1,
                capsize=0,
            )
        ax.set_xlabel(STYLE_METRICS[metric][0])
        ax.set_title(STYLE_METRICS[metric][1], loc="left", fontsize=7)
        ax.set_yticks(list(y.values()), list(y.keys()))
        ax.margins(x=0.15)
    _hide_unused(axes, len(metrics))
    handles = [Line2D([], [], marker="o", linestyle="", color=colours[g], label=g) for g in groups]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(4, len(groups)))
    return fig
