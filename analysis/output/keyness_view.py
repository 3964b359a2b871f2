"""The keyness explorer (in the spirit of scattertext) as one self-contained HTML file:
for each source against the rest, every term by its frequency (log scale) and its log-odds
z-score (`analysis.sources.keyness`), coloured as in the figures; pointing at a term shows
its keyword-in-context lines (`analysis.sources.concordance.concordance`) in the source
and in the others.

`keyness_view_data` decides what goes in; `keyness_explorer_view` pairs it with the script
in assets/keyness.js. On the partitioned corpus (`corpus_keyness_view`) a first pass on the
scheduler picks, per shown term and source, the first `lines_per_group` units holding it
(tokens only, an ordered reduce); a second finds the lines in those units alone: the same
lines as on the corpus in memory, at most `n_kwic` x 2 terms x sources x `lines_per_group`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.figure_style import group_palette, ordered_groups
from analysis.core.params import Params
from analysis.corpus.partition_map import map_segments, reduce_segments
from analysis.corpus.patterns import TermError
from analysis.corpus.prepare import PartitionedCorpus
from analysis.output.html_view import HtmlView
from analysis.sources.concordance import concordance

Z_CRITICAL = 1.96  # as the dashed line of the keyness figures
N_KWIC = 25  # terms with lines: the most distinctive on each side of every source
LINES_PER_GROUP = 4  # lines of each of those terms per source
MAX_TERMS = 3000  # terms drawn per source
# A unit holding a term: (group, segment_id).
Unit = tuple[str, str]


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


def term_lines(
    segments: pd.DataFrame, terms: list[str], window: int, per_group: int
) -> dict[str, list[list[str]]]:
    """KWIC lines [group, segment_id, left, match, right] of each term, at most `per_group`
    per source; a term joined from a phrase ("two_state") is searched as the phrase."""
    context = TermLinesContext(tuple(searchable_terms(terms, window)), window, per_group)
    context = context.with_units(partition_term_units(segments, context))
    return lines_of(terms, [partition_term_lines(segments, context)], per_group)


def searchable_terms(terms: list[str], window: int) -> list[str]:
    """The terms `concordance` accepts (a term the term syntax rejects shows no lines)."""
    empty = pd.DataFrame(columns=["segment_id", "group", "text"])
    kept = []
    for term in terms:
        try:
            concordance(empty, term.replace("_", " "), window)
        except (TermError, InputError):
            continue
        kept.append(term)
    return kept


@dataclass(frozen=True)
class TermLinesContext:
    """What each partition's task needs: the terms, and once chosen, their units."""

    terms: tuple[str, ...]
    window: int
    per_group: int
    units: tuple[tuple[str, frozenset[str]], ...] = ()  # (term, segment ids with lines)

    def with_units(self, units: dict[str, list[Unit]]) -> TermLinesContext:
        chosen = tuple((t, frozenset(i for _, i in units.get(t, []))) for t in self.terms)
        return dataclasses.replace(self, units=chosen)

    def __call__(self, first: dict, second: dict) -> dict:
        """`combine` of `partition_term_units` with this context's cap."""
        return added_term_units(first, second, self.per_group)


def partition_term_units(
    segments: pd.DataFrame, context: TermLinesContext
) -> dict[str, list[Unit]]:
    """Per term, the first `per_group` units of each group whose tokens hold it (corpus
    order): the units whose lines the explorer shows."""
    wanted = set(context.terms)
    units: dict[str, list[Unit]] = {t: [] for t in context.terms}
    taken: dict[str, Counter] = {t: Counter() for t in context.terms}
    ids = segments["segment_id"].astype(str).tolist()
    groups = segments["group"].astype(str).tolist()
    for row, tokens in enumerate(segments["tokens"]):
        for term in wanted.intersection(tokens):
            if taken[term][groups[row]] < context.per_group:
                taken[term][groups[row]] += 1
                units[term].append((groups[row], ids[row]))
    return units


def added_term_units(
    first: dict[str, list[Unit]], second: dict[str, list[Unit]], per_group: int
) -> dict[str, list[Unit]]:
    """`combine`: `second`'s units of a term kept while their group has fewer than
    `per_group` in `first`."""
    for term, units in second.items():
        taken = Counter(group for group, _ in first[term])
        for group, unit in units:
            if taken[group] < per_group:
                taken[group] += 1
                first[term].append((group, unit))
    return first


def partition_term_lines(
    segments: pd.DataFrame, context: TermLinesContext
) -> dict[str, list[list[str]]]:
    """The lines of each term in its chosen units of one partition, in corpus order."""
    ids = segments["segment_id"].astype(str)
    out: dict[str, list[list[str]]] = {}
    for term, chosen in context.units:
        units = segments[ids.isin(chosen)] if chosen else segments.iloc[:0]
        if units.empty:
            out[term] = []
            continue
        lines = concordance(units, term.replace("_", " "), context.window)
        out[term] = lines[["group", "unit_id", "left", "match", "right"]].values.tolist()
    return out


def lines_of(
    terms: list[str], parts: list[dict[str, list[list[str]]]], per_group: int
) -> dict[str, list[list[str]]]:
    """Each term's lines in corpus order (partitions in order), at most `per_group` per
    source."""
    out: dict[str, list[list[str]]] = {}
    for term in terms:
        kept: list[list[str]] = []
        shown: Counter = Counter()
        for line in (line for part in parts for line in part.get(term, [])):
            if shown[line[0]] < per_group:
                shown[line[0]] += 1
                kept.append(line)
        out[term] = kept
    return out


def keyness_view_data(
    keyness: pd.DataFrame,
    segments: pd.DataFrame,
    window: int = 8,
    max_terms: int = MAX_TERMS,
    n_kwic: int = N_KWIC,
    lines_per_group: int = LINES_PER_GROUP,
) -> dict[str, Any]:
    """Per source (against the rest): the shown terms with counts and z; KWIC lines of the
    most distinctive terms; the figures' group colours."""
    table = _rest_table(keyness)
    if "tokens" not in segments.columns:
        raise InputError("keyness explorer: pass PreparedCorpus.segments (with tokens)")
    lines = term_lines(segments, kwic_terms(table, n_kwic), window, lines_per_group)
    return _view_data(table, ordered_groups(segments["group"]), lines, max_terms)


def corpus_keyness_view_data(
    keyness: pd.DataFrame,
    corpus: PartitionedCorpus,
    params: Params,
    window: int = 8,
    max_terms: int = MAX_TERMS,
    n_kwic: int = N_KWIC,
    lines_per_group: int = LINES_PER_GROUP,
) -> dict[str, Any]:
    """`keyness_view_data` of the partitioned corpus, in two passes on the scheduler: the
    units of the shown terms (tokens only, an ordered reduce), then their lines."""
    table = _rest_table(keyness)
    terms = kwic_terms(table, n_kwic)
    context = TermLinesContext(tuple(searchable_terms(terms, window)), window, lines_per_group)
    units = reduce_segments(
        corpus, partition_term_units, context, context, params,
        ["segment_id", "group", "tokens"], "keyness explorer units",
    )  # fmt: skip
    parts = map_segments(
        corpus, partition_term_lines, context.with_units(units), params,
        ["segment_id", "doc_id", "group", "text"], "keyness explorer lines",
    )  # fmt: skip
    lines = lines_of(terms, parts, lines_per_group)
    return _view_data(table, ordered_groups(corpus.groups), lines, max_terms)


def _rest_table(keyness: pd.DataFrame) -> pd.DataFrame:
    table = keyness[keyness["reference"] == "rest"]
    if table.empty:
        raise InputError(
            "the keyness table has no 'vs rest' comparisons: set sources.comparisons to "
            "'rest' or 'all' (or 'auto')"
        )
    return table


def _view_data(
    table: pd.DataFrame, all_groups: list[str], lines: dict, max_terms: int
) -> dict[str, Any]:
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
        "colours": group_palette(all_groups),
        "z_critical": Z_CRITICAL,
        "comparisons": comparisons,
        "lines": lines,
    }


def keyness_explorer_view(
    keyness: pd.DataFrame,
    segments: pd.DataFrame,
    window: int = 8,
    title: str = "Keyness explorer",
) -> HtmlView:
    """The interactive keyness explorer, ready to save (`run.save_view`) or show in a cell."""
    return HtmlView(title, keyness_view_data(keyness, segments, window), "keyness.js")


def corpus_keyness_view(
    keyness: pd.DataFrame,
    corpus: PartitionedCorpus,
    params: Params,
    title: str = "Keyness explorer",
) -> HtmlView:
    """The keyness explorer of the partitioned corpus (context window
    ``params.sources.context_window``)."""
    data = corpus_keyness_view_data(keyness, corpus, params, params.sources.context_window)
    return HtmlView(title, data, "keyness.js")
