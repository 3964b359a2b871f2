"""Streamed preparation of a stored corpus: clean, segment, tokenise, vocabulary, bag of words.

The same stages as `analysis.corpus.prepare`, run one store row group at a time so that memory
grows with the vocabulary and the number of groups, not with the number of documents:

1. phrases (gensim Phrases) are learnt from a bounded, evenly spread sample of the corpus
   (`PHRASE_SAMPLE_CHARS`, like Punkt's training budget in `analysis.corpus.segments`), in a
   child process whose memory goes back to the OS; a corpus smaller than the sample gives
   exactly the phrases of `prepare_corpus`;
2. every row group is cleaned, segmented and tokenised on its own (in parallel, through
   `analysis.scale.distributed.compute_in_order`) and written to ``segments/part-NNNNN.parquet``
   (tokens before vocabulary pruning) and ``documents/part-NNNNN.parquet``; the worker also
   counts the row group's vocabulary and writes its segments as local term ids;
3. the gensim Dictionary is merged from those vocabularies in row-group order and pruned
   with ``filter_extremes``: the same ids as ``Dictionary.add_documents`` over all segments,
   so the same as `prepare_corpus`;
4. the bag-of-words corpus is written as Matrix Market, byte for byte what
   ``MmCorpus.serialize`` writes, from the local term ids, and read back lazily by gensim.

Results live in ``<cache_dir>/streamed/<key>``, keyed by the store key (source bytes) and
the settings; they are written to a temporary folder and renamed, and every file's sha256
is checked on load, so a partial or corrupt cache is rebuilt rather than used.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from analysis.core.atomic import atomic_directory
from analysis.core.params import Params
from analysis.core.paths import project_path
from analysis.corpus import cleaning, segments
from analysis.corpus import tokens as preprocess
from analysis.corpus.read import CorpusError
from analysis.scale.store import CorpusStore, file_sha256

if TYPE_CHECKING:
    from gensim.corpora import Dictionary, MmCorpus

STREAM_FORMAT = 3  # 3: cleaning/ and steps/ parts
PHRASE_SAMPLE_CHARS = 20_000_000
BOW_FILE = "bow.mm"
DICTIONARY_FILE = "dictionary.gensim"
META_FILE = "meta.json"
PART_FOLDERS = ("segments", "documents", "cleaning", "steps")
VOCABULARY_FOLDER = "vocabulary"  # per row group: token, df, cf (removed once the corpus is built)
TERM_IDS_FOLDER = "term_ids"  # per row group: segments as local term ids (removed likewise)
PRUNE_AT = 2_000_000  # gensim Dictionary's default prune_at
SEGMENT_SCHEMA = pa.schema(
    [
        ("segment_id", pa.string()),
        ("doc_id", pa.string()),
        ("group", pa.string()),
        ("position", pa.int64()),
        ("text", pa.string()),
        ("tokens", pa.list_(pa.string())),
    ]
)


@dataclass(frozen=True)
class PartitionContext:
    """Everything a worker needs to prepare one row group (pickled once per task)."""

    documents_path: str
    out_dir: str
    rules: tuple
    stopwords: frozenset
    phrases: object | None
    splitter: object | None
    unit: str
    window: int
    min_words: int
    lowercase: bool
    min_token_length: int
    normalize: str
    on_error: str


@dataclass(frozen=True)
class PartitionResult:
    """What a worker reports about one row group (small: no texts, no tokens)."""

    index: int
    n_documents: int
    n_segments: int
    n_chars: int
    digest: str
    rejected: tuple[tuple[str, str, str], ...]
    # For the benchmark's throughput per core (CPU seconds of this worker, not wall time):
    clean_cpu_s: float = 0.0  # in cleaning (n_chars raw characters)
    tokenise_cpu_s: float = 0.0  # in word tokenising (unit_chars characters)
    partition_cpu_s: float = 0.0  # in the whole task (read, clean, ..., write)
    unit_chars: int = 0


@dataclass(frozen=True)
class StreamedCorpus:
    """A prepared corpus on disk: segment and document parts, vocabulary, bag of words."""

    root: Path
    dictionary: Dictionary
    fingerprint: str
    group_by: str
    n_documents: int
    n_segments: int
    n_chars: int
    parts: tuple[str, ...]
    rejected: pd.DataFrame

    def segment_paths(self) -> list[Path]:
        return [self.root / "segments" / p for p in self.parts]

    def iter_segments(self, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """Segment batches in corpus order; `tokens` whole (as in a PreparedCorpus: the
        vocabulary pruning is the topic model's, applied by `bow`)."""
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

    def documents(self, with_text: bool = False) -> pd.DataFrame:
        """Document table (metadata, n_chars, n_words; cleaned text only if asked)."""
        folder = self.root / "documents"
        frames = []
        for part in self.parts:
            table = pq.read_table(folder / part)
            if not with_text:
                table = table.drop(["text"])
            frames.append(table.to_pandas())
        return pd.concat(frames, ignore_index=True)

    def cleaning_report(self) -> pd.DataFrame:
        """Per document: characters before and after cleaning and what each rule removed
        (as `cleaning.clean_documents` reports it; documents emptied by cleaning included)."""
        return self._concat("cleaning")

    def cleaning_steps(self) -> pd.DataFrame:
        """One row per document and cleaning step that changed it (matches, chars removed)."""
        return self._concat("steps").astype({"matches": "int64", "chars_removed": "int64"})

    def _concat(self, folder: str) -> pd.DataFrame:
        frames = [pq.read_table(self.root / folder / part).to_pandas() for part in self.parts]
        return pd.concat(frames, ignore_index=True)

    def load_segments(self) -> pd.DataFrame:
        """All segments in memory (only for corpora that fit; prefer `iter_segments`)."""
        return pd.concat(list(self.iter_segments()), ignore_index=True)

    @property
    def groups(self) -> list[str]:
        groups: set[str] = set()
        for frame in self.iter_segments(columns=["group"]):
            groups.update(frame["group"].unique())
        return sorted(groups)


def stream_key(store: CorpusStore, params: Params) -> str:
    """Cache key: the store (source bytes + reading settings) and every preparing setting."""
    from analysis.corpus.prepare import settings_record

    digest = hashlib.sha256(f"streamed{STREAM_FORMAT}:{PHRASE_SAMPLE_CHARS}".encode())
    digest.update(store.key.encode())
    digest.update(json.dumps(settings_record(params), sort_keys=True).encode())
    digest.update(params.corpus.on_error.encode())
    return digest.hexdigest()[:32]


def prepare_streamed(
    store: CorpusStore,
    params: Params,
    use_cache: bool = True,
    on_stage: Callable[[str, dict], None] | None = None,
    worker_peaks: list[int] | None = None,
) -> StreamedCorpus:
    """Clean, segment and tokenise the store row group by row group (cached on disk).

    `on_stage`, if given, is called with the name of each finished stage ("sample",
    "tokenise", "dictionary", "bow") and a dict of measurements (for "tokenise": CPU
    seconds of cleaning, word tokenising and whole tasks summed over the row groups, and
    the characters they processed), e.g. to time them.
    """
    root = project_path(params.run.cache_dir) / "streamed" / stream_key(store, params)
    if use_cache:
        cached = open_streamed(root)
        if cached is not None:
            return cached
    with atomic_directory(root) as tmp:
        _build(store, params, tmp, on_stage or (lambda stage, info: None), worker_peaks)
    streamed = open_streamed(root)
    if streamed is None:  # pragma: no cover - only if the disk fails under us
        raise CorpusError(f"{root}: the prepared corpus just written cannot be read back")
    return streamed


def open_streamed(root: Path) -> StreamedCorpus | None:
    """The cached prepared corpus at `root` if complete and intact; None otherwise."""
    try:
        meta = json.loads((root / META_FILE).read_text())
        if meta["format"] != STREAM_FORMAT:
            return None
        for name, digest in meta["files"].items():
            if file_sha256(root / name) != digest:
                return None
        from gensim.corpora import Dictionary

        dictionary = Dictionary.load(str(root / DICTIONARY_FILE))
        rejected = pd.DataFrame(meta["rejected"], columns=["location", "doc_id", "reason"])
    except (OSError, ValueError, KeyError, EOFError):
        return None
    return StreamedCorpus(
        root=root,
        dictionary=dictionary,
        fingerprint=meta["fingerprint"],
        group_by=meta["group_by"],
        n_documents=meta["n_documents"],
        n_segments=meta["n_segments"],
        n_chars=meta["n_chars"],
        parts=tuple(meta["parts"]),
        rejected=rejected,
    )


def _build(
    store: CorpusStore,
    params: Params,
    out: Path,
    on_stage: Callable,
    worker_peaks: list[int] | None = None,
) -> None:
    from analysis.scale.distributed import compute_in_order

    for folder in (*PART_FOLDERS, VOCABULARY_FOLDER, TERM_IDS_FOLDER):
        (out / folder).mkdir()
    context = _learn_context(store, params, out, worker_peaks)
    on_stage("sample", {})
    tasks = list(range(store.n_row_groups))
    results = compute_in_order(prepare_partition, tasks, context, params, worker_peaks)
    on_stage("tokenise", tokenise_measurements(results))
    rejected = [row for r in results for row in r.rejected]
    if rejected and params.corpus.on_error != "reject":
        location, doc_id, reason = rejected[0]
        raise CorpusError(f"{location}: document {doc_id!r}: {reason}")
    parts = [_part_name(r.index) for r in results]
    pre = params.preprocess
    dictionary = streamed_dictionary(out, parts, pre.min_df, pre.max_df, pre.keep_n)
    dictionary.save(str(out / DICTIONARY_FILE))
    on_stage("dictionary", {})
    write_matrix_market(out, parts, dictionary)
    for folder in (VOCABULARY_FOLDER, TERM_IDS_FOLDER):  # only needed to build the two above
        shutil.rmtree(out / folder)
    on_stage("bow", {})
    from analysis.corpus.prepare import settings_record

    digest = hashlib.sha256(json.dumps(settings_record(params), sort_keys=True).encode())
    for result in results:
        digest.update(result.digest.encode())
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    meta = {
        "format": STREAM_FORMAT,
        "fingerprint": digest.hexdigest(),
        "group_by": store.group_by,
        "n_documents": sum(r.n_documents for r in results),
        "n_segments": sum(r.n_segments for r in results),
        "n_chars": sum(r.n_chars for r in results),
        "parts": parts,
        "rejected": store.rejected.values.tolist() + [list(r) for r in rejected],
        "files": {name: file_sha256(out / name) for name in files},
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True))


def tokenise_measurements(results: list[PartitionResult]) -> dict:
    """CPU seconds and characters of the clean + tokenise pass, summed over row groups."""
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
    scheduler = getattr(params.run, "scheduler", "") or "processes"
    single = scheduler in ("synchronous", "threads") or int(getattr(params.run, "workers", 2)) < 2
    if single or store.n_row_groups < 2:  # then the row groups are prepared in this process
        return partition_context(store, params, out)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        context, peak = pool.submit(_context_and_peak, store, params, out).result()
    if worker_peaks is not None:
        worker_peaks.append(peak)
    return context


def _context_and_peak(
    store: CorpusStore, params: Params, out: Path
) -> tuple[PartitionContext, int]:
    from analysis.scale.distributed import process_peak_kib

    return partition_context(store, params, out), process_peak_kib()


def partition_context(store: CorpusStore, params: Params, out: Path) -> PartitionContext:
    """Rules, stop words, phrases and (for sentence units) Punkt, learnt once for all tasks."""
    rules_file = params.cleaning.rules_file
    rules = tuple(cleaning.load_rules(project_path(rules_file) if rules_file else None))
    pre, seg = params.preprocess, params.segments
    stopwords = preprocess.load_stopwords(project_path(pre.stopwords_file), pre.extra_stopwords)
    context = PartitionContext(
        documents_path=str(store.documents_path),
        out_dir=str(out),
        rules=rules,
        stopwords=stopwords,
        phrases=None,
        splitter=None,
        unit=seg.unit,
        window=seg.window,
        min_words=seg.min_words,
        lowercase=pre.lowercase,
        min_token_length=pre.min_token_length,
        normalize=pre.normalize,
        on_error=params.corpus.on_error,
    )
    if not pre.phrases and seg.unit != "sentences":
        return context
    sample = phrase_sample(store, rules, PHRASE_SAMPLE_CHARS)
    splitter = None
    if seg.unit == "sentences":
        splitter = segments.train_sentence_splitter(sample["text"])
    phrases = None
    if pre.phrases:
        units = segments.segment_documents(
            sample, seg.unit, seg.window, seg.min_words, splitter=splitter
        )
        words = (preprocess.tokenize_words(t, pre.lowercase) for t in units["text"])
        phrases = preprocess.train_phrases(words, pre.phrase_min_count, pre.phrase_threshold)
    return PartitionContext(**{**context.__dict__, "phrases": phrases, "splitter": splitter})


def phrase_sample(store: CorpusStore, rules: tuple, budget: int) -> pd.DataFrame:
    """Cleaned documents spread evenly over the row groups, about `budget` characters in all.

    The first documents of every row group, in corpus order: deterministic, and not biased
    to the start of a corpus stored sorted by source or date.
    """
    per_group = max(1, budget // max(1, store.n_row_groups))
    picked = []
    for batch in store.iter_batches():
        sizes = batch["text"].str.len().cumsum()
        take = int((sizes <= per_group).sum()) or 1
        picked.append(batch.iloc[:take])
    sample = pd.concat(picked, ignore_index=True)
    cleaned, _, _ = cleaning.clean_documents(sample, list(rules))
    return cleaned[cleaned["text"].str.strip() != ""].reset_index(drop=True)


def prepare_partition(index: int, context: PartitionContext) -> PartitionResult:
    """Clean, segment and tokenise row group `index`; write its segment and document parts."""
    task_started = time.process_time()
    docs = pq.ParquetFile(context.documents_path).read_row_group(index).to_pandas()
    n_chars = int(docs["text"].str.len().sum())
    started = time.process_time()
    cleaned, report, steps = cleaning.clean_documents(docs, list(context.rules))
    clean_cpu = time.process_time() - started
    empty = cleaned["text"].str.strip() == ""
    reason = "nothing is left after cleaning; check the cleaning rules that apply to it"
    rejected = tuple(
        (loc, doc, reason) for loc, doc in cleaned.loc[empty, ["location", "doc_id"]].values
    )
    cleaned = cleaned[~empty].reset_index(drop=True)
    units = segments.segment_documents(
        cleaned, context.unit, context.window, context.min_words, splitter=context.splitter
    )
    started = time.process_time()
    word_lists = [preprocess.tokenize_words(t, context.lowercase) for t in units["text"]]
    tokenise_cpu = time.process_time() - started
    units["tokens"] = [content_tokens_of_words(words, context) for words in word_lists]
    out = Path(context.out_dir)
    name = _part_name(index)
    pq.write_table(
        pa.Table.from_pandas(units, schema=SEGMENT_SCHEMA, preserve_index=False),
        out / "segments" / name,
        compression="zstd",
    )
    vocabulary, term_ids = partition_vocabulary(units["tokens"])
    pq.write_table(vocabulary, out / VOCABULARY_FOLDER / name)
    pq.write_table(term_ids, out / TERM_IDS_FOLDER / name)
    if context.unit == "document" and context.lowercase:
        # One unit per document, its text the document's with whitespace runs made single
        # spaces, which never changes the word tokens: count the words already found.
        n_words = [len(words) for words in word_lists]
    else:
        n_words = [len(preprocess.tokenize_words(t)) for t in cleaned["text"]]
    del word_lists
    documents = cleaned.drop(columns=["location"]).assign(
        n_chars=cleaned["text"].str.len(), n_words=n_words
    )
    documents = documents.merge(
        report[["doc_id", "chars_raw", "chars_removed"]], on="doc_id", how="left"
    )
    for folder, frame in (("documents", documents), ("cleaning", report), ("steps", steps)):
        pq.write_table(
            pa.Table.from_pandas(frame, preserve_index=False),
            out / folder / name,
            compression="zstd",
        )
    return PartitionResult(
        index=index,
        n_documents=len(cleaned),
        n_segments=len(units),
        n_chars=n_chars,
        digest=_documents_digest(documents),
        rejected=rejected,
        clean_cpu_s=clean_cpu,
        tokenise_cpu_s=tokenise_cpu,
        partition_cpu_s=time.process_time() - task_started,
        unit_chars=int(units["text"].str.len().sum()),
    )


def content_tokens_of_words(words: list[str], context: PartitionContext) -> list[str]:
    """Phrases -> content tokens of a text's word tokens, as `prepare.tokenize_segments`.

    `preprocess.content_tokens` maps each word on its own, so its result is memoised per
    word (per settings): the same output, several times faster on a large corpus.
    """
    if context.phrases is not None:
        words = context.phrases[words]
    key = (context.stopwords, context.min_token_length, context.normalize)
    memo = _CONTENT_MEMO.setdefault(key, {})
    if len(memo) > _MEMO_LIMIT:
        memo.clear()
    for word in set(words).difference(memo):
        memo[word] = tuple(preprocess.content_tokens([word], *key[:2], context.normalize))
    return list(chain.from_iterable(map(memo.__getitem__, words)))


_CONTENT_MEMO: dict[tuple, dict[str, tuple[str, ...]]] = {}
_MEMO_LIMIT = 1_000_000


def partition_vocabulary(token_lists) -> tuple[pa.Table, pa.Table]:
    """A row group's vocabulary and its segments as local term ids (computed in the worker).

    Local ids follow gensim's ``Dictionary.doc2bow(allow_update=True)``: segment by
    segment, the tokens not seen before get the next ids in sorted order. Concatenating
    the partitions' vocabularies in order and keeping each token's first occurrence
    therefore gives exactly the ids of one ``add_documents`` over the whole corpus.
    Returns (token, df, cf) in local id order and, per segment, (ids, counts) with ids
    ascending.
    """
    index: dict[str, int] = {}
    ids_column, counts_column = [], []
    for tokens in token_lists:
        counts = Counter(tokens)
        for token in sorted(t for t in counts if t not in index):
            index[token] = len(index)
        pairs = sorted((index[t], n) for t, n in counts.items())
        ids_column.append([i for i, _ in pairs])
        counts_column.append([n for _, n in pairs])
    term_ids = pa.table(
        {
            "ids": pa.array(ids_column, pa.list_(pa.int32())),
            "counts": pa.array(counts_column, pa.list_(pa.int32())),
        }
    )
    flat_ids = term_ids.column("ids").combine_chunks().flatten().to_numpy()
    flat_counts = term_ids.column("counts").combine_chunks().flatten().to_numpy()
    vocabulary = pa.table(
        {
            "token": pa.array(list(index), pa.string()),
            "df": np.bincount(flat_ids, minlength=len(index)).astype(np.int64),
            "cf": np.bincount(flat_ids, flat_counts, minlength=len(index)).astype(np.int64),
        }
    )
    return vocabulary, term_ids


def streamed_dictionary(
    root: Path, parts: list[str], min_df: int, max_df: float, keep_n: int
) -> Dictionary:
    """The gensim Dictionary of all segments, merged from the row groups' vocabularies.

    The same tokens, ids, document and collection frequencies as ``Dictionary(token_lists)``
    followed by ``filter_extremes`` (as `prepare_corpus` builds it) whenever the unpruned
    vocabulary stays within gensim's ``prune_at`` (2,000,000 tokens), so main memory grows
    with the vocabulary only. Above that, both keep the `PRUNE_AT` most frequent tokens so
    far (gensim's approximation): gensim every 10,000 segments, this merge before each row
    group, exactly as ``add_documents`` called row group by row group; the approximate
    vocabularies can then differ from the in-memory path's.
    """
    from gensim.corpora import Dictionary

    dictionary = Dictionary()
    token2id, dfs, cfs = dictionary.token2id, dictionary.dfs, dictionary.cfs
    for name in parts:
        if len(token2id) > PRUNE_AT:  # where add_documents(part, prune_at=PRUNE_AT) checks
            dictionary.filter_extremes(no_below=0, no_above=1.0, keep_n=PRUNE_AT)
            token2id, dfs, cfs = dictionary.token2id, dictionary.dfs, dictionary.cfs
        part = pq.read_table(root / VOCABULARY_FOLDER / name)
        columns = [part.column(c).to_pylist() for c in ("token", "df", "cf")]
        for token, df, cf in zip(*columns, strict=True):
            token_id = token2id.setdefault(token, len(token2id))
            dfs[token_id] = dfs.get(token_id, 0) + df
            cfs[token_id] = cfs.get(token_id, 0) + cf
        dictionary.num_docs += pq.read_metadata(root / TERM_IDS_FOLDER / name).num_rows
        dictionary.num_pos += int(pc.sum(part.column("cf")).as_py() or 0)
        dictionary.num_nnz += int(pc.sum(part.column("df")).as_py() or 0)
    dictionary.filter_extremes(no_below=min_df, no_above=max_df, keep_n=keep_n)
    return dictionary


def write_matrix_market(root: Path, parts: list[str], dictionary: Dictionary) -> None:
    """``MmCorpus.serialize(root / BOW_FILE, bow, id2word=dictionary)``, byte for byte, from
    the row groups' local term ids (no token strings are looked up segment by segment).

    Writes the header gensim writes, one "doc term count" line per non-zero entry
    (1-based, terms ascending within a segment) and the pickled offset index, in which a
    segment without entries has offset -1 unless it is the last.
    """
    from gensim.matutils import MmWriter
    from gensim.utils import pickle as gensim_pickle

    token2id = dictionary.token2id
    offsets: list[int] = []
    n_docs = n_nnz = 0
    with open(root / BOW_FILE, "wb") as handle:
        handle.write(MmWriter.HEADER_LINE + b" " * 50 + b"\n")
        for name in parts:
            tokens = pq.read_table(root / VOCABULARY_FOLDER / name).column("token").to_pylist()
            final = np.fromiter((token2id.get(t, -1) for t in tokens), np.int64, len(tokens))
            term_ids = pq.read_table(root / TERM_IDS_FOLDER / name)
            ids = term_ids.column("ids").combine_chunks()
            lengths = pc.list_value_length(ids).to_numpy(zero_copy_only=False)
            doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
            term = final[ids.flatten().to_numpy()] if len(final) else np.zeros(0, np.int64)
            count = term_ids.column("counts").combine_chunks().flatten().to_numpy()
            keep = term >= 0
            doc, term, count = doc[keep], term[keep], count[keep].astype(np.int64)
            order = np.lexsort((term, doc))
            doc, term, count = doc[order] + n_docs + 1, term[order] + 1, count[order]
            line_bytes = _digits(doc) + _digits(term) + _digits(count) + 3
            per_doc = np.bincount(doc - n_docs - 1, line_bytes, minlength=len(lengths))
            per_doc = per_doc.astype(np.int64)
            start = handle.tell()
            starts = start + np.cumsum(per_doc) - per_doc
            offsets.extend(np.where(per_doc > 0, starts, -1).astype(np.int64).tolist())
            if len(doc):
                pa_csv.write_csv(
                    pa.table({"d": doc, "t": term, "c": count}),
                    handle,
                    pa_csv.WriteOptions(include_header=False, delimiter=" ", quoting_style="none"),
                )
            if handle.tell() != start + int(per_doc.sum()):  # pragma: no cover - a CSV change
                raise CorpusError(f"{root / BOW_FILE}: lines of {name} not as gensim writes them")
            n_docs += len(lengths)
            n_nnz += len(doc)
        end = handle.tell()
        handle.seek(len(MmWriter.HEADER_LINE))
        stats = f"{n_docs} {len(dictionary)} {n_nnz}"
        if len(stats) > 50:
            raise CorpusError(f"{root / BOW_FILE}: matrix too large for the Matrix Market header")
        handle.write(stats.encode())
    if offsets and offsets[-1] == -1:
        offsets[-1] = end  # gensim gives an empty last segment the end-of-file offset
    gensim_pickle(offsets, str(root / BOW_FILE) + ".index")


_POWERS_OF_TEN = 10 ** np.arange(19, dtype=np.int64)


def _digits(values: np.ndarray) -> np.ndarray:
    """Decimal digits of positive integers (vectorised)."""
    return np.searchsorted(_POWERS_OF_TEN, values, side="right")


def _documents_digest(documents: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    columns = sorted(documents.columns)
    for row in documents[columns].astype(str).itertuples(index=False):
        digest.update(json.dumps(list(row)).encode("utf-8"))
    return digest.hexdigest()


def _part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"
