"""The merged vocabulary and the Matrix Market bag of words are gensim's own, for any
partitioning."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from gensim.corpora import Dictionary, MmCorpus

from analysis.corpus import vocabulary as vocab
from analysis.corpus.partitions import part_name


def _write_parts(root, partitions) -> list[str]:
    for folder in (vocab.VOCABULARY_FOLDER, vocab.TERM_IDS_FOLDER):
        (root / folder).mkdir(parents=True)
    names = []
    for index, token_lists in enumerate(partitions):
        name = part_name(index)
        vocabulary, term_ids = vocab.partition_vocabulary(token_lists)
        pq.write_table(vocabulary, root / vocab.VOCABULARY_FOLDER / name)
        pq.write_table(term_ids, root / vocab.TERM_IDS_FOLDER / name)
        names.append(name)
    return names


# Segments that are empty (first, consecutive, last), emptied by pruning ("rare" tokens),
# repeat tokens, and new tokens whose sorted order differs from their order in the text.
SEGMENTS = [
    [],
    ["zeta", "alpha", "zeta", "Zulu", "émigré"],
    ["rare1"],
    [],
    ["alpha", "beta", "beta", "beta", "gamma", "Zulu"],
    ["delta", "alpha", "rare2", "gamma"],
    ["beta", "delta", "émigré", "gamma", "gamma"],
    ["zeta", "delta", "beta"],
    ["rare3", "rare3"],
    [],
]


@pytest.mark.parametrize("cuts", [(10,), (1, 4, 10), (3, 5, 8, 9, 10), (0, 3, 3, 10, 10)])
@pytest.mark.parametrize("keep_n", [100, 3])
def test_merged_dictionary_and_matrix_market_are_gensims(tmp_path, cuts, keep_n):
    """Partition vocabularies merged in order give gensim's ids, frequencies and counts,
    and the Matrix Market file and its offset index are the bytes MmCorpus.serialize writes
    (keep_n=3 cuts ties in document frequency, broken by id; partitions may be empty)."""
    starts = (0, *cuts[:-1])
    names = _write_parts(tmp_path, [SEGMENTS[a:b] for a, b in zip(starts, cuts, strict=True)])
    merged = vocab.merged_dictionary(tmp_path, names, 2, 0.9, keep_n)
    reference = Dictionary(SEGMENTS)
    reference.filter_extremes(no_below=2, no_above=0.9, keep_n=keep_n)
    assert merged.token2id == reference.token2id
    assert list(merged.token2id) == list(reference.token2id)
    assert (merged.dfs, merged.cfs) == (reference.dfs, reference.cfs)
    assert (merged.num_docs, merged.num_pos, merged.num_nnz) == (10, 26, 21)
    assert (reference.num_docs, reference.num_pos, reference.num_nnz) == (10, 26, 21)
    vocab.write_matrix_market(tmp_path, names, merged)
    MmCorpus.serialize(
        str(tmp_path / "reference.mm"), [reference.doc2bow(s) for s in SEGMENTS], reference
    )
    written = (tmp_path / vocab.BOW_FILE).read_bytes()
    assert written == (tmp_path / "reference.mm").read_bytes()
    assert written.split(b"\n")[1].split() == [
        b"10",
        str(len(reference)).encode(),
        b"%d" % (sum(len(reference.doc2bow(s)) for s in SEGMENTS)),
    ]
    index = (tmp_path / (vocab.BOW_FILE + ".index")).read_bytes()
    assert index == (tmp_path / "reference.mm.index").read_bytes()
    assert MmCorpus(str(tmp_path / vocab.BOW_FILE))[4] == reference.doc2bow(SEGMENTS[4])
    packed = vocab.PackedBow(tmp_path)
    assert len(packed) == len(SEGMENTS)
    for row in [9, 0, 4, 1, 3, 8, 2, 5, 7, 6]:  # any order; empty rows first, last, in between
        unit = packed[row]
        assert unit == reference.doc2bow(SEGMENTS[row])
        assert unit.terms.tolist() == [t for t, _ in unit]
        assert unit.counts.tolist() == [c for _, c in unit]


def test_a_vocabulary_above_prune_at_is_pruned_as_add_documents_prunes(tmp_path, monkeypatch):
    """Above gensim's prune_at the merge keeps the most frequent tokens before each partition,
    exactly as add_documents called partition by partition (memory bounded by PRUNE_AT)."""
    monkeypatch.setattr(vocab, "PRUNE_AT", 4)
    partitions = [SEGMENTS[0:3], SEGMENTS[3:6], SEGMENTS[6:10]]
    names = _write_parts(tmp_path, partitions)
    merged = vocab.merged_dictionary(tmp_path, names, 1, 1.0, 100)
    reference = Dictionary()
    for token_lists in partitions:
        reference.add_documents(token_lists, prune_at=4)
    reference.filter_extremes(no_below=1, no_above=1.0, keep_n=100)
    assert merged.token2id == reference.token2id and merged.dfs == reference.dfs
    assert len(Dictionary(SEGMENTS)) == 10 > len(merged)
