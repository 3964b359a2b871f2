"""Corpus-wide steps on Dask: one task per store row group, reduced in a fixed order.

`compute_in_order` runs a function over partitions on the scheduler named by
``params.run.scheduler``:

- ``""`` or ``"processes"``: Dask's local process pool (``run.workers`` processes, default 2);
- ``"threads"``: Dask's local thread pool; ``"synchronous"``: in this process (a reference);
- an address such as ``"tcp://10.0.0.5:8786"``: a ``dask.distributed`` cluster. Workers
  must see the same paths as the client (shared storage for the store and cache folders).

Results come back in partition order whatever order the workers finish in, and every
reduction below adds integer counts in that order and sorts its output, so the results are
identical on every scheduler.

`corpus_counts` is the streaming replacement for the in-memory counting steps: term counts
per group (for `analysis.keyness.keyness_table`), frame counts per group (the matcher of
`analysis.frames`) and actor counts per group (the gazetteer of `analysis.actors`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import dask
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from scipy import sparse

from analysis.actors import ActorGazetteer, load_actor_gazetteer
from analysis.frames import FrameDictionary, frame_matcher, load_frame_dictionary
from analysis.params import Params
from analysis.term_counts import TermCounts
from analysis.term_patterns import TermMatcher, count_words, normalise_quotes

LOCAL_SCHEDULERS = ("processes", "threads", "synchronous")
DEFAULT_WORKERS = 2

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


def compute_in_order(func: Callable, partitions: Sequence, context: object, params: Params) -> list:
    """``[func(p, context) for p in partitions]`` on the scheduler of ``params.run``."""
    scheduler = getattr(params.run, "scheduler", "") or "processes"
    workers = int(getattr(params.run, "workers", DEFAULT_WORKERS))
    if workers < 1:
        raise ValueError(f"run.workers is {workers}; use at least 1 worker")
    shared = dask.delayed(context, name="partition-context", traverse=False)
    tasks = [dask.delayed(func, pure=True)(p, shared) for p in partitions]
    if not tasks:
        return []
    if scheduler in LOCAL_SCHEDULERS:
        if scheduler == "processes" and (workers == 1 or len(tasks) == 1):
            scheduler = "synchronous"
        return list(dask.compute(*tasks, scheduler=scheduler, num_workers=workers))
    if "://" not in scheduler and ":" not in scheduler:
        raise ValueError(
            f"run.scheduler is {scheduler!r}; give '' (local processes), 'threads', "
            "'synchronous', or a dask.distributed address such as 'tcp://host:8786'"
        )
    from distributed import Client

    with Client(scheduler, set_as_default=False) as client:
        return list(dask.compute(*tasks, scheduler=client))


_RUN = re.compile(r"\w+")
_TERM_WORDS = re.compile(r"[\s\-]+")
# Characters that re's IGNORECASE matches differently from str.lower() (sre's case
# equivalences, and letters whose lower case is longer): texts holding one are matched
# with the plain regular expression.
_CASE_SPECIAL = re.compile(
    "[\u0130\u0131\u017f\u00b5\u0345\u1fbe\u0390\u1fd3\u03b0\u1fe3\u03d0\u03f5"
    "\u03d1\u03f0\u03d6\u03f1\u03c2\u03d5\u1e9b\ufb05\ufb06\u212a\u212b]"
)


class IndexedMatchers:
    """Several `TermMatcher`s, run only where a term's first word occurs.

    `analysis.term_patterns` compiles a dictionary into one alternation of look-behind
    patterns, which Python's `re` tries at every character (under 1 MB/s per frame). A
    match can only start where a word starts whose lower-cased first word equals the
    first word of one of the terms (or starts with it, for a stem). The words of a text are
    looked up in an index of those first words, and each matcher's own pattern is tried
    with `match` at the candidate positions only, left to right and skipping positions
    inside the previous match: the same non-overlapping matches as `TermMatcher.find`.
    """

    def __init__(self, matchers: Sequence[TermMatcher]) -> None:
        self.matchers = list(matchers)
        # A TermMatcher that indexes its terms itself (no single `pattern`) is used as is.
        self.delegate = not all(hasattr(m, "pattern") for m in self.matchers)
        self.exact: dict[str, set[int]] = {}
        self.stems: dict[int, dict[str, set[int]]] = {}
        self.always: set[int] = set()
        for index, matcher in enumerate([] if self.delegate else self.matchers):
            for term in matcher.terms:
                first = _TERM_WORDS.split(" ".join(term.split()))[0]
                core = first.rstrip("*").lower()
                run = _RUN.match(core)
                if run is None:
                    self.always.add(index)
                elif first.endswith("*") and run.end() == len(core):
                    self.stems.setdefault(len(core), {}).setdefault(core, set()).add(index)
                else:
                    self.exact.setdefault(run.group(0), set()).add(index)

    def find_terms(self, text: str) -> list[list[str]]:
        """For each matcher, the terms it matches in `text`, in text order."""
        text = normalise_quotes(str(text))
        lower = text.lower()
        if self.delegate or len(lower) != len(text) or _CASE_SPECIAL.search(text):
            return [[m.term for m in matcher.find(text)] for matcher in self.matchers]
        hits = self._candidate_words(set(_RUN.findall(lower)))
        found: list[list[str]] = [[] for _ in self.matchers]
        for index in self.always:
            found[index] = [m.term for m in self.matchers[index].find(text)]
        if not hits:
            return found
        positions: dict[int, list[int]] = {}
        for run in _RUN.finditer(lower):
            for index in hits.get(run.group(0), ()):
                positions.setdefault(index, []).append(run.start())
        for index, starts in positions.items():
            matcher, end = self.matchers[index], -1
            for start in starts:
                if start < end:
                    continue
                match = matcher.pattern.match(text, start)
                if match:
                    found[index].append(matcher.terms[match.lastindex - 1])
                    end = match.end()
        return found

    def _candidate_words(self, words: set[str]) -> dict[str, set[int]]:
        hits: dict[str, set[int]] = {}
        for word in words:
            indices = self.exact.get(word)
            if indices:
                hits[word] = set(indices)
            for length, stems in self.stems.items():
                if len(word) >= length and word[:length] in stems:
                    hits.setdefault(word, set()).update(stems[word[:length]])
        return {w: i - self.always for w, i in hits.items() if i - self.always}


@dataclass(frozen=True)
class CountContext:
    """What each counting task needs: the vocabulary and the compiled dictionaries."""

    vocabulary: frozenset[str] | None
    frames: FrameDictionary | None
    actors: ActorGazetteer | None


@dataclass
class PartitionCounts:
    """Counts of one partition, keyed by group (small: vocabulary x groups at most)."""

    terms: dict[str, Counter] = field(default_factory=dict)
    units: Counter = field(default_factory=Counter)
    words: Counter = field(default_factory=Counter)
    frames: Counter = field(default_factory=Counter)
    frame_units: Counter = field(default_factory=Counter)
    actors: Counter = field(default_factory=Counter)
    actor_units: Counter = field(default_factory=Counter)

    def add(self, other: PartitionCounts) -> None:
        for group, counter in other.terms.items():
            self.terms.setdefault(group, Counter()).update(counter)
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
    vocabulary = context.vocabulary
    frames = context.frames.frames if context.frames is not None else ()
    matchers = [frame_matcher(f) for f in frames]
    excluded = [set(f.exclude) - set(f.terms) for f in frames]
    if context.actors is not None:
        matchers.append(context.actors.matcher)
    index = IndexedMatchers(matchers)
    for group, text, tokens in frame.itertuples(index=False):
        terms = counts.terms.setdefault(group, Counter())
        terms.update(t for t in tokens if vocabulary is None or t in vocabulary)
        counts.units[group] += 1
        counts.words[group] += count_words(text)
        found = index.find_terms(text) if matchers else []
        for f, matched, skip in zip(frames, found, excluded, strict=False):
            hits = sum(1 for term in matched if term not in skip)
            if hits:
                counts.frames[(group, f.frame_id)] += hits
                counts.frame_units[(group, f.frame_id)] += 1
        if context.actors is not None:
            mentioned = Counter(context.actors.alias_actor[t] for t in found[-1])
            for actor, n in mentioned.items():
                counts.actors[(group, actor)] += n
                counts.actor_units[(group, actor)] += 1
    return counts


def corpus_counts(
    segment_paths: Sequence, params: Params, vocabulary: frozenset[str] | None = None
) -> CorpusCounts:
    """Count terms, frames and actors over all segment parts on the run's Dask scheduler."""
    framing = params.framing
    context = CountContext(
        vocabulary=vocabulary,
        frames=load_frame_dictionary(framing.frames_file) if framing.frames_file else None,
        actors=load_actor_gazetteer(framing.actors_file) if framing.actors_file else None,
    )
    parts = compute_in_order(count_partition, [str(p) for p in segment_paths], context, params)
    total = PartitionCounts()
    for part in parts:
        total.add(part)
    frame_ids = context.frames.frame_ids if context.frames else []
    actor_ids = [a.actor_id for a in context.actors.actors] if context.actors else []
    return CorpusCounts(
        terms=term_counts_from(total.terms),
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


def term_counts_from(rows: dict[str, Counter]) -> TermCounts:
    """TermCounts (groups x terms, both sorted) from per-group Counters."""
    labels = sorted(rows)
    vocabulary = sorted({t for counter in rows.values() for t in counter})
    column = {t: i for i, t in enumerate(vocabulary)}
    r, c, v = [], [], []
    for i, label in enumerate(labels):
        for term, n in rows[label].items():
            r.append(i)
            c.append(column[term])
            v.append(n)
    matrix = sparse.csr_array(
        (np.asarray(v, np.int64), (np.asarray(r, np.int64), np.asarray(c, np.int64))),
        shape=(len(labels), len(vocabulary)),
        dtype=np.int64,
    )
    matrix.sort_indices()
    return TermCounts(matrix=matrix, labels=tuple(labels), vocabulary=tuple(vocabulary))


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
