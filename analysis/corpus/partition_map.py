"""Analyses over the partitioned corpus: one task per partition of segments, on the scheduler.

Every corpus-wide analysis is written as a function of one partition's segments (a
DataFrame with the columns it asks for) and, where it reduces, an associative `combine`
of two partial results. `map_segments` returns the partial results in partition order;
`reduce_segments` folds them in the scheduler's fixed tree (`analysis.scale.scheduler`),
so the result is the same on every scheduler and for every partitioning, as long as the
per-partition function only looks at its own rows and `combine` keeps corpus order.

A corpus of one partition (every small corpus) runs in this process; a large one on the
Dask scheduler of `run.scheduler`, with a progress bar (partitions done of total).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from analysis.core.params import Params
from analysis.corpus.prepare import PartitionedCorpus
from analysis.scale.scheduler import iter_in_order, reduce_in_order


@dataclass(frozen=True)
class SegmentPart:
    """One partition's segment file and the columns a task reads from it."""

    path: Path
    columns: tuple[str, ...] | None


@dataclass(frozen=True)
class PartitionTask:
    """What every partition's task shares: the function and its context."""

    func: Callable[[pd.DataFrame, object], object]
    context: object


def segment_parts(corpus: PartitionedCorpus, columns: Sequence[str] | None) -> list[SegmentPart]:
    """The corpus's segment partitions in order, each to be read with `columns` (None: all)."""
    names = tuple(columns) if columns is not None else None
    return [SegmentPart(path, names) for path in corpus.segment_paths()]


def read_part(part: SegmentPart) -> pd.DataFrame:
    """The segments of one partition (only the asked columns), in corpus order."""
    columns = list(part.columns) if part.columns is not None else None
    frame = pq.read_table(part.path, columns=columns).to_pandas()
    if "tokens" in frame.columns:  # Parquet lists come back as arrays
        frame["tokens"] = [list(tokens) for tokens in frame["tokens"]]
    return frame


def map_segments(
    corpus: PartitionedCorpus,
    func: Callable[[pd.DataFrame, object], object],
    context: object,
    params: Params,
    columns: Sequence[str] | None = None,
    description: str = "",
) -> list:
    """``[func(segments of partition i, context) for every partition i]`` in order, each
    on the scheduler of ``params.run``. `func` must be a module-level function."""
    return list(iter_segments_mapped(corpus, func, context, params, columns, description))


def iter_segments_mapped(
    corpus: PartitionedCorpus,
    func: Callable[[pd.DataFrame, object], object],
    context: object,
    params: Params,
    columns: Sequence[str] | None = None,
    description: str = "",
) -> Iterator[object]:
    """`map_segments`, its results one at a time in partition order (on the local
    schedulers as they arrive: each can be dropped before the next is read)."""
    parts = segment_parts(corpus, columns)
    task = PartitionTask(func, context)
    return iter_in_order(_apply, parts, task, params, description=description)


def reduce_segments(
    corpus: PartitionedCorpus,
    func: Callable[[pd.DataFrame, object], object],
    combine: Callable[[object, object], object],
    context: object,
    params: Params,
    columns: Sequence[str] | None = None,
    description: str = "",
) -> object:
    """`combine` folded over the per-partition results of `func`, in partition order, on
    the workers (`analysis.scale.scheduler.reduce_in_order`)."""
    parts = segment_parts(corpus, columns)
    task = PartitionTask(func, context)
    return reduce_in_order(_apply, combine, parts, task, params, description=description)


def concat_tables(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """`combine` for per-unit tables: the rows of both, in corpus order."""
    if first.empty:
        return second.reset_index(drop=True)
    if second.empty:
        return first.reset_index(drop=True)
    return pd.concat([first, second], ignore_index=True)


def concat_in_order(tables: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    """Per-partition tables joined in corpus order (an empty table with `columns` if none)."""
    kept = [table for table in tables if len(table)]
    if not kept:
        return pd.DataFrame(columns=list(columns))
    return pd.concat(kept, ignore_index=True)


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


def _apply(part: SegmentPart, task: PartitionTask) -> object:
    return task.func(read_part(part), task.context)
