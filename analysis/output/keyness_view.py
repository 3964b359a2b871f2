"""The keyness explorer (in the spirit of scattertext) as one self-contained HTML file:
for each source against the rest, every term by its frequency (log scale) and its log-odds
z-score (`analysis.sources.keyness`), coloured as in the figures; pointing at a term shows
its keyword-in-context lines (`analysis.sources.concordance.concordance`) in the source
and in the others.

`keyness_view_data` decides what goes in; `keyness_explorer_view` pairs it with the script
in assets/keyness.js.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.figure_style import group_palette, ordered_groups
from analysis.corpus.patterns import TermError
from analysis.output.html_view import HtmlView
from analysis.sources.concordance import concordance

Z_CRITICAL = 1.96  # as the dashed line of the keyness figures


def shown_terms(part: pd.DataFrame, max_terms: int) -> pd.DataFrame:
    """At most `max_terms` rows of one comparison: the most distinctive on each side first,
    then the most frequent of the rest (the shared vocabulary)."""
    if len(part) <= max_terms:
        return part
    third = max_terms // 3
    by_z = part.sort_values(["z", "term"], ascending=[False, True], kind="stable")
    chosen = pd.concat([by_z.head(third), by_z.tail(third)])
    rest = part.drop(chosen.index)
    total = rest["count_target"] + rest["count_reference"]
    rest = rest.assign(_n=total).sort_values(["_n", "term"], ascending=[False, True])
    chosen = pd.concat([chosen, rest.head(max_terms - len(chosen)).drop(columns="_n")])
    return chosen.sort_values(["z", "term"], ascending=[False, True], kind="stable")


def kwic_terms(table: pd.DataFrame, n_per_side: int) -> list[str]:
    """Terms that carry KWIC lines: the `n_per_side` highest and lowest z of every source."""
    terms: list[str] = []
    for _, part in table.groupby("group", sort=True):
        ranked = part.sort_values(["z", "term"], ascending=[False, True], kind="stable")
        terms += ranked.head(n_per_side)["term"].tolist() + ranked.tail(n_per_side)["term"].tolist()
    return sorted(set(terms))


def units_with_terms(
    segments: pd.DataFrame, terms: list[str], per_group: int
) -> dict[str, list[int]]:
    """Row positions of up to `per_group` segments per group whose tokens contain each term."""
    wanted = set(terms)
    found: dict[str, dict[str, list[int]]] = {t: {} for t in terms}
    for row, (group, tokens) in enumerate(
        zip(segments["group"].astype(str), segments["tokens"], strict=True)
    ):
        for token in wanted.intersection(tokens):
            rows = found[token].setdefault(group, [])
            if len(rows) < per_group:
                rows.append(row)
    return {t: sorted(r for rows in found[t].values() for r in rows) for t in terms}


def term_lines(
    segments: pd.DataFrame, terms: list[str], window: int, per_group: int
) -> dict[str, list[list[str]]]:
    """KWIC lines [group, segment_id, left, match, right] of each term, at most `per_group`
    per source; a term joined from a phrase ("two_state") is searched as the phrase."""
    out: dict[str, list[list[str]]] = {}
    for term, rows in units_with_terms(segments, terms, per_group).items():
        if not rows:
            out[term] = []
            continue
        try:
            lines = concordance(segments.iloc[rows], term.replace("_", " "), window)
        except (TermError, InputError):
            out[term] = []
            continue
        lines = lines.groupby("group", sort=True).head(per_group)
        out[term] = lines[["group", "unit_id", "left", "match", "right"]].values.tolist()
    return out


def keyness_view_data(
    keyness: pd.DataFrame,
    segments: pd.DataFrame,
    window: int = 8,
    max_terms: int = 3000,
    n_kwic: int = 25,
    lines_per_group: int = 4,
) -> dict[str, Any]:
    """Per source (against the rest): the shown terms with counts and z; KWIC lines of the
    most distinctive terms; the figures' group colours."""
    table = keyness[keyness["reference"] == "rest"]
    if table.empty:
        raise InputError(
            "the keyness table has no 'vs rest' comparisons: set sources.comparisons to "
            "'rest' or 'all' (or 'auto')"
        )
    if "tokens" not in segments.columns:
        raise InputError("keyness explorer: pass PreparedCorpus.segments (with tokens)")
    groups = ordered_groups(table["group"])
    comparisons = {}
    for group in groups:
        part = shown_terms(table[table["group"] == group], max_terms)
        comparisons[group] = {
            "n_terms": int((table["group"] == group).sum()),
            "term": part["term"].tolist(),
            "count_target": part["count_target"].to_numpy(np.int64),
            "count_reference": part["count_reference"].to_numpy(np.int64),
            "z": part["z"].to_numpy(float),
            "p_adj": part["p_adj"].to_numpy(float),
        }
    return {
        "groups": groups,
        "colours": group_palette(ordered_groups(segments["group"])),
        "z_critical": Z_CRITICAL,
        "comparisons": comparisons,
        "lines": term_lines(segments, kwic_terms(table, n_kwic), window, lines_per_group),
    }


def keyness_explorer_view(
    keyness: pd.DataFrame,
    segments: pd.DataFrame,
    window: int = 8,
    title: str = "Keyness explorer",
) -> HtmlView:
    """The interactive keyness explorer, ready to save (`run.save_view`) or show in a cell."""
    return HtmlView(title, keyness_view_data(keyness, segments, window), "keyness.js")
