"""The vocabulary and the bag of words of a partitioned corpus, built from the partitions.

Each partition's worker counts its own vocabulary and writes its segments as local term ids
(`partition_vocabulary`); the gensim Dictionary is merged from those in partition order
(`merged_dictionary`: the same ids as one ``Dictionary.add_documents`` over all segments)
and pruned for the topic model; the bag-of-words corpus is written as Matrix Market, byte
for byte what ``MmCorpus.serialize`` writes (`write_matrix_market`). Main memory grows with
the vocabulary, not with the corpus.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from analysis.core.errors import InputError

if TYPE_CHECKING:  # gensim is imported where a vocabulary is built (not to open a corpus)
    from gensim.corpora import Dictionary

BOW_FILE = "bow.mm"
PACKED_FILE = "bow.packed"  # the same entries as int32 (term, count) pairs, 0-based terms
PACKED_INDEX = "bow.packed-index.npy"  # entry offset of every segment, and the total
VOCABULARY_FOLDER = "vocabulary"  # per partition: token, df, cf (removed once the corpus is built)
TERM_IDS_FOLDER = "term_ids"  # per partition: segments as local term ids (removed likewise)
PRUNE_AT = 2_000_000  # gensim Dictionary's default prune_at


def partition_vocabulary(token_lists) -> tuple[pa.Table, pa.Table]:
    """A partition's vocabulary and its segments as local term ids (computed in the worker).

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


def merged_dictionary(
    root: Path, parts: list[str], min_df: int, max_df: float, keep_n: int
) -> Dictionary:
    """The gensim Dictionary of all segments, merged from the partitions' vocabularies and
    pruned by ``filter_extremes(min_df, max_df, keep_n)`` for the topic model.

    The same tokens, ids, document and collection frequencies as ``Dictionary(token_lists)``
    whenever the unpruned vocabulary stays within gensim's ``prune_at`` (2,000,000 tokens).
    Above that it keeps the `PRUNE_AT` most frequent tokens so far before each partition,
    as ``add_documents`` called partition by partition would (gensim's approximation, which
    then depends on the partitioning). The unpruned vocabulary is held as `_Vocabulary`,
    not as a Dictionary (about a third of its memory); only the kept tokens become one.
    """
    vocabulary = _Vocabulary()
    for name in parts:
        if len(vocabulary.tokens) > PRUNE_AT:  # where add_documents(part, prune_at=) checks
            vocabulary.keep(vocabulary.most_frequent(0, 1.0, PRUNE_AT))
        part = pq.read_table(root / VOCABULARY_FOLDER / name)
        n_docs = pq.read_metadata(root / TERM_IDS_FOLDER / name).num_rows
        vocabulary.add(part, n_docs)
    vocabulary.keep(vocabulary.most_frequent(min_df, max_df, keep_n))
    return vocabulary.dictionary()


class _Vocabulary:
    """What ``Dictionary.add_documents`` keeps, in less memory: token ids in order of first
    appearance (a dict and a list of the tokens), document and collection frequencies (two
    arrays), and the corpus totals; `most_frequent` and `keep` are ``filter_extremes``."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.tokens: list[str] = []
        self.dfs = np.zeros(1024, np.int64)
        self.cfs = np.zeros(1024, np.int64)
        self.num_docs = self.num_pos = self.num_nnz = 0

    def add(self, part: pa.Table, n_docs: int) -> None:
        """Add a partition's (token, df, cf) table of `n_docs` segments."""
        tokens = part.column("token").to_pylist()
        before = len(self.tokens)
        ids = np.fromiter((self.ids.setdefault(t, len(self.ids)) for t in tokens), np.int64)
        self.tokens.extend(t for t, i in zip(tokens, ids.tolist(), strict=True) if i >= before)
        if len(self.tokens) > len(self.dfs):
            size = max(len(self.tokens), 2 * len(self.dfs))
            self.dfs, self.cfs = (np.resize(a, size) for a in (self.dfs, self.cfs))
            self.dfs[before:], self.cfs[before:] = 0, 0
        df = part.column("df").to_numpy()
        cf = part.column("cf").to_numpy()
        self.dfs[ids] += df  # a partition lists each of its tokens once
        self.cfs[ids] += cf
        self.num_docs += n_docs
        self.num_pos += int(cf.sum())
        self.num_nnz += int(df.sum())

    def most_frequent(self, no_below: int, no_above: float, keep_n: int | None) -> np.ndarray:
        """The ids ``filter_extremes(no_below, no_above, keep_n)`` keeps, ascending: within
        the document frequencies, the `keep_n` most frequent (ties in id order)."""
        no_above_abs = int(no_above * self.num_docs)
        dfs = self.dfs[: len(self.tokens)]
        good = np.flatnonzero((dfs >= no_below) & (dfs <= no_above_abs))
        ranked = good[np.argsort(-dfs[good], kind="stable")]
        return np.sort(ranked[:keep_n] if keep_n is not None else ranked)

    def keep(self, kept: np.ndarray) -> None:
        """Keep the tokens of the ascending ids `kept`, renumbered 0, 1, ... in their order."""
        self.tokens = [self.tokens[i] for i in kept.tolist()]
        self.ids = {token: i for i, token in enumerate(self.tokens)}
        self.dfs, self.cfs = self.dfs[kept], self.cfs[kept]

    def dictionary(self) -> Dictionary:
        from gensim.corpora import Dictionary

        dictionary = Dictionary()
        n = len(self.tokens)
        dictionary.token2id = dict(self.ids)
        dictionary.dfs = dict(enumerate(self.dfs[:n].tolist()))
        dictionary.cfs = dict(enumerate(self.cfs[:n].tolist()))
        dictionary.num_docs, dictionary.num_pos = self.num_docs, self.num_pos
        dictionary.num_nnz = self.num_nnz
        return dictionary


def write_matrix_market(root: Path, parts: list[str], dictionary: Dictionary) -> None:
    """``MmCorpus.serialize(root / BOW_FILE, bow, id2word=dictionary)``, byte for byte, from
    the partitions' local term ids (no token strings are looked up segment by segment).

    Writes the header gensim writes, one "doc term count" line per non-zero entry
    (1-based, terms ascending within a segment) and the pickled offset index, in which a
    segment without entries has offset -1 unless it is the last. The same entries go to
    `PACKED_FILE` with their index (`PackedBow`: rows read at machine speed).
    """
    from gensim.matutils import MmWriter
    from gensim.utils import pickle as gensim_pickle

    token2id = dictionary.token2id
    # One array for the whole corpus: small arrays kept part after part would pin the
    # heap between each part's large temporary ones, which it then could not reuse.
    offsets = np.empty(
        sum(pq.read_metadata(root / TERM_IDS_FOLDER / n).num_rows for n in parts), np.int64
    )
    entry_starts = np.zeros(len(offsets) + 1, np.int64)
    n_docs = n_nnz = 0
    with open(root / BOW_FILE, "wb") as handle, open(root / PACKED_FILE, "wb") as packed:
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
            np.column_stack((term - 1, count)).astype("<i4").tofile(packed)
            per_doc_entries = np.bincount(doc - n_docs - 1, minlength=len(lengths))
            entry_starts[n_docs + 1 : n_docs + 1 + len(lengths)] = n_nnz + np.cumsum(
                per_doc_entries
            )
            line_bytes = _digits(doc) + _digits(term) + _digits(count) + 3
            per_doc = np.bincount(doc - n_docs - 1, line_bytes, minlength=len(lengths))
            per_doc = per_doc.astype(np.int64)
            start = handle.tell()
            starts = start + np.cumsum(per_doc) - per_doc
            offsets[n_docs : n_docs + len(lengths)] = np.where(per_doc > 0, starts, -1)
            if len(doc):
                pa_csv.write_csv(
                    pa.table({"d": doc, "t": term, "c": count}),
                    handle,
                    pa_csv.WriteOptions(include_header=False, delimiter=" ", quoting_style="none"),
                )
            if handle.tell() != start + int(per_doc.sum()):  # pragma: no cover - a CSV change
                raise InputError(f"{root / BOW_FILE}: lines of {name} not as gensim writes them")
            n_docs += len(lengths)
            n_nnz += len(doc)
        end = handle.tell()
        handle.seek(len(MmWriter.HEADER_LINE))
        stats = f"{n_docs} {len(dictionary)} {n_nnz}"
        if len(stats) > 50:
            raise InputError(f"{root / BOW_FILE}: matrix too large for the Matrix Market header")
        handle.write(stats.encode())
    index = offsets.tolist()
    if index and index[-1] == -1:
        index[-1] = end  # gensim gives an empty last segment the end-of-file offset
    gensim_pickle(index, str(root / BOW_FILE) + ".index")
    np.save(root / PACKED_INDEX, entry_starts)


class PackedUnit(Sequence):
    """A segment's bag of words as two arrays (`terms`, `counts`), what the compiled E-step
    reads (`analysis.topics.inference`), and, to everything else, the read-only sequence of
    (term, count) pairs gensim reads, made only when read (a fit streaming every unit on
    every pass reads the arrays alone)."""

    __slots__ = ("terms", "counts")

    def __init__(self, terms: np.ndarray, counts: np.ndarray) -> None:
        self.terms, self.counts = terms, counts

    def __len__(self) -> int:
        return len(self.terms)

    def __getitem__(self, index: int | slice) -> tuple[int, int] | list[tuple[int, int]]:
        if isinstance(index, slice):
            return list(self)[index]
        return int(self.terms[index]), int(self.counts[index])

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.terms.tolist(), self.counts.tolist(), strict=True)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # equal to a list, so unhashable like one

    def __repr__(self) -> str:
        return f"PackedUnit({list(self)!r})"


class PackedBow:
    """The bag-of-words rows of `write_matrix_market`, read by row from `PACKED_FILE` (one
    positioned read each: nothing is held but the index of 8 bytes per segment)."""

    def __init__(self, root: Path) -> None:
        self.path = root / PACKED_FILE
        self.starts = np.load(root / PACKED_INDEX)
        self._fd: int | None = None

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, row: int) -> PackedUnit:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY)
        start, end = int(self.starts[row]), int(self.starts[row + 1])
        data = os.pread(self._fd, 8 * (end - start), 8 * start)
        pairs = np.frombuffer(data, dtype="<i4").reshape(-1, 2)
        return PackedUnit(pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64))

    def __del__(self) -> None:
        if self._fd is not None:
            os.close(self._fd)

    def __getstate__(self) -> dict:  # an open file is not sent along
        return {"path": self.path, "starts": self.starts, "_fd": None}


_POWERS_OF_TEN = 10 ** np.arange(19, dtype=np.int64)


def _digits(values: np.ndarray) -> np.ndarray:
    """Decimal digits of positive integers (vectorised)."""
    return np.searchsorted(_POWERS_OF_TEN, values, side="right")
