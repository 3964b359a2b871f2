"""One partition of the corpus prepared: cleaned, segmented and tokenised by one worker.

`partition_context` learns what every partition shares once (cleaning rules, stop words,
and phrases from a bounded, evenly spread sample of the corpus); `prepare_partition` then
cleans, segments and tokenises one partition of the corpus store and writes its segment,
document, cleaning and vocabulary parts. A corpus smaller than the sample budget gets
exactly the phrases learnt from all of it, so the result never depends on how the corpus
is partitioned.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.core.params import Params
from analysis.core.paths import project_path
from analysis.corpus import cleaning, segments
from analysis.corpus import tokens as preprocess
from analysis.corpus.decoding import mostly_latin
from analysis.corpus.store import CorpusStore
from analysis.corpus.vocabulary import TERM_IDS_FOLDER, VOCABULARY_FOLDER, partition_vocabulary

PHRASE_SAMPLE_CHARS = 20_000_000
PART_FOLDERS = ("segments", "units", "documents", "cleaning", "steps")
DIGESTS_FOLDER = "digests"  # per partition: `document_digests` (removed once fingerprinted)
EMPTIED = "nothing is left after cleaning; check the cleaning rules that apply to it"
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
    """Everything a worker needs to prepare one partition (pickled once per task)."""

    documents_path: str
    out_dir: str
    rules: tuple
    stopwords: frozenset
    phrases: object | None
    unit: str
    window: int
    min_words: int
    lowercase: bool
    min_token_length: int
    normalize: str
    on_error: str


@dataclass(frozen=True)
class PartitionResult:
    """What a worker reports about one partition (small: no texts, no tokens)."""

    index: int
    n_documents: int
    n_segments: int
    n_chars: int
    rejected: tuple[tuple[str, str, str], ...]
    # For the benchmark's throughput per core (CPU seconds of this worker, not wall time):
    clean_cpu_s: float = 0.0  # in cleaning (n_chars raw characters)
    tokenise_cpu_s: float = 0.0  # in word tokenising (unit_chars characters)
    partition_cpu_s: float = 0.0  # in the whole task (read, clean, ..., write)
    unit_chars: int = 0


def partition_context(store: CorpusStore, params: Params, out: Path) -> PartitionContext:
    """Rules, stop words and phrases, learnt once for all tasks."""
    rules_file = params.cleaning.rules_file
    rules = tuple(cleaning.load_rules(project_path(rules_file) if rules_file else None))
    pre, seg = params.preprocess, params.segments
    stopwords = preprocess.stopword_list(pre)
    context = PartitionContext(
        documents_path=str(store.documents_path),
        out_dir=str(out),
        rules=rules,
        stopwords=stopwords,
        phrases=None,
        unit=seg.unit,
        window=seg.window,
        min_words=seg.min_words,
        lowercase=pre.lowercase,
        min_token_length=pre.min_token_length,
        normalize=pre.normalize,
        on_error=params.corpus.on_error,
    )
    if not pre.phrases:
        return context
    sample = phrase_sample(store, rules, PHRASE_SAMPLE_CHARS)
    units = segments.segment_documents(sample, seg.unit, seg.window, seg.min_words)
    words = (preprocess.tokenize_words(t, pre.lowercase) for t in units["text"])
    phrases = preprocess.train_phrases(words, pre.phrase_min_count, pre.phrase_threshold)
    return PartitionContext(**{**context.__dict__, "phrases": phrases})


def phrase_sample(store: CorpusStore, rules: tuple, budget: int) -> pd.DataFrame:
    """Cleaned documents for learning phrases: the whole corpus when
    it has at most `budget` characters, else about `budget` characters spread evenly over
    the partitions (the first documents of each, in corpus order: deterministic, and not
    biased to the start of a corpus stored sorted by source or date).
    """
    per_group = budget // max(1, store.n_row_groups) if store.n_chars > budget else store.n_chars
    per_group = max(1, per_group)
    picked = []
    for table in store.iter_tables():
        sizes = np.cumsum(pc.utf8_length(table["text"]).to_numpy(zero_copy_only=False))
        take = int((sizes <= per_group).sum()) or 1
        # take, not slice: a slice would keep the whole row group's text in memory (with
        # 500 row groups, 4 GB for a sample of 20 million characters)
        picked.append(table.take(np.arange(take)).to_pandas())
    sample = pd.concat(picked, ignore_index=True)
    cleaned, _, _ = cleaning.clean_documents(sample, list(rules))
    return cleaned[cleaned["text"].str.strip() != ""].reset_index(drop=True)


def prepare_partition(index: int, context: PartitionContext) -> PartitionResult:
    """Clean, segment and tokenise partition `index`; write its segment and document parts."""
    task_started = time.process_time()
    docs = pq.ParquetFile(context.documents_path).read_row_group(index).to_pandas()
    n_chars = int(docs["text"].str.len().sum())
    started = time.process_time()
    cleaned, report, steps = cleaning.clean_documents(docs, list(context.rules))
    clean_cpu = time.process_time() - started
    empty = cleaned["text"].str.strip() == ""
    rejected = tuple(
        (loc, doc, EMPTIED) for loc, doc in cleaned.loc[empty, ["location", "doc_id"]].values
    )
    cleaned = cleaned[~empty].reset_index(drop=True)
    units = segments.segment_documents(cleaned, context.unit, context.window, context.min_words)
    started = time.process_time()
    word_lists = [preprocess.tokenize_words(t, context.lowercase) for t in units["text"]]
    tokenise_cpu = time.process_time() - started
    units["tokens"] = [content_tokens_of_words(words, context) for words in word_lists]
    out = Path(context.out_dir)
    name = part_name(index)
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
        n_chars=cleaned["text"].str.len(),
        n_words=n_words,
        latin=[mostly_latin(text) for text in cleaned["text"]],
    )
    documents = documents.merge(
        report[["doc_id", "chars_raw", "chars_removed"]], on="doc_id", how="left"
    )
    tables = (
        ("units", unit_rows(units)),
        ("documents", documents),
        ("cleaning", report),
        ("steps", steps),
    )
    for folder, frame in tables:
        pq.write_table(
            pa.Table.from_pandas(frame, preserve_index=False),
            out / folder / name,
            compression="zstd",
        )
    digests = document_digests(documents.drop(columns=["latin"]))  # derived from the text
    (out / DIGESTS_FOLDER / name).write_bytes(digests)
    return PartitionResult(
        index=index,
        n_documents=len(cleaned),
        n_segments=len(units),
        n_chars=n_chars,
        rejected=rejected,
        clean_cpu_s=clean_cpu,
        tokenise_cpu_s=tokenise_cpu,
        partition_cpu_s=time.process_time() - task_started,
        unit_chars=int(units["text"].str.len().sum()),
    )


def unit_rows(units: pd.DataFrame) -> pd.DataFrame:
    """One light row per unit: ids, group, running words (whitespace-separated) and content
    tokens, so that the corpus overview never reads the texts."""
    return pd.DataFrame(
        {
            "segment_id": units["segment_id"],
            "doc_id": units["doc_id"],
            "group": units["group"],
            "n_words": [len(text.split()) for text in units["text"]],
            "n_tokens": [len(tokens) for tokens in units["tokens"]],
        }
    )


def content_tokens_of_words(words: list[str], context: PartitionContext) -> list[str]:
    """Phrases -> content tokens of a text's word tokens.

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


def document_digests(documents: pd.DataFrame) -> bytes:
    """The sha256 of each document row (cleaned text and metadata), concatenated in order:
    the corpus fingerprint hashes these, so it does not depend on the partitioning."""
    columns = sorted(documents.columns)
    return b"".join(
        hashlib.sha256(json.dumps(list(row)).encode("utf-8")).digest()
        for row in documents[columns].astype(str).itertuples(index=False)
    )


def part_name(index: int) -> str:
    """The file name of partition `index`'s parts."""
    return f"part-{index:05d}.parquet"
