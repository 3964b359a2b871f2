"""Terms in context: keyword-in-context (KWIC) lines for a term, across sources.

A query uses the project's one term syntax (`analysis.corpus.patterns`): case-insensitive
whole words ("resolution"), a trailing ``*`` for a stem ("settlement*"), several words for
a phrase ("two-state solution", which also matches "two state solution"), and capitals
for an acronym that must match in capitals ("US"). The context window is counted in
running words (`analysis.corpus.kwic`, the one keyword-in-context line), and every line carries
exact positions: the word index and character offsets of the match in its unit's text.

`concordance` returns a tidy table that the notebook and the interactive explorer share;
`side_by_side` lays the first lines of each group out in columns for reading.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.corpus.kwic import KWIC_COLUMNS, concordance, format_line
from analysis.corpus.tokens import count_words

__all__ = ["CONCORDANCE_COLUMNS", "concordance", "concordance_counts", "side_by_side"]

CONCORDANCE_COLUMNS = KWIC_COLUMNS

CONCORDANCE_COUNT_COLUMNS = {
    "query": "the term searched for, as written",
    "group": "group (source)",
    "hits": "number of matches in the group's units",
    "per_10k_words": "matches per 10,000 running words of the group",
}


def concordance_counts(table: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Hits per query and group, and per 10,000 running words of that group's units."""
    words = (
        units.assign(_words=[count_words(t) for t in units["text"]])
        .groupby("group")["_words"]
        .sum()
    )
    hits = table.groupby(["query", "group"]).size()
    index = pd.MultiIndex.from_product(
        [sorted(table["query"].unique()), sorted(words.index)], names=["query", "group"]
    )
    hits = hits.reindex(index, fill_value=0).rename("hits").reset_index()
    hits["per_10k_words"] = 1e4 * hits["hits"] / hits["group"].map(words).to_numpy()
    return hits


def side_by_side(
    table: pd.DataFrame,
    lines_per_group: int = 5,
    width: int = 45,
    seed: int | None = None,
) -> pd.DataFrame:
    """Lines of each group in adjacent columns: ``… left [match] right …``.

    Without `seed` the first lines in corpus order; with `seed` a reproducible sample.
    """
    columns = {}
    for group, lines in table.groupby("group", sort=True):
        if seed is not None and len(lines) > lines_per_group:
            rng = np.random.default_rng(seed)
            picked = np.sort(rng.choice(len(lines), size=lines_per_group, replace=False))
            lines = lines.iloc[picked]
        else:
            lines = lines.head(lines_per_group)
        columns[group] = [
            format_line(left, match, right, width)
            for left, match, right in zip(
                lines["left"], lines["match"], lines["right"], strict=True
            )
        ]
    depth = max((len(v) for v in columns.values()), default=0)
    frame = pd.DataFrame({g: v + [""] * (depth - len(v)) for g, v in columns.items()})
    frame.index = pd.RangeIndex(1, depth + 1, name="line")
    return frame


# Table schemas: the description and columns each table is saved with.
CONCORDANCE_SCHEMA = {
    "description": (
        "One row per occurrence of a context term: group, segment, exact position, left "
        "context, match and right context."
    ),
    "columns": CONCORDANCE_COLUMNS,
}

CONCORDANCE_COUNT_SCHEMA = {
    "description": (
        "One row per context term and group: matches and matches per 10,000 running words."
    ),
    "columns": CONCORDANCE_COUNT_COLUMNS,
}
