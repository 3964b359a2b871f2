"""The coding sheet of the partitioned corpus: the stratified sample of
`analysis.framing.validation.coding_sample` is drawn from the light unit × frame table
(ids, group, presence), and only the sampled units' texts are then read, partition by
partition on the scheduler. The sheet is the one `coding_sheet` gives on the segments."""

from __future__ import annotations

import pandas as pd

from analysis.core.params import Params
from analysis.corpus.partition_map import concat_tables, reduce_segments
from analysis.corpus.prepare import PartitionedCorpus
from analysis.framing.validation import SAMPLE_COLUMNS, coding_sample, coding_template


def corpus_coding_sheet(
    corpus: PartitionedCorpus, unit_frames: pd.DataFrame, frame_ids: list[str], params: Params
) -> pd.DataFrame:
    """The sheet for coders (validation.TEMPLATE_COLUMNS) of `framing.sample_size` units."""
    units = unit_frames[["segment_id", "doc_id", "group"]].drop_duplicates("segment_id")
    sample = coding_sample(units, unit_frames, params.framing.sample_size, params.run.seed)
    texts = reduce_segments(
        corpus, unit_texts, concat_tables, frozenset(sample["segment_id"]), params,
        ["segment_id", "text"], "coding sheet texts",
    )  # fmt: skip
    text = dict(zip(texts["segment_id"], texts["text"], strict=True))
    sample = sample.assign(text=sample["segment_id"].map(text))[list(SAMPLE_COLUMNS)]
    return coding_template(sample, frame_ids)


def unit_texts(segments: pd.DataFrame, wanted: frozenset[str]) -> pd.DataFrame:
    """segment_id and text of the wanted units of one partition."""
    return segments[segments["segment_id"].isin(wanted)].reset_index(drop=True)
