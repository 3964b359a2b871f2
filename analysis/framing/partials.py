"""Per-partition results of the framing analyses and their ordered, bounded combination.

A framing analysis of one partition returns a dict of tables: light per-unit tables (ids,
group, numbers; kept whole) and `CappedTable`s of rows with text (evidence, sentences,
quotations, concordance lines), of which only the first `cap` rows per key (group, frame,
actor, term) are kept. `join_partials` is the `combine` of
`analysis.corpus.partition_map.reduce_segments`: both kinds are joined in corpus order,
and "first `cap` in corpus order" of two neighbours is the first `cap` of the whole, so the
result is the same for any partitioning and never grows past `cap` rows per key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.corpus.partition_map import concat_tables


@dataclass(frozen=True)
class CappedTable:
    """The first `cap` rows per value of `keys`, in corpus order."""

    rows: pd.DataFrame
    keys: tuple[str, ...]
    cap: int


def first_rows(rows: pd.DataFrame, keys: Sequence[str], cap: int) -> CappedTable:
    """The first `cap` rows of `rows` for every combination of `keys`, order kept."""
    keys = tuple(keys)
    if len(rows):
        rows = rows[rows.groupby(list(keys), sort=False).cumcount() < cap]
    return CappedTable(rows.reset_index(drop=True), keys, cap)


def join_capped(first: CappedTable, second: CappedTable) -> CappedTable:
    """Two neighbouring capped tables as one, capped again."""
    return first_rows(concat_tables(first.rows, second.rows), first.keys, first.cap)


def join_partials(first: dict, second: dict) -> dict:
    """`combine` of two neighbouring partial results (dicts of tables with the same keys)."""
    return {
        name: join_capped(table, second[name])
        if isinstance(table, CappedTable)
        else concat_tables(table, second[name])
        for name, table in first.items()
    }


# The sentence every capped table's description ends with.
CAPPED_NOTE = (
    " Capped: the first framing.evidence_rows rows per {per}, in corpus order; raise "
    "framing.evidence_rows to export more."
)
