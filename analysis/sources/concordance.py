"""Terms in context: keyword-in-context (KWIC) lines for a term, across sources.

A query uses the project's one term syntax (`analysis.corpus.patterns`): case-insensitive
whole words ("resolution"), a trailing ``*`` for a stem ("settlement*"), several words for
a phrase ("two-state solution", which also matches "two state solution"), and capitals
for an acronym that must match in capitals ("US"). The context window is counted in
running words (`analysis.corpus.patterns.words_with_offsets`), and every line carries
exact positions: the word index and character offsets of the match in its unit's text.

`concordance` returns a tidy table that the notebook and the interactive explorer share;
`side_by_side` lays the first lines of each group out in columns for reading.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.corpus.patterns import compile_terms, normalise_quotes, words_with_offsets

CONCORDANCE_COLUMNS = {
    "query": "the term searched for, as written",
    "group": "group (source) of the unit",
    "unit_id": "segment (or document) id",
    "doc_id": "document id",
    "word_position": "index of the match's first word among the unit's running words",
    "char_start": "character offset where the match starts in the unit's text",
    "char_end": "character offset just after the match",
    "left": "the `window` running words before the match",
    "match": "the text matched",
    "right": "the `window` running words after the match",
}

CONCORDANCE_COUNT_COLUMNS = {
    "query": "the term searched for, as written",
    "group": "group (source)",
    "hits": "number of matches in the group's units",
    "per_10k_words": "matches per 10,000 running words of the group",
}


def concordance(
    units: pd.DataFrame,
    query: str | Sequence[str],
    window: int = 8,
    id_column: str = "segment_id",
) -> pd.DataFrame:
    """KWIC lines for one or more queries in every unit, in unit order then text order."""
    if window < 0:
        raise InputError(f"sources.context_window must be >= 0 words, got {window}")
    missing = [c for c in (id_column, "group", "text") if c not in units.columns]
    if missing:
        raise InputError(
            f"concordance: the units table lacks column(s) {missing}; pass "
            "PreparedCorpus.segments (or documents with id_column='doc_id')"
        )
    queries = [query] if isinstance(query, str) else list(query)
    doc_ids = units["doc_id"] if "doc_id" in units.columns else units[id_column]
    rows = []
    for term in queries:
        matcher = compile_terms([term])
        for unit_id, doc_id, group, text in zip(
            units[id_column], doc_ids, units["group"], units["text"], strict=True
        ):
            text = str(text)
            found = matcher.find(text)
            if not found:
                continue
            words = words_with_offsets(text)
            starts = [start for _, start, _ in words]
            plain = normalise_quotes(text)
            for match in found:
                first = bisect.bisect_left(starts, match.start)
                last = bisect.bisect_left(starts, match.end)  # first word after the match
                left_from = starts[max(0, first - window)] if first > 0 and window else None
                right_to = words[min(len(words), last + window) - 1][2] if window else None
                rows.append(
                    {
                        "query": term,
                        "group": str(group),
                        "unit_id": str(unit_id),
                        "doc_id": str(doc_id),
                        "word_position": first,
                        "char_start": match.start,
                        "char_end": match.end,
                        "left": _squash(plain[left_from : match.start])
                        if left_from is not None
                        else "",
                        "match": _squash(text[match.start : match.end]),
                        "right": _squash(plain[match.end : right_to])
                        if right_to is not None and last < len(words)
                        else "",
                    }
                )
    return pd.DataFrame(rows, columns=list(CONCORDANCE_COLUMNS))


def _squash(text: str) -> str:
    return " ".join(text.split())


def concordance_counts(table: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Hits per query and group, and per 10,000 running words of that group's units."""
    words = (
        units.assign(_words=[len(words_with_offsets(str(t))) for t in units["text"]])
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
            _kwic_line(left, match, right, width)
            for left, match, right in zip(
                lines["left"], lines["match"], lines["right"], strict=True
            )
        ]
    depth = max((len(v) for v in columns.values()), default=0)
    frame = pd.DataFrame({g: v + [""] * (depth - len(v)) for g, v in columns.items()})
    frame.index = pd.RangeIndex(1, depth + 1, name="line")
    return frame


def _kwic_line(left: str, match: str, right: str, width: int) -> str:
    left = left if len(left) <= width else "…" + left[-(width - 1) :]
    right = right if len(right) <= width else right[: width - 1] + "…"
    return f"{left} [{match}] {right}".strip()
