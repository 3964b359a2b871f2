"""The topic model on the partitioned corpus: units and bags of words built per partition,
tokens and texts fetched by segment id, topic proportions inferred per partition.

Every step is a function of one partition's segments on the scheduler of `run`
(`analysis.corpus.partition_map`), joined in corpus order, so the results are the same for
any partitioning and scheduler. The kernel holds the light per-unit table (ids, group,
position, date, token count) and the bags of words, never the texts or token lists.

Inference draws each unit's starting point from the model's random state (gensim draws one
N x K block for the whole corpus). The block is drawn here, in corpus order, from the seed,
and each partition is handed its own rows: the proportions are exactly those of
`document_topic_matrix` on the whole corpus at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary
from gensim.models import LdaModel

from analysis.core.params import Params
from analysis.corpus.partition_map import (
    SegmentPart,
    concat_in_order,
    map_segments,
    read_part,
    segment_parts,
)
from analysis.corpus.prepare import PartitionedCorpus
from analysis.scale.scheduler import compute_in_order
from analysis.topics.model import document_topic_matrix
from analysis.topics.units import (
    UNIT_COLUMNS,
    BagOfWords,
    TopicData,
    require_units,
    segment_topic_data,
    topic_data,
    with_dates,
)

UNIT_READ = ("segment_id", "doc_id", "group", "position", "tokens")
GAMMA_SHAPE = 100.0  # gensim's initial draw of a unit's gamma: Gamma(100, 1/100)


@dataclass(frozen=True)
class PartitionUnits:
    """One partition's modelled units (no text) and their bags of words."""

    units: pd.DataFrame
    bow: BagOfWords
    n_empty: int


@dataclass(frozen=True)
class CorpusSource:
    """Fetches units' tokens and texts from the partitioned corpus by segment id."""

    corpus: PartitionedCorpus
    params: Params
    part_sizes: tuple[int, ...]  # modelled units per partition, in corpus order

    def tokens(self, segment_ids: Sequence[str]) -> list[list[str]]:
        return segment_values(self.corpus, segment_ids, "tokens", self.params)

    def texts(self, segment_ids: Sequence[str]) -> list[str]:
        return segment_values(self.corpus, segment_ids, "text", self.params)


def partition_units(segments: pd.DataFrame, dictionary: Dictionary) -> PartitionUnits:
    """The modelled units of one partition (`segment_topic_data` without token lists)."""
    data = segment_topic_data(segments, dictionary, keep_texts=False)
    return PartitionUnits(data.units, data.bow, data.n_empty)


def corpus_topic_data(corpus: PartitionedCorpus, params: Params) -> TopicData:
    """The units of the partitioned corpus with at least one in-vocabulary token, in corpus
    order: the light per-unit table and the bags of words, built per partition."""
    parts = map_segments(
        corpus, partition_units, corpus.dictionary, params, UNIT_READ, "topic units"
    )
    units = concat_in_order([p.units for p in parts], [c for c in UNIT_COLUMNS if c != "date"])
    pairs: dict[tuple[int, int], tuple[int, int]] = {}  # one tuple per distinct pair
    bow = [[pairs.setdefault(pair, pair) for pair in bag] for p in parts for bag in p.bow]
    del pairs
    source = CorpusSource(corpus, params, tuple(len(p.units) for p in parts))
    data = TopicData(units, bow, None, corpus.dictionary, sum(p.n_empty for p in parts), source)
    require_units(data)
    documents = corpus.documents()
    dates = documents.set_index("doc_id")["date"] if "date" in documents else None
    return with_dates(data, dates)


def topic_data_of(corpus: Any, params: Params) -> TopicData:
    """`corpus_topic_data` of a partitioned corpus, `topic_data` of one held in memory."""
    if isinstance(corpus, PartitionedCorpus):
        return corpus_topic_data(corpus, params)
    return topic_data(corpus)


def segment_values(
    corpus: PartitionedCorpus, segment_ids: Sequence[str], column: str, params: Params
) -> list:
    """`column` of the segments `segment_ids`, in the order asked, read per partition."""
    wanted = frozenset(segment_ids)
    if not wanted:
        return []
    found: dict[str, Any] = {}
    for part in map_segments(
        corpus, rows_with_ids, (wanted, column), params, ("segment_id", column), f"{column}s"
    ):
        found.update(part)
    return [found[segment_id] for segment_id in segment_ids]


def rows_with_ids(segments: pd.DataFrame, context: tuple[frozenset, str]) -> dict[str, Any]:
    """{segment_id: value of the column} of one partition's segments among the wanted ids."""
    wanted, column = context
    rows = segments[segments["segment_id"].isin(wanted)]
    return dict(zip(rows["segment_id"], rows[column], strict=True))


@dataclass(frozen=True)
class InferencePart:
    """One partition to infer and its units' starting draws (rows of the corpus's block)."""

    part: SegmentPart
    start: np.ndarray


@dataclass(frozen=True)
class InferenceContext:
    """The model and the vocabulary every partition's inference shares."""

    model: LdaModel
    dictionary: Dictionary


class _FixedDraws:
    """Stands in for the model's random state: returns the given starting draws."""

    def __init__(self, start: np.ndarray) -> None:
        self.start = start

    def gamma(self, shape: float, scale: float, size: tuple[int, int]) -> np.ndarray:
        assert tuple(size) == self.start.shape and shape == GAMMA_SHAPE
        return self.start


def partition_gamma(item: InferencePart, context: InferenceContext) -> np.ndarray:
    """The units' variational parameters (n x K) of one partition under the model."""
    data = segment_topic_data(read_part(item.part), context.dictionary, keep_texts=False)
    if not data.bow:
        return np.empty((0, context.model.num_topics))
    model, state = context.model, context.model.random_state
    model.random_state = _FixedDraws(item.start)
    try:
        gamma, _ = model.inference(data.bow)
    finally:
        model.random_state = state
    return np.asarray(gamma, dtype=np.float64)


def corpus_document_gamma(model: LdaModel, data: TopicData, seed: int) -> np.ndarray:
    """N x K variational parameters of every unit of `data`, inferred per partition on the
    scheduler; equal to `document_topic_gamma(model, data.bow, seed)`."""
    source = data.source
    assert isinstance(source, CorpusSource)
    draws = np.random.RandomState(seed)
    k = model.num_topics
    items = [
        InferencePart(part, draws.gamma(GAMMA_SHAPE, 1.0 / GAMMA_SHAPE, (n, k)))
        for part, n in zip(segment_parts(source.corpus, UNIT_READ), source.part_sizes, strict=True)
    ]
    context = InferenceContext(model, data.dictionary)
    gammas = compute_in_order(
        partition_gamma, items, context, source.params, description="topic proportions"
    )
    return np.vstack(gammas) if gammas else np.empty((0, k))


def document_topics(model: LdaModel, data: TopicData, seed: int) -> np.ndarray:
    """N x K topic proportions of the units of `data` (rows sum to 1): per partition on the
    scheduler for the partitioned corpus, else `document_topic_matrix`; the same numbers."""
    if not isinstance(data.source, CorpusSource):
        return document_topic_matrix(model, data.bow, seed)
    gamma = corpus_document_gamma(model, data, seed)
    return gamma / gamma.sum(axis=1, keepdims=True)
