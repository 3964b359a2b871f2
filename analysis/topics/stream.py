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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary, MmCorpus
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
from analysis.topics.model import document_topic_gamma
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
    """One partition's modelled units (no text), their bags of words and their rows among
    the partition's segments."""

    units: pd.DataFrame
    bow: BagOfWords
    n_empty: int
    rows: np.ndarray
    n_segments: int


@dataclass(frozen=True)
class CorpusSource:
    """Fetches units' tokens and texts from the partitioned corpus by segment id."""

    corpus: PartitionedCorpus
    params: Params
    part_sizes: tuple[int, ...]  # modelled units per partition, in corpus order
    rows: np.ndarray  # each unit's segment row in the corpus (its Matrix Market row)

    def tokens(self, segment_ids: Sequence[str]) -> list[list[str]]:
        return segment_values(self.corpus, segment_ids, "tokens", self.params)

    def texts(self, segment_ids: Sequence[str]) -> list[str]:
        return segment_values(self.corpus, segment_ids, "text", self.params)


def partition_units(segments: pd.DataFrame, dictionary: Dictionary) -> PartitionUnits:
    """The modelled units of one partition (`segment_topic_data` without token lists)."""
    data = segment_topic_data(segments, dictionary, keep_texts=False)
    rows = pd.Index(segments["segment_id"]).get_indexer(data.units["segment_id"])
    return PartitionUnits(data.units, data.bow, data.n_empty, rows, len(segments))


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
    offsets = np.cumsum([0] + [p.n_segments for p in parts])
    rows = np.concatenate([p.rows + offset for p, offset in zip(parts, offsets, strict=False)])
    source = CorpusSource(corpus, params, tuple(len(p.units) for p in parts), rows)
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
        corpus, rows_with_ids, (wanted, column), params, ("segment_id", column), f"unit {column}"
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
    """The models and the vocabulary every partition's inference shares."""

    models: tuple[LdaModel, ...]
    dictionary: Dictionary


class _FixedDraws:
    """Stands in for a model's random state: returns (a copy of) the given starting draws.

    A copy, because gensim's inference updates the array it drew in place: handing out the
    array itself would start the next model of the same partition from the previous
    model's result instead of from the seeded draws."""

    def __init__(self, start: np.ndarray) -> None:
        self.start = start

    def gamma(self, shape: float, scale: float, size: tuple[int, int]) -> np.ndarray:
        assert tuple(size) == self.start.shape and shape == GAMMA_SHAPE
        return self.start.copy()


def partition_gammas(item: InferencePart, context: InferenceContext) -> list[np.ndarray]:
    """The units' variational parameters (n x K) of one partition under every model."""
    data = segment_topic_data(read_part(item.part), context.dictionary, keep_texts=False)
    return [_inferred(model, data.bow, item.start) for model in context.models]


def _inferred(model: LdaModel, bow: BagOfWords, start: np.ndarray) -> np.ndarray:
    if not bow:
        return np.empty((0, model.num_topics))
    state = model.random_state
    model.random_state = _FixedDraws(start)
    try:
        gamma, _ = model.inference(bow)
    finally:
        model.random_state = state
    return np.asarray(gamma, dtype=np.float64)


def corpus_document_gammas(
    models: Sequence[LdaModel], data: TopicData, seed: int
) -> list[np.ndarray]:
    """N x K variational parameters of every unit of `data` under each of `models` (same K),
    inferred per partition on the scheduler; each equal to
    `document_topic_gamma(model, data.bow, seed)`."""
    source = data.source
    assert isinstance(source, CorpusSource)
    draws = np.random.RandomState(seed)
    k = models[0].num_topics
    items = [
        InferencePart(part, draws.gamma(GAMMA_SHAPE, 1.0 / GAMMA_SHAPE, (n, k)))
        for part, n in zip(segment_parts(source.corpus, UNIT_READ), source.part_sizes, strict=True)
    ]
    context = InferenceContext(tuple(models), data.dictionary)
    parts = compute_in_order(
        partition_gammas, items, context, source.params, description="topic proportions"
    )
    return [np.vstack([p[m] for p in parts]) for m in range(len(models))]


def document_gammas(models: Sequence[LdaModel], data: TopicData, seed: int) -> list[np.ndarray]:
    """N x K variational parameters of the units of `data` under each model: per partition
    for the partitioned corpus, else `document_topic_gamma`; the same numbers."""
    if isinstance(data.source, CorpusSource):
        return corpus_document_gammas(models, data, seed)
    return [document_topic_gamma(model, data.bow, seed) for model in models]


def document_topics(model: LdaModel, data: TopicData, seed: int) -> np.ndarray:
    """N x K topic proportions of the units of `data` (rows sum to 1): per partition on the
    scheduler for the partitioned corpus, else `document_topic_matrix`; the same numbers."""
    (gamma,) = document_gammas([model], data, seed)
    return gamma / gamma.sum(axis=1, keepdims=True)


class UnitStream:
    """The modelled units' bags of words read from the corpus's Matrix Market file
    (`corpus.bow()`, random access by row), in a given order, again on every pass: what
    the final fit trains on without the corpus in memory."""

    def __init__(self, corpus: PartitionedCorpus, rows: np.ndarray) -> None:
        self.corpus, self.rows = corpus, np.asarray(rows, dtype=np.int64)
        self._matrix: MmCorpus | None = None

    def _read(self, row: int) -> list[tuple[int, int]]:
        if self._matrix is None:
            self._matrix = self.corpus.bow()
        return [(int(term), int(count)) for term, count in self._matrix[row]]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> list[tuple[int, int]]:
        return self._read(int(self.rows[i]))

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        for row in self.rows:
            yield self._read(int(row))

    def reordered(self, order: Sequence[int]) -> UnitStream:
        return UnitStream(self.corpus, self.rows[np.asarray(order, dtype=np.int64)])


def training_units(data: TopicData) -> Sequence:
    """The bags of words a fit of all units trains on: streamed from disk for the
    partitioned corpus (`UnitStream`), else `data.bow`."""
    if isinstance(data.source, CorpusSource):
        return UnitStream(data.source.corpus, data.source.rows)
    return data.bow
