"""The topic model on the partitioned corpus: units and bags of words built per partition,
tokens and texts fetched by segment id, topic proportions inferred per partition.

Every step is a function of one partition's segments on the scheduler of `run`
(`analysis.corpus.partition_map`), joined in corpus order, so the results are the same for
any partitioning and scheduler. The kernel holds the light per-unit table (ids, group,
position, date, token count) and each term's count, never the texts or token lists; the
bags of words only up to `topics.sweep_max_units` segments (above, they are read from the
corpus's packed bag of words by row: the sweep's sample, the final fit's passes; the units
and the proportions per partition read their rows from it too).

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
import pyarrow.parquet as pq
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
from analysis.corpus.vocabulary import PackedBow, PackedUnit
from analysis.scale.scheduler import compute_in_order
from analysis.topics.model import document_topic_gamma
from analysis.topics.units import (
    UNIT_COLUMNS,
    BagOfWords,
    TopicData,
    require_units,
    topic_data,
    with_dates,
)

UNIT_READ = ("segment_id", "doc_id", "group", "position")  # a unit's row, no tokens
GAMMA_SHAPE = 100.0  # gensim's initial draw of a unit's gamma: Gamma(100, 1/100)


@dataclass(frozen=True)
class PartitionUnits:
    """One partition's modelled units (no text), their bags of words (None when the corpus
    is too large to hold them: they are read from disk), how often each term occurs in
    them, and their rows among the partition's segments."""

    units: pd.DataFrame
    bow: BagOfWords | None
    term_totals: np.ndarray
    n_empty: int
    rows: np.ndarray
    n_segments: int


@dataclass(frozen=True)
class UnitsPart:
    """One partition's segments and the row of its first segment in the corpus (the row
    of the packed bag of words)."""

    part: SegmentPart
    first_row: int


@dataclass(frozen=True)
class UnitsContext:
    """What a partition's `partition_units` task needs."""

    bow: PackedBow
    n_terms: int
    keep_bow: bool  # send the bags of words back (a corpus small enough to hold them)


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


def partition_units(item: UnitsPart, context: UnitsContext) -> PartitionUnits:
    """The modelled units of one partition: its segments with at least one in-vocabulary
    token (their bags of words read from the packed bag of words, no token lists)."""
    segments = read_part(item.part)
    bags = [context.bow[item.first_row + i] for i in range(len(segments))]
    keep = np.array([len(bag) > 0 for bag in bags], dtype=bool)
    kept = [bag for bag, k in zip(bags, keep, strict=True) if k]
    units = segments.loc[keep, list(UNIT_READ)].reset_index(drop=True)
    units["n_tokens"] = [int(bag.counts.sum()) for bag in kept]
    terms = np.concatenate([bag.terms for bag in kept]) if kept else np.zeros(0, np.int64)
    counts = np.concatenate([bag.counts for bag in kept]) if kept else np.zeros(0, np.int64)
    totals = np.bincount(terms, weights=counts, minlength=context.n_terms)
    bow = kept if context.keep_bow else None
    return PartitionUnits(
        units, bow, totals, int((~keep).sum()), np.flatnonzero(keep), len(segments)
    )


def units_parts(corpus: PartitionedCorpus) -> list[UnitsPart]:
    """The corpus's segment partitions (read without tokens) with their first rows."""
    parts = segment_parts(corpus, UNIT_READ)
    sizes = [pq.read_metadata(part.path).num_rows for part in parts]
    firsts = np.cumsum([0, *sizes[:-1]]).tolist()
    return [UnitsPart(part, first) for part, first in zip(parts, firsts, strict=True)]


def corpus_topic_data(corpus: PartitionedCorpus, params: Params) -> TopicData:
    """The units of the partitioned corpus with at least one in-vocabulary token, in corpus
    order: the light per-unit table, built per partition, and the bags of words: held in
    memory up to `topics.sweep_max_units` segments (every fit trains on all of them), else
    read from the corpus's packed bag of words by row (`UnitStream`: the fits then train on
    a sample, and the final fit streams)."""
    keep_bow = corpus.n_segments <= params.topics.sweep_max_units
    context = UnitsContext(corpus.packed_bow(), len(corpus.dictionary), keep_bow)
    parts = compute_in_order(
        partition_units, units_parts(corpus), context, params, description="topic units"
    )
    units = concat_in_order([p.units for p in parts], [c for c in UNIT_COLUMNS if c != "date"])
    offsets = np.cumsum([0] + [p.n_segments for p in parts])
    rows = np.concatenate([p.rows + offset for p, offset in zip(parts, offsets, strict=False)])
    source = CorpusSource(corpus, params, tuple(len(p.units) for p in parts), rows)
    bow = _shared_pairs(p.bow for p in parts) if keep_bow else UnitStream(corpus, rows)
    if len(rows) <= params.topics.sweep_max_units and not keep_bow:  # many empty segments
        bow = list(bow)
    totals = np.sum([p.term_totals for p in parts], axis=0)
    n_empty = sum(p.n_empty for p in parts)
    data = TopicData(units, bow, None, corpus.dictionary, n_empty, source, totals)
    require_units(data)
    documents = corpus.documents()
    dates = documents.set_index("doc_id")["date"] if "date" in documents else None
    return with_dates(data, dates)


def _shared_pairs(parts: Iterator[BagOfWords]) -> BagOfWords:
    """The partitions' bags of words in one list, equal (id, count) pairs one tuple."""
    pairs: dict[tuple[int, int], tuple[int, int]] = {}
    return [[pairs.setdefault(pair, pair) for pair in bag] for part in parts for bag in part]


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
    """One partition's units to infer: their rows of the packed bag of words and their
    starting draws (rows of the corpus's block)."""

    rows: np.ndarray
    start: np.ndarray


@dataclass(frozen=True)
class InferenceContext:
    """The models and the bag of words every partition's inference shares."""

    models: tuple[LdaModel, ...]
    bow: PackedBow


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
    bow = [context.bow[int(row)] for row in item.rows]
    return [_inferred(model, bow, item.start) for model in context.models]


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
    ends = np.cumsum(source.part_sizes)
    items = [
        InferencePart(
            source.rows[end - n : end], draws.gamma(GAMMA_SHAPE, 1.0 / GAMMA_SHAPE, (n, k))
        )
        for end, n in zip(ends, source.part_sizes, strict=True)
    ]
    context = InferenceContext(tuple(models), source.corpus.packed_bow())
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
    """The modelled units' bags of words read from the corpus's packed bag of words
    (`corpus.packed_bow()`, the Matrix Market rows by position), in a given order, again on
    every pass: what the final fit trains on without the corpus in memory."""

    def __init__(self, corpus: PartitionedCorpus, rows: np.ndarray) -> None:
        self.corpus, self.rows = corpus, np.asarray(rows, dtype=np.int64)
        self._matrix: PackedBow | None = None

    def _read(self, row: int) -> PackedUnit:
        if self._matrix is None:
            self._matrix = self.corpus.packed_bow()
        return self._matrix[row]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> PackedUnit:
        return self._read(int(self.rows[i]))

    def __iter__(self) -> Iterator[PackedUnit]:
        for row in self.rows:
            yield self._read(int(row))

    def reordered(self, order: Sequence[int]) -> UnitStream:
        return UnitStream(self.corpus, self.rows[np.asarray(order, dtype=np.int64)])

    def __getstate__(self) -> dict:  # the open Matrix Market file is not sent along
        return {"corpus": self.corpus, "rows": self.rows, "_matrix": None}


def training_units(data: TopicData) -> Sequence:
    """The bags of words a fit of all units trains on: streamed from disk for the
    partitioned corpus (`UnitStream`), else `data.bow`."""
    if isinstance(data.bow, UnitStream):
        return data.bow
    if isinstance(data.source, CorpusSource):
        return UnitStream(data.source.corpus, data.source.rows)
    return data.bow
