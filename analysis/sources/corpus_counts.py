"""Corpus-wide counts per group, partition by partition on the scheduler: term counts (for
`analysis.sources.keyness.keyness_table`, sparse as the notebooks' keyness counts),
frame hits (the matcher of `analysis.framing.frames`) and actor mentions (the gazetteer of
`analysis.framing.actors`). Every reduction adds integer counts and sorts its output, so the
result is identical on every scheduler and for any partitioning.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import pyarrow.parquet as pq

from analysis.core.params import Params
from analysis.corpus.counts import TermCounts, added_term_counts, count_terms
from analysis.corpus.patterns import MultiTermMatcher
from analysis.corpus.tokens import count_words
from analysis.framing.actors import ActorGazetteer, load_actor_gazetteer
from analysis.framing.frames import FrameDictionary, frame_matcher, load_frame_dictionary
from analysis.scale.scheduler import reduce_in_order

FRAME_COUNT_COLUMNS = {
    "group": "comparison group (source)",
    "frame": "frame id from the frame dictionary",
    "hits": "matches of the frame's terms in the group's units",
    "units": "units of the group with at least one hit",
    "n_units": "units in the group",
    "n_words": "running words in the group (denominator of per_1000)",
    "per_1000": "hits per 1,000 running words",
    "share_units": "share of the group's units with at least one hit",
}
ACTOR_COUNT_COLUMNS = {
    "group": "comparison group (source)",
    "actor": "actor id from the gazetteer",
    "mentions": "mentions of the actor in the group",
    "units": "units of the group mentioning the actor",
    "n_units": "units in the group",
    "n_words": "running words in the group",
    "per_1000": "mentions per 1,000 running words",
    "share_units": "share of the group's units mentioning the actor",
}


@dataclass(frozen=True)
class CountContext:
    """What each counting task needs: the vocabulary and the compiled dictionaries."""

    vocabulary: frozenset[str] | None
    frames: FrameDictionary | None
    actors: ActorGazetteer | None


@dataclass
class PartitionCounts:
    """Counts of one partition, keyed by group. The term counts are a sparse groups x terms
    matrix, so a partial sum near the reduce's root holds a few MB, not a dict per group."""

    terms: TermCounts = field(default_factory=lambda: count_terms(()))
    units: Counter = field(default_factory=Counter)
    words: Counter = field(default_factory=Counter)
    frames: Counter = field(default_factory=Counter)
    frame_units: Counter = field(default_factory=Counter)
    actors: Counter = field(default_factory=Counter)
    actor_units: Counter = field(default_factory=Counter)

    def add(self, other: PartitionCounts) -> None:
        self.terms = added_term_counts(self.terms, other.terms)
        for name in ("units", "words", "frames", "frame_units", "actors", "actor_units"):
            getattr(self, name).update(getattr(other, name))


@dataclass(frozen=True)
class CorpusCounts:
    """Corpus-wide counts: term counts for keyness, frame and actor counts per group."""

    terms: TermCounts
    frames: pd.DataFrame
    actors: pd.DataFrame
    groups: pd.DataFrame


def count_partition(path: str, context: CountContext) -> PartitionCounts:
    """Terms, frame hits and actor mentions per group in one segment part (Parquet file)."""
    frame = pq.read_table(path, columns=["group", "text", "tokens"]).to_pandas()
    counts = PartitionCounts()
    frames = context.frames.frames if context.frames is not None else ()
    excluded = [set(f.exclude) - set(f.terms) for f in frames]
    index = _dictionary_matcher(context)
    matchers = index.matchers
    pairs = zip(frame["group"], frame["tokens"], strict=True)
    counts.terms = count_terms(pairs, context.vocabulary)
    for group, text in zip(frame["group"], frame["text"], strict=True):
        counts.units[group] += 1
        counts.words[group] += count_words(text)
        if not matchers:
            continue
        found = index.find_terms(text)
        for f, matched, skip in zip(frames, found, excluded, strict=False):
            hits = sum(1 for term in matched if term not in skip) if skip else len(matched)
            if hits:
                counts.frames[(group, f.frame_id)] += hits
                counts.frame_units[(group, f.frame_id)] += 1
        if context.actors is not None and found[-1]:
            mentioned = Counter(context.actors.alias_actor[t] for t in found[-1])
            for actor, n in mentioned.items():
                counts.actors[(group, actor)] += n
                counts.actor_units[(group, actor)] += 1
    return counts


def _added(total: PartitionCounts, other: PartitionCounts) -> PartitionCounts:
    total.add(other)
    return total


def _dictionary_matcher(context: CountContext) -> MultiTermMatcher:
    """One matcher for every frame plus the gazetteer, kept for the worker's next partition
    with the same terms (its per-word memo then carries over)."""
    frames = context.frames.frames if context.frames is not None else ()
    key = (
        tuple((f.frame_id, tuple(f.terms), tuple(f.exclude)) for f in frames),
        context.actors.matcher.terms if context.actors is not None else None,
    )
    matcher = _MATCHERS.get(key)
    if matcher is None:
        matchers = [frame_matcher(f) for f in frames]
        if context.actors is not None:
            matchers.append(context.actors.matcher)
        _MATCHERS.clear()
        matcher = _MATCHERS[key] = MultiTermMatcher(matchers)
    return matcher


_MATCHERS: dict[tuple, MultiTermMatcher] = {}


def corpus_counts(
    segment_paths: Sequence,
    params: Params,
    vocabulary: frozenset[str] | None = None,
    peaks: list[int] | None = None,
) -> CorpusCounts:
    """Count terms, frames and actors over all segment parts on the run's Dask scheduler
    (`peaks`: see `compute_in_order`)."""
    framing = params.framing
    context = CountContext(
        vocabulary=vocabulary,
        frames=load_frame_dictionary(framing.frames_file) if framing.frames_file else None,
        actors=load_actor_gazetteer(framing.actors_file) if framing.actors_file else None,
    )
    paths = [str(p) for p in segment_paths]
    total = PartitionCounts()
    if paths:
        total = reduce_in_order(count_partition, _added, paths, context, params, peaks)
    frame_ids = context.frames.frame_ids if context.frames else []
    actor_ids = [a.actor_id for a in context.actors.actors] if context.actors else []
    return CorpusCounts(
        terms=total.terms,
        frames=_per_group(total, total.frames, total.frame_units, frame_ids, "frame", "hits"),
        actors=_per_group(total, total.actors, total.actor_units, actor_ids, "actor", "mentions"),
        groups=pd.DataFrame(
            {
                "group": sorted(total.units),
                "n_units": [total.units[g] for g in sorted(total.units)],
                "n_words": [total.words[g] for g in sorted(total.units)],
            }
        ),
    )


def _per_group(
    total: PartitionCounts, hits: Counter, units: Counter, ids: list[str], key: str, name: str
) -> pd.DataFrame:
    """One row per group x id (zeros included), in group order then dictionary order."""
    rows = []
    for group in sorted(total.units):
        for item in ids:
            n_units, n_words = total.units[group], total.words[group]
            count, with_hit = hits[(group, item)], units[(group, item)]
            rows.append(
                {
                    "group": group,
                    key: item,
                    name: count,
                    "units": with_hit,
                    "n_units": n_units,
                    "n_words": n_words,
                    "per_1000": 1000.0 * count / n_words if n_words else 0.0,
                    "share_units": with_hit / n_units if n_units else 0.0,
                }
            )
    columns = FRAME_COUNT_COLUMNS if key == "frame" else ACTOR_COUNT_COLUMNS
    return pd.DataFrame(rows, columns=list(columns))
