"""The preparation stage: every corpus read, validated, cleaned, segmented and tokenised by
one implementation, partition by partition.

`partitioned_corpus(params)` imports the corpus into the store (`analysis.corpus.store`: one
partition per `run.batch_rows` documents), prepares each partition on the scheduler of
`run` (`analysis.corpus.partitions`; a single partition runs in this process), merges the
vocabulary and writes the bag of words (`analysis.corpus.vocabulary`). The result lives in
``<run.cache_dir>/prepared/<key>``, keyed by the store, every preparing setting and the
code of every stage that made it (`analysis.core.cache`), and is rebuilt when any of them
change or a file in it is damaged. The corpus fingerprint hashes the settings and every
prepared document in corpus order: the same however the corpus is partitioned, and
changing when the content or a setting changes, and only then.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow.parquet as pq

from analysis.core.atomic import atomic_directory
from analysis.core.cache import cache_key, entry_lock, seal, unseal
from analysis.core.params import Params
from analysis.core.paths import project_path
from analysis.corpus import cleaning, partitions, segments, sentences, vocabulary
from analysis.corpus import tokens as preprocess
from analysis.corpus.partitions import (
    DIGESTS_FOLDER,
    PART_FOLDERS,
    PHRASE_SAMPLE_CHARS,
    PartitionContext,
    PartitionResult,
    partition_context,
    prepare_partition,
)
from analysis.corpus.read import CorpusError, spec_from_params
from analysis.corpus.store import CorpusStore, import_corpus
from analysis.corpus.vocabulary import (
    BOW_FILE,
    TERM_IDS_FOLDER,
    VOCABULARY_FOLDER,
    PackedBow,
    merged_dictionary,
    write_matrix_market,
)
from analysis.scale.scheduler import compute_in_order, process_peak_kib

if TYPE_CHECKING:  # gensim is imported when a vocabulary or bag of words is first used:
    # a run with nothing changed then starts without it (about 1 s of import).
    from gensim.corpora import Dictionary, MmCorpus

PREPARED_FORMAT = 6  # 6: a light table of units; documents flagged by script
DICTIONARY_FILE = "dictionary.gensim"


@dataclass(frozen=True)
class PreparedCorpus:
    """Documents, segments and vocabulary held in memory (`PartitionedCorpus.in_memory`).

    `segments.tokens` holds every content token of a unit (stop words, numbers and short
    tokens removed, phrases joined): keyness and the other counts use them whole.
    `dictionary` is the topic model's vocabulary, pruned by document frequency
    (preprocess.min_df / max_df / keep_n); only `bow()` and the topic model apply it.
    """

    documents: pd.DataFrame
    rejected: pd.DataFrame
    cleaning_report: pd.DataFrame
    cleaning_steps: pd.DataFrame
    segments: pd.DataFrame
    dictionary: Dictionary
    fingerprint: str
    group_by: str

    def bow(self) -> list[list[tuple[int, int]]]:
        """Bag of words per segment, in segment order, over the topic model's vocabulary
        (`dictionary`: `segments.tokens` pruned by preprocess.min_df / max_df / keep_n)."""
        return [self.dictionary.doc2bow(tokens) for tokens in self.segments["tokens"]]

    @property
    def groups(self) -> list[str]:
        return sorted(self.documents["group"].unique())


@dataclass(frozen=True)
class PartitionedCorpus:
    """The prepared corpus on disk: segment and document parts, vocabulary, bag of words."""

    root: Path
    fingerprint: str
    group_by: str
    n_documents: int
    n_segments: int
    n_chars: int
    parts: tuple[str, ...]
    rejected: pd.DataFrame

    @cached_property
    def dictionary(self) -> Dictionary:
        """The topic model's vocabulary (gensim Dictionary), loaded when first used."""
        from gensim.corpora import Dictionary

        return Dictionary.load(str(self.root / DICTIONARY_FILE))

    def segment_paths(self) -> list[Path]:
        return [self.root / "segments" / p for p in self.parts]

    def iter_segments(self, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """Segment batches in corpus order; `tokens` whole (the vocabulary pruning is the
        topic model's, applied by `bow`)."""
        # One string object per distinct word, shared by every occurrence (the dictionary's
        # own for its words): about 1.4 GB less for 25 million tokens held in memory.
        canonical = {token: token for token in self.dictionary.token2id}
        for path in self.segment_paths():
            frame = pq.read_table(path, columns=columns).to_pandas()
            if "tokens" in frame.columns:
                frame["tokens"] = [
                    [canonical.setdefault(t, t) for t in ts] for ts in frame["tokens"]
                ]
            yield frame

    def token_lists(self) -> Iterator[list[str]]:
        """Content token lists, one per segment, in order (a gensim-style stream)."""
        for frame in self.iter_segments(columns=["tokens"]):
            yield from frame["tokens"]

    def bow(self) -> MmCorpus:
        """The bag-of-words corpus, streamed from Matrix Market (one row per segment)."""
        from gensim.corpora import MmCorpus

        return MmCorpus(str(self.root / BOW_FILE))

    def packed_bow(self) -> PackedBow:
        """The same rows as `bow`, read by row at machine speed (`PackedBow`)."""
        return PackedBow(self.root)

    def documents(self, with_text: bool = False) -> pd.DataFrame:
        """Document table (metadata, n_chars, n_words; cleaned text only if asked)."""
        columns = None if not with_text else [*self.table_columns("documents"), "text"]
        return self._concat("documents", columns)

    def units(self) -> pd.DataFrame:
        """One light row per unit in corpus order: segment_id, doc_id, group, n_words
        (whitespace-separated words), n_tokens (content tokens); no text is read."""
        return self._concat("units")

    def cleaning_report(self) -> pd.DataFrame:
        """Per document: characters before and after cleaning and what each rule removed
        (as `cleaning.clean_documents` reports it; documents emptied by cleaning included)."""
        return self._concat("cleaning")

    def cleaning_steps(self) -> pd.DataFrame:
        """One row per document and cleaning step that changed it (matches, chars removed)."""
        return self._concat("steps").astype({"matches": "int64", "chars_removed": "int64"})

    def table_columns(self, folder: str) -> list[str]:
        """The columns of a light table ("documents", "units", "cleaning", "steps"), the
        documents' texts left out."""
        if not self.parts:
            return []
        return [c for c in pq.read_schema(self.root / folder / self.parts[0]).names if c != "text"]

    def iter_table(
        self, folder: str, columns: Sequence[str] | None = None
    ) -> Iterator[pd.DataFrame]:
        """A light table part by part in corpus order: the `columns` it has (all but the
        documents' texts when None). What grows with the corpus is read this way."""
        for part in self.parts:
            yield self.part_table(folder, part, columns)

    def part_table(
        self, folder: str, part: str, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """One partition's share of a light table (`iter_table`)."""
        path = self.root / folder / part
        names = pq.read_schema(path).names
        if columns is None:
            wanted = [c for c in names if c != "text"]
        else:
            wanted = [c for c in columns if c in names]
        return pq.read_table(path, columns=wanted).to_pandas()

    def _concat(self, folder: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        return pd.concat(list(self.iter_table(folder, columns)), ignore_index=True)

    def load_segments(self) -> pd.DataFrame:
        """All segments in memory (only for corpora that fit; prefer `iter_segments`)."""
        return pd.concat(list(self.iter_segments()), ignore_index=True)

    def in_memory(self) -> PreparedCorpus:
        """The whole corpus loaded into memory: the reference the tests compare the
        partitioned analyses with, and a convenience for exploring a small corpus. No
        notebook or analysis uses it (tests/test_notebooks_clean.py checks the notebooks)."""
        documents = self.documents(with_text=True)
        return PreparedCorpus(
            documents=documents.drop(columns=["chars_raw", "chars_removed", "latin"]),
            rejected=self.rejected,
            cleaning_report=self.cleaning_report(),
            cleaning_steps=self.cleaning_steps(),
            segments=self.load_segments(),
            dictionary=self.dictionary,
            fingerprint=self.fingerprint,
            group_by=self.group_by,
        )

    @property
    def groups(self) -> list[str]:
        groups: set[str] = set()
        for frame in self.iter_segments(columns=["group"]):
            groups.update(frame["group"].unique())
        return sorted(groups)


def settings_record(params: Params) -> dict:
    """The settings that shape the prepared corpus, with the contents of their files."""
    return {
        "group_by": params.corpus.group_by,
        "date_column": params.corpus.date_column,
        "segments": params.section("segments"),
        "preprocess": params.section("preprocess"),
        "cleaning_rules": _file_text(params.cleaning.rules_file),
        "stopwords": _file_text(params.preprocess.stopwords_file),
    }


def _file_text(path: str) -> str:
    return project_path(path).read_text(encoding="utf-8") if path else ""


def corpus_fingerprint(params: Params) -> str:
    """The fingerprint of the corpus `params` describe (prepares it if not cached)."""
    return partitioned_corpus(params).fingerprint


def partitioned_corpus(
    params: Params,
    use_cache: bool = True,
    on_stage: Callable[[str, dict], None] | None = None,
    worker_peaks: list[int] | None = None,
    progress: bool = False,
) -> PartitionedCorpus:
    """Import, clean, segment and tokenise the corpus partition by partition (cached on disk).

    `on_stage`, if given, is called with the name of each finished stage ("sample",
    "tokenise", "dictionary", "bow") and a dict of measurements (for "tokenise": CPU
    seconds of cleaning, word tokenising and whole tasks summed over the partitions, and
    the characters they processed), e.g. to time them.
    """
    cache = project_path(params.run.cache_dir)
    spec = spec_from_params(params.corpus)
    store = import_corpus(spec, cache / "store", params.run.batch_rows, progress)
    root = cache / "prepared" / prepared_key(store, params)
    if use_cache and (cached := open_prepared(root)) is not None:
        return cached
    with entry_lock(root):  # prepared once, if two processes ask at the same time
        prepared = open_prepared(root) if use_cache else None
        if prepared is None:
            with atomic_directory(root) as tmp:
                _build(store, params, tmp, on_stage or (lambda stage, info: None), worker_peaks)
            prepared = open_prepared(root)
    if prepared is None:  # pragma: no cover - only if the disk fails under us
        raise CorpusError(f"{root}: the prepared corpus just written cannot be read back")
    return prepared


STAGE_MODULES = (cleaning, segments, sentences, preprocess, partitions, vocabulary)


def prepared_key(store: CorpusStore, params: Params) -> str:
    """The store (source bytes, reading settings and code), every preparing setting and the
    code of every preparing stage."""
    modules = (*STAGE_MODULES, sys.modules[__name__])
    record = settings_record(params)
    return cache_key(
        f"prepared{PREPARED_FORMAT}:{PHRASE_SAMPLE_CHARS}",
        modules,
        store.key,
        record,
        params.corpus.on_error,
    )


def open_prepared(root: Path) -> PartitionedCorpus | None:
    """The prepared corpus at `root` if complete and intact; None otherwise."""
    meta = unseal(root)
    if meta is None or meta.get("format") != PREPARED_FORMAT:
        return None
    return PartitionedCorpus(
        root=root,
        fingerprint=meta["fingerprint"],
        group_by=meta["group_by"],
        n_documents=meta["n_documents"],
        n_segments=meta["n_segments"],
        n_chars=meta["n_chars"],
        parts=tuple(meta["parts"]),
        rejected=pd.DataFrame(meta["rejected"], columns=["location", "doc_id", "reason"]),
    )


def _build(
    store: CorpusStore,
    params: Params,
    out: Path,
    on_stage: Callable,
    worker_peaks: list[int] | None = None,
) -> None:
    """Prepare every partition, merge the vocabulary, write the bag of words, seal."""
    for folder in (*PART_FOLDERS, VOCABULARY_FOLDER, TERM_IDS_FOLDER, DIGESTS_FOLDER):
        (out / folder).mkdir()
    context = _learn_context(store, params, out, worker_peaks)
    on_stage("sample", {})
    tasks = list(range(store.n_row_groups))
    results = compute_in_order(
        prepare_partition, tasks, context, params, worker_peaks, description="prepare"
    )
    on_stage("tokenise", tokenise_measurements(results))
    rejected = [row for r in results for row in r.rejected]
    if rejected and params.corpus.on_error != "reject":
        location, doc_id, reason = rejected[0]
        raise CorpusError(f"{location}: document {doc_id!r}: {reason}")
    parts = [partitions.part_name(r.index) for r in results]
    pre = params.preprocess
    dictionary = merged_dictionary(out, parts, pre.min_df, pre.max_df, pre.keep_n)
    dictionary.save(str(out / DICTIONARY_FILE))
    on_stage("dictionary", {})
    write_matrix_market(out, parts, dictionary)
    corpus_digest = fingerprint(settings_record(params), out / DIGESTS_FOLDER, parts)
    for folder in (VOCABULARY_FOLDER, TERM_IDS_FOLDER, DIGESTS_FOLDER):  # used up above
        shutil.rmtree(out / folder)
    on_stage("bow", {})
    record = {
        "format": PREPARED_FORMAT,
        "fingerprint": corpus_digest,
        "group_by": store.group_by,
        "n_documents": sum(r.n_documents for r in results),
        "n_segments": sum(r.n_segments for r in results),
        "n_chars": sum(r.n_chars for r in results),
        "parts": parts,
        "rejected": store.rejected.values.tolist() + [list(r) for r in rejected],
    }
    seal(out, record)


def fingerprint(settings: dict, digests: Path, parts: list[str]) -> str:
    """sha256 over the settings and every prepared document's digest (the partitions'
    files in `digests`, written by the workers), in corpus order."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for part in parts:
        digest.update((digests / part).read_bytes())
    return digest.hexdigest()


def tokenise_measurements(results: list[PartitionResult]) -> dict:
    """CPU seconds and characters of the clean + tokenise pass, summed over partitions."""
    return {
        "clean_cpu_s": sum(r.clean_cpu_s for r in results),
        "tokenise_cpu_s": sum(r.tokenise_cpu_s for r in results),
        "partition_cpu_s": sum(r.partition_cpu_s for r in results),
        "raw_chars": sum(r.n_chars for r in results),
        "unit_chars": sum(r.unit_chars for r in results),
    }


def _learn_context(
    store: CorpusStore, params: Params, out: Path, worker_peaks: list[int] | None
) -> PartitionContext:
    """`partition_context`, in a fresh process unless the run is single-process.

    Learning phrases from the sample holds the sample's texts and gensim's phrase counts;
    freed, that memory mostly stays with the process, which would then hold it through the
    whole parallel pass. A child process returns all of it when it ends (the result is the
    same: only the small context comes back).
    """
    scheduler = params.run.scheduler or "processes"
    single = scheduler in ("synchronous", "threads") or params.run.workers < 2
    if single or store.n_row_groups < 2:  # then the partitions are prepared in this process
        return partition_context(store, params, out)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        context, peak = pool.submit(_context_and_peak, store, params, out).result()
    if worker_peaks is not None:
        worker_peaks.append(peak)
    return context


def _context_and_peak(
    store: CorpusStore, params: Params, out: Path
) -> tuple[PartitionContext, int]:
    return partition_context(store, params, out), process_peak_kib()
