"""The style profile of the partitioned corpus (`analysis.sources.style_profile`).

Every partition measures its own units (`style_units`: ids, group and counts, no text) and
its own documents' lengths (`document_words`) on the scheduler; the small per-unit tables
are joined in corpus order and the existing bootstrap runs on them, so the profile is the
one `style_profile` gives on the whole corpus in memory, for any partitioning.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from analysis.core.params import Params
from analysis.corpus.partition_map import concat_in_order, map_segments
from analysis.corpus.prepare import PartitionedCorpus
from analysis.scale.scheduler import compute_in_order
from analysis.sources.style_profile import (
    STYLE_UNIT_COLUMNS,
    StanceMarkers,
    StyleProfile,
    document_words,
    load_stance_markers,
    style_groups,
    style_units,
)


@dataclass(frozen=True)
class StyleContext:
    """What each partition's task needs: the stance marker lists."""

    markers: StanceMarkers


def corpus_style_profile(
    corpus: PartitionedCorpus, params: Params, markers: StanceMarkers | None = None
) -> StyleProfile:
    """Style profile of each group: per-unit counts and document lengths per partition on
    the scheduler, then the group bootstrap (`style_groups`) on the per-unit table."""
    markers = markers or load_stance_markers()
    parts = map_segments(
        corpus, partition_style_units, StyleContext(markers), params,
        ["segment_id", "group", "text"], "style measures",
    )  # fmt: skip
    units = concat_in_order(parts, STYLE_UNIT_COLUMNS)
    paths = [corpus.root / "documents" / part for part in corpus.parts]
    lengths = compute_in_order(
        partition_document_words, paths, None, params, description="document lengths"
    )
    doc_words = concat_in_order(lengths, ["group", "words"])
    return StyleProfile(units, style_groups(units, doc_words, params, markers))


def partition_style_units(segments: pd.DataFrame, context: StyleContext) -> pd.DataFrame:
    """`style_units` of one partition's segments (columns STYLE_UNIT_COLUMNS)."""
    return style_units(segments, context.markers, "segment_id")


def partition_document_words(path: Path, context: object = None) -> pd.DataFrame:
    """`document_words` of one partition's documents (a Parquet part of the store)."""
    return document_words(pq.read_table(path, columns=["group", "text"]).to_pandas())
