"""Figures of actors, voices and tone (framing notebook). Each function takes tables from
analysis.framing.actors, quotations and tone and returns a Figure; nothing is fitted or saved."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis.core.figure_style import (
    PALETTE,
    group_palette,
    new_figure,
    ordered_groups,
    wrap_label,
)
from analysis.core.params import FramingParams
from analysis.core.paths import load_versioned_yaml
from analysis.framing.antmn import network_layout
from analysis.framing.plots import LABEL_SIZE, place_node_labels


def top_actors(salience: pd.DataFrame, top_n: int) -> list[str]:
    """Actors with the most mentions over all groups (ties by id), at most `top_n`."""
    totals = salience.groupby("actor")["mentions"].sum().reset_index()
    totals = totals.sort_values(["mentions", "actor"], ascending=[False, True])
    return totals["actor"].head(top_n).tolist()


UNIDENTIFIED_GREY = "#999999"  # reserved: no camp but 'Unidentified' is drawn in it
CAMP_COLOURS = tuple(c for c in PALETTE if c != UNIDENTIFIED_GREY)


@cache
def reference_camps() -> tuple[str, ...]:
    """The camps of the bundled actor gazetteer, in the order it lists them: camp i has
    colour i, whichever camps a figure shows."""
    raw = load_versioned_yaml(FramingParams().actors_file, "actors", "actor gazetteer",
                              "params.framing.actors_file")  # fmt: skip
    return tuple(str(c) for c in raw.get("camps") or [])


def camp_colours(camps: list[str]) -> dict[str, str]:
    """A distinct colour for each camp, the same in every figure: a camp of the bundled
    gazetteer keeps its own colour; other camps take the colours left free, by name. Grey
    is reserved for 'Unidentified'. Colours repeat only beyond len(CAMP_COLOURS) camps."""
    reference = {c: i for i, c in enumerate(reference_camps())}
    named = [c for c in dict.fromkeys(camps) if c != "Unidentified"]
    known = [c for c in named if reference.get(c, len(CAMP_COLOURS)) < len(CAMP_COLOURS)]
    colours = {c: CAMP_COLOURS[reference[c]] for c in known}
    free = [c for c in CAMP_COLOURS if c not in colours.values()] or list(CAMP_COLOURS)
    others = ordered_groups([c for c in named if c not in known])
    colours.update({c: free[i % len(free)] for i, c in enumerate(others)})
    colours["Unidentified"] = UNIDENTIFIED_GREY
    return colours


NO_ACTORS = (
    "No actors found: no unit names an actor of framing.actors_file "
    "(the actor lists are English; see README, Supported languages)"
)


def nothing_found(message: str) -> Figure:
    """A figure that says, in words, that the analysis found nothing to draw."""
    fig, ax = new_figure("double", height_ratio=0.25)
    ax.text(0.5, 0.5, wrap_label(message, 70), ha="center", va="center", fontsize=8)
    ax.set_axis_off()
    return fig


def plot_actor_salience(salience: pd.DataFrame, top_n: int = 15) -> Figure:
    """Share of each group's units that mention each of the most mentioned actors."""
    actors = top_actors(salience, top_n)
    if not actors:
        return nothing_found(NO_ACTORS)
    groups = ordered_groups(salience["group"])
    colours = group_palette(groups)
    names = salience.drop_duplicates("actor").set_index("actor")["name"]
    fig, ax = new_figure("double", height_ratio=0.12 + 0.035 * len(actors))
    step = 0.8 / max(len(groups), 1)
    for k, group in enumerate(groups):
        rows = salience[salience["group"] == group].set_index("actor")["share_units"]
        values = rows.reindex(actors).fillna(0.0)
        ax.barh(np.arange(len(actors)) - 0.4 + step * (k + 0.5), values, height=step,
                color=colours[group], label=group)  # fmt: skip
    ax.set_yticks(range(len(actors)), [wrap_label(names[a], 30) for a in actors])
    ax.invert_yaxis()
    ax.set_xlabel("Share of the source's units mentioning the actor")
    ax.legend(title="Source", loc="lower right")
    return fig


def plot_actor_networks(
    cooccurrence: pd.DataFrame, salience: pd.DataFrame, seed: int, top_n: int = 12
) -> Figure:
    """Actor co-occurrence network per group (small multiples): the group's `top_n` most
    mentioned actors, edges = units mentioning both (width), seeded layout."""
    if salience.empty:
        return nothing_found(NO_ACTORS)
    groups = ordered_groups(salience["group"])
    ncols = min(len(groups), 2)
    nrows = int(np.ceil(len(groups) / ncols))
    fig, axes = new_figure("double", height_ratio=0.62 * nrows, nrows=nrows, ncols=ncols)
    axes = np.atleast_1d(axes).ravel()
    shown = pd.concat([salience[salience["group"] == g].head(top_n) for g in groups])
    weight = shown.groupby("camp")["mentions"].sum().reset_index()
    camps = weight.sort_values(["mentions", "camp"], ascending=[False, True])["camp"].tolist()
    colour = camp_colours(camps)
    labels: dict[int, tuple] = {}  # per panel: its nodes, most mentioned first
    for ax, group in zip(axes, groups, strict=False):
        sal = shown[shown["group"] == group].set_index("actor")
        edges = cooccurrence[
            (cooccurrence["group"] == group)
            & cooccurrence["actor_a"].isin(sal.index)
            & cooccurrence["actor_b"].isin(sal.index)
        ][["actor_a", "actor_b", "units"]]
        pos = network_layout(list(sal.index), edges, seed)
        top = max(edges["units"].max() if len(edges) else 1, 1)
        for a, b, w in edges.itertuples(index=False):
            ax.plot(
                *zip(pos[a], pos[b], strict=True), color="#999999", lw=0.3 + 2 * w / top, zorder=1
            )
        for actor, row in sal.iterrows():
            x, y = pos[actor]
            area = 20 + 200 * row["share_units"]
            ax.scatter(x, y, s=area, color=colour[row["camp"]], zorder=2)
            labels.setdefault(id(ax), (ax, []))[1].append((x, y, area, wrap_label(row["name"], 18)))
        ax.set_title(group)
        ax.set_axis_off()
        ax.margins(0.2)
    for ax in axes[len(groups) :]:
        ax.set_axis_off()
    handles = [axes[0].scatter([], [], color=colour[c], label=c) for c in camps]
    fig.legend(handles=handles, title="Camp", loc="outside lower center", ncols=4,
               fontsize=LABEL_SIZE)  # fmt: skip
    for ax, nodes in labels.values():  # last: placing measures the drawn figure
        place_node_labels(fig, ax, nodes)
    return fig


def plot_voice_shares(shares: pd.DataFrame) -> Figure:
    """Who speaks in each source: share of attributions by the speaker's camp; hatched =
    anonymous speakers."""
    if shares.empty or shares["voices"].sum() == 0:
        return nothing_found("No quoted or reported voices found (no attributed speech)")
    groups = ordered_groups(shares["group"])
    weight = shares.groupby("camp")["voices"].sum().reset_index()
    camps = weight.sort_values(["voices", "camp"], ascending=[False, True])["camp"].tolist()
    camps = sorted(camps, key=lambda c: c == "Unidentified")  # stable: keeps voice order
    colour = camp_colours(camps)
    fig, ax = new_figure("double", height_ratio=0.15 + 0.06 * len(groups))
    left = np.zeros(len(groups))
    for camp in camps:
        rows = shares[shares["camp"] == camp].set_index("group")[["voices", "anonymous", "share"]]
        rows = rows.reindex(groups).fillna(0)
        named = rows["share"] * (1 - rows["anonymous"] / rows["voices"].replace(0, 1))
        anonymous = rows["share"] - named
        ax.barh(range(len(groups)), named, left=left, color=colour[camp], label=camp)
        ax.barh(range(len(groups)), anonymous, left=left + named, color=colour[camp],
                hatch="////", edgecolor="white", lw=0)  # fmt: skip
        left += rows["share"].to_numpy()
    totals = shares.groupby("group")["voices"].sum().reindex(groups).fillna(0).astype(int)
    ax.set_yticks(range(len(groups)), [f"{g}\n(n = {totals[g]})" for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of quoted and reported voices (hatched = anonymous speaker)")
    ax.legend(title="Speaker's camp", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=6)
    return fig


def plot_voice_share_intervals(intervals: pd.DataFrame, top_n: int = 8) -> Figure:
    """Camp shares per group with 95% intervals that include the extractor's measured error
    (`quotation_scoring.voice_share_intervals`), for the `top_n` most quoted camps: one
    panel per camp, its share axis fitted to that camp's intervals (shares of one camp can
    be near 1 while the others' are near 0)."""
    weight = intervals.groupby("camp")["voices"].sum().reset_index()
    camps = weight.sort_values(["voices", "camp"], ascending=[False, True])["camp"]
    camps = camps.head(top_n).tolist()
    groups = ordered_groups(intervals["group"])
    colours = group_palette(groups)
    ncols = min(max(len(camps), 1), 4)
    nrows = int(np.ceil(max(len(camps), 1) / ncols))
    fig, axes = new_figure("double", height_ratio=nrows * (0.1 + 0.024 * len(groups)),
                           nrows=nrows, ncols=ncols, sharey=True, squeeze=False)  # fmt: skip
    flat = axes.ravel()
    for ax, camp in zip(flat, camps, strict=False):
        rows = intervals[intervals["camp"] == camp].set_index("group").reindex(groups)
        for y, (group, row) in enumerate(rows.iterrows()):
            if pd.isna(row["share"]):  # the source quotes nobody of this camp
                continue
            xerr = [[max(row["share"] - row["ci_low"], 0)], [max(row["ci_high"] - row["share"], 0)]]
            ax.errorbar([row["share"]], [y], xerr=xerr, fmt="o", ms=3, lw=0.8, capsize=1.5,
                        color=colours[group])  # fmt: skip
        ax.set_xlim(*_fitted_share_range(rows[["ci_low", "share", "ci_high"]]))
        ax.xaxis.set_major_locator(MaxNLocator(3))
        ax.xaxis.set_major_formatter(FuncFormatter(_percent))
        ax.set_title(wrap_label(camp, 24), fontsize=7)
        ax.tick_params(axis="x", labelsize=6)
    for ax in flat[len(camps) :]:
        ax.set_visible(False)
    flat[0].set_yticks(range(len(groups)), groups)
    flat[0].set_ylim(len(groups) - 0.5, -0.5)
    fig.supxlabel("Share of the source's quoted and reported voices (95% interval); "
                  "each panel's axis is fitted to its camp", fontsize=8)  # fmt: skip
    handles = [flat[0].plot([], [], "o", ms=3, color=colours[g])[0] for g in groups]
    fig.legend(handles, groups, title="Source", loc="outside right upper", fontsize=6)
    return fig


def _percent(share: float, _position: object = None) -> str:
    """A share as a percentage with no more digits than it needs: 0.015 -> '1.5%'."""
    return f"{100 * share:.4g}%"


def _fitted_share_range(values: pd.DataFrame) -> tuple[float, float]:
    """An x range for shares: from 0 unless every value is far from it, padded, within
    [0, 1]."""
    low, high = float(np.nanmin(values.to_numpy())), float(np.nanmax(values.to_numpy()))
    pad = max(high - low, 0.01) * 0.1
    start = 0.0 if low < 0.5 * high else max(low - pad, 0.0)
    return start, min(high + pad, 1.0)


def plot_actor_tone(tone: pd.DataFrame, min_sentences: int = 3, top_n: int = 12) -> Figure:
    """Mean VADER compound of sentences mentioning each actor, per group, with 95% intervals
    (actors with at least `min_sentences` sentences in a group)."""
    part = tone[tone["n_sentences"] >= min_sentences]
    totals = part.groupby("actor")["n_sentences"].sum().reset_index()
    actors = totals.sort_values(["n_sentences", "actor"], ascending=[False, True])["actor"]
    actors = actors.head(top_n).tolist()
    if not actors:
        return nothing_found(
            f"No actor is named in {min_sentences} or more sentences of a source: "
            "no tone to show (framing.tone_min_sentences)"
        )
    groups = ordered_groups(tone["group"])
    colours = group_palette(groups)
    names = tone.drop_duplicates("actor").set_index("actor")["name"]
    fig, ax = new_figure("double", height_ratio=0.12 + 0.035 * max(len(actors), 1))
    step = 0.8 / max(len(groups), 1)
    for k, group in enumerate(groups):
        rows = part[(part["group"] == group) & part["actor"].isin(actors)].set_index("actor")
        y = np.array([actors.index(a) for a in rows.index]) - 0.4 + step * (k + 0.5)
        mean = rows["mean_compound"]
        xerr = [mean - rows["ci_low"], rows["ci_high"] - mean]
        ax.errorbar(mean, y, xerr=xerr, fmt="o", ms=3, lw=0.8, capsize=1.5,
                    color=colours[group], label=group)  # fmt: skip
    ax.axvline(0, color="#999999", lw=0.6)
    ax.set_yticks(range(len(actors)), [wrap_label(names[a], 30) for a in actors])
    ax.invert_yaxis()
    ax.set_xlim(-1, 1)
    ax.set_xlabel("Mean VADER compound of sentences mentioning the actor (95% interval)")
    ax.legend(title="Source", loc="lower left", fontsize=6)
    return fig
