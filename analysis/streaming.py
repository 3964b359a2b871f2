"""Streamed preparation of a stored corpus: clean, segment, tokenise, vocabulary, bag of words.

The same stages as `analysis.prepare`, run one store row group at a time so that memory
grows with the vocabulary and the number of groups, not with the number of documents:

1. phrases (gensim Phrases) are learnt from a bounded, evenly spread sample of the corpus
   (`PHRASE_SAMPLE_CHARS`, like Punkt's training budget in `analysis.segments`); a corpus
   smaller than the sample gives exactly the phrases of `prepare_corpus`;
2. every row group is cleaned, segmented and tokenised on its own (in parallel, through
   `analysis.distributed.compute_in_order`) and written to ``segments/part-NNNNN.parquet``
   (tokens before vocabulary pruning) and ``documents/part-NNNNN.parquet``;
3. the vocabulary is built with gensim ``Dictionary.add_documents`` batch by batch and pruned
   with ``filter_extremes`` (same order, so the same ids as `prepare_corpus`);
4. the bag-of-words corpus is written as Matrix Market (``MmCorpus.serialize``) and read back
   lazily by gensim.

Results live in ``<cache_dir>/streamed/<key>``, keyed by the store key (source bytes) and
the settings; they are written to a temporary folder and renamed, and every file's sha256
is checked on load, so a partial or corrupt cache is rebuilt rather than used.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from gensim.corpora import Dictionary, MmCorpus

from analysis import cleaning, preprocess, segments
from analysis.atomic import atomic_directory
from analysis.corpus import CorpusError
from analysis.params import Params
from analysis.paths import project_path
from analysis.prepare import settings_record
from analysis.store import CorpusStore, file_sha256

STREAM_FORMAT = 2
PHRASE_SAMPLE_CHARS = 20_000_000
BOW_FILE = "bow.mm"
DICTIONARY_FILE = "dictionary.gensim"
META_FILE = "meta.json"
PART_FOLDERS = ("segments", "documents", "cleaning", "steps")
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
        """Segment batches in corpus order; `tokens` pruned to the vocabulary."""
        vocabulary = self.dictionary.token2id
        for path in self.segment_paths():
            frame = pq.read_table(path, columns=columns).to_pandas()
            if "tokens" in frame.columns:
                frame["tokens"] = [[t for t in ts if t in vocabulary] for ts in frame["tokens"]]
            yield frame

    def token_lists(self) -> Iterator[list[str]]:
        """Pruned token lists, one per segment, in order (a gensim-style stream)."""
        for frame in self.iter_segments(columns=["tokens"]):
            yield from frame["tokens"]

    def bow(self) -> MmCorpus:
        """The bag-of-words corpus, streamed from Matrix Market (one row per segment)."""
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
        for name, digest in meta["files"].items():
            if file_sha256(root / name) != digest:
                return None
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
    from analysis.distributed import compute_in_order

    for folder in PART_FOLDERS:
        (out / folder).mkdir()
    context = partition_context(store, params, out)
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
    MmCorpus.serialize(str(out / BOW_FILE), _bow_stream(out, parts, dictionary), id2word=dictionary)
    on_stage("bow", {})
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


def content_tokens_of(text: str, context: PartitionContext) -> list[str]:
    """Word tokens -> phrases -> content tokens, exactly as `prepare.tokenize_segments`."""
    return content_tokens_of_words(preprocess.tokenize_words(text, context.lowercase), context)


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


def streamed_dictionary(
    root: Path, parts: list[str], min_df: int, max_df: float, keep_n: int
) -> Dictionary:
    """gensim Dictionary grown batch by batch over the segment parts, then pruned."""
    dictionary = Dictionary()
    for name in parts:
        tokens = pq.read_table(root / "segments" / name, columns=["tokens"]).column("tokens")
        dictionary.add_documents(tokens.to_pylist())
    dictionary.filter_extremes(no_below=min_df, no_above=max_df, keep_n=keep_n)
    return dictionary


def _bow_stream(root: Path, parts: list[str], dictionary: Dictionary) -> Iterator[list]:
    for name in parts:
        tokens = pq.read_table(root / "segments" / name, columns=["tokens"]).column("tokens")
        for token_list in tokens.to_pylist():
            yield dictionary.doc2bow(token_list)


def _documents_digest(documents: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    columns = sorted(documents.columns)
    for row in documents[columns].astype(str).itertuples(index=False):
        digest.update(json.dumps(list(row)).encode("utf-8"))
    return digest.hexdigest()


def _part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"
