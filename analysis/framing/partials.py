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

from analysis.corpus.partition_map import CappedTable, concat_tables, first_rows, join_capped

__all__ = ["CAPPED_NOTE", "CappedTable", "first_rows", "join_capped", "join_partials"]


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
