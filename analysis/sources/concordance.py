"""Terms in context: keyword-in-context (KWIC) lines for a term, across sources.

A query uses the project's one term syntax (`analysis.corpus.patterns`): case-insensitive
whole words ("resolution"), a trailing ``*`` for a stem ("settlement*"), several words for
a phrase ("two-state solution", which also matches "two state solution"), and capitals
for an acronym that must match in capitals ("US"). The context window is counted in
running words (`analysis.corpus.kwic`, the one keyword-in-context line), and every line carries
exact positions: the word index and character offsets of the match in its unit's text.

`concordance` returns a tidy table that the notebook and the interactive explorer share;
`side_by_side` lays the first lines of each group out in columns for reading.

On the partitioned corpus (`corpus_concordance`) every partition finds its own lines and
counts its hits and running words on the scheduler; the ordered reduce adds the counts and
keeps, per term and group, the first `CONCORDANCE_LINES_PER_GROUP` lines in corpus order,
so the table does not grow with the corpus while the counts cover every hit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from analysis.core.params import Params
from analysis.corpus.kwic import KWIC_COLUMNS, concordance, concordance_by_query, format_line
from analysis.corpus.partition_map import (
    concat_in_order,
    concat_tables,
    first_rows,
    reduce_segments,
)
from analysis.corpus.prepare import PartitionedCorpus
from analysis.corpus.tokens import count_words
from analysis.scale.scheduler import reduce_in_order

__all__ = [
    "CONCORDANCE_COLUMNS",
    "CONCORDANCE_LINES_PER_GROUP",
    "concordance",
    "concordance_counts",
    "corpus_concordance",
    "side_by_side",
]

CONCORDANCE_COLUMNS = KWIC_COLUMNS
# Lines kept per term and group in the corpus concordance table (the first in corpus
# order); the counts (`sources-concordance-counts`) cover every hit.
CONCORDANCE_LINES_PER_GROUP = 200

CONCORDANCE_COUNT_COLUMNS = {
    "query": "the term searched for, as written",
    "group": "group (source)",
    "hits": "number of matches in the group's units",
    "per_10k_words": "matches per 10,000 running words of the group",
}


def concordance_counts(table: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Hits per query and group, and per 10,000 running words of that group's units."""
    hits = Counter(zip(table["query"], table["group"], strict=True))
    return counts_table(hits, group_words(units))


def group_words(units: pd.DataFrame) -> Counter:
    """Running words per group of a units table (its `text` column)."""
    words: Counter = Counter()
    for group, text in zip(units["group"], units["text"], strict=True):
        words[group] += count_words(text)
    return words


def counts_table(hits: Counter, words: Counter) -> pd.DataFrame:
    """CONCORDANCE_COUNT_COLUMNS from hits per (query, group) and running words per group:
    every query with a hit, against every group, in sorted order."""
    queries = sorted({query for (query, _), n in hits.items() if n})
    groups = sorted(words)
    rows = [(q, g, hits.get((q, g), 0)) for q in queries for g in groups]
    frame = pd.DataFrame(rows, columns=["query", "group", "hits"]).astype({"hits": np.int64})
    totals = pd.Series({g: words[g] for g in groups}, dtype=np.int64)
    frame["per_10k_words"] = 1e4 * frame["hits"] / frame["group"].map(totals).to_numpy()
    return frame


@dataclass(frozen=True)
class ConcordanceContext:
    """What each partition's concordance task needs."""

    queries: tuple[str, ...]
    window: int
    per_group: int
    id_column: str = "segment_id"
    group: str | None = None  # only this group's units (None: all)


@dataclass
class ConcordancePart:
    """Lines (per query, at most `per_group` per group), hits per (query, group), words per
    group."""

    lines: list[pd.DataFrame]
    per_group: int
    hits: Counter = field(default_factory=Counter)
    words: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class CorpusConcordance:
    """The capped lines (CONCORDANCE_COLUMNS) and the counts of every hit."""

    lines: pd.DataFrame
    counts: pd.DataFrame


def partition_concordance(units: pd.DataFrame, context: ConcordanceContext) -> ConcordancePart:
    """Concordance lines and counts of one partition's units."""
    if context.group is not None:
        units = units[units["group"].astype(str) == context.group]
    part = ConcordancePart(lines=[], per_group=context.per_group, words=group_words(units))
    found = concordance_by_query(units, context.queries, context.window, context.id_column)
    for lines in found:
        part.hits.update(zip(lines["query"], lines["group"], strict=True))
        part.lines.append(first_rows(lines, ["group"], context.per_group).rows)
    return part


def document_concordance(path: Path, context: ConcordanceContext) -> ConcordancePart:
    """`partition_concordance` of one partition's documents (a Parquet part of the store)."""
    units = pq.read_table(path, columns=["doc_id", "group", "text"]).to_pandas()
    return partition_concordance(units, context)


def added_concordance(first: ConcordancePart, second: ConcordancePart) -> ConcordancePart:
    """`combine`: counts added, lines joined in corpus order and capped again."""
    first.lines = [
        first_rows(concat_tables(a, b), ["group"], first.per_group).rows
        for a, b in zip(first.lines, second.lines, strict=True)
    ]
    first.hits.update(second.hits)
    first.words.update(second.words)
    return first


def corpus_concordance(
    corpus: PartitionedCorpus,
    params: Params,
    queries: Sequence[str],
    window: int,
    per_group: int = CONCORDANCE_LINES_PER_GROUP,
    unit: str = "segment",
    group: str | None = None,
) -> CorpusConcordance:
    """Concordance of `queries` over the corpus's segments (or documents), per partition on
    the scheduler: at most `per_group` lines per query and group, counts of every hit."""
    id_column = "segment_id" if unit == "segment" else "doc_id"
    context = ConcordanceContext(tuple(queries), window, per_group, id_column, group)
    if unit == "segment":
        total = reduce_segments(
            corpus, partition_concordance, added_concordance, context, params,
            [id_column, "doc_id", "group", "text"], "concordance",
        )  # fmt: skip
    else:
        paths = [corpus.root / "documents" / part for part in corpus.parts]
        total = reduce_in_order(
            document_concordance, added_concordance, paths, context, params,
            description="concordance",
        )  # fmt: skip
    lines = concat_in_order(total.lines, list(KWIC_COLUMNS))
    return CorpusConcordance(lines=lines, counts=counts_table(total.hits, total.words))


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
        "One row per occurrence of a context term (the first "
        f"{CONCORDANCE_LINES_PER_GROUP} per term and group in corpus order; the counts table "
        "counts them all): group, segment, exact position, left context, match and right "
        "context."
    ),
    "columns": CONCORDANCE_COLUMNS,
}

CONCORDANCE_COUNT_SCHEMA = {
    "description": (
        "One row per context term and group: matches and matches per 10,000 running words."
    ),
    "columns": CONCORDANCE_COUNT_COLUMNS,
}
