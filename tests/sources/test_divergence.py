"""Jensen-Shannon divergence, TF-IDF similarity and clustering on corpora with known answers."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from analysis.core.params import load_params
from analysis.corpus.counts import count_terms
from analysis.sources import divergence
from analysis.sources.divergence import (
    corpus_divergence,
    group_divergence,
    jensen_shannon,
    source_divergence,
)
from analysis.sources.similarity import (
    corpus_document_similarity,
    document_similarity,
    nearest_neighbour_agreement,
    similarity_sample,
    source_document_similarity,
    tfidf_matrix,
)
from tests.sources.partitioned import seed_corpora


def test_jsd_known_values():
    assert jensen_shannon([3, 1, 0], [3, 1, 0]) == pytest.approx(0.0, abs=1e-12)
    assert jensen_shannon([1, 2, 0, 0], [0, 0, 5, 1]) == pytest.approx(1.0)
    # p = (1, 0), q = (1/2, 1/2): M = (3/4, 1/4); JSD = H(M) - (H(p) + H(q)) / 2
    h_m = -(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25))
    assert jensen_shannon([1, 0], [1, 1]) == pytest.approx(h_m - (0 + 1) / 2)
    with pytest.raises(ValueError, match="positive mass"):
        jensen_shannon([0, 0], [1, 1])


def _units(groups: dict[str, list[list[str]]]):
    pairs, owner = [], {}
    for group, token_lists in groups.items():
        for i, tokens in enumerate(token_lists):
            pairs.append((f"{group}:{i}", tokens))
            owner[f"{group}:{i}"] = group
    return count_terms(pairs), owner


UNITS = [["peace", "talks", "un"], ["peace", "peace", "israel"], ["un", "talks"]]


def test_corpus_against_itself_is_zero_and_disjoint_is_one():
    same, owner = _units({"A": UNITS, "B": UNITS})
    table = group_divergence(same, owner, bootstrap_samples=50, seed=1)
    ab = table[(table.group_a == "A") & (table.group_b == "B")].iloc[0]
    assert ab["jsd"] == pytest.approx(0.0, abs=1e-12)

    other = [["war", "tanks"], ["war", "rockets", "gaza"], ["tanks"]]
    disjoint, owner = _units({"A": UNITS, "B": other})
    table = group_divergence(disjoint, owner, bootstrap_samples=50, seed=1)
    ab = table[(table.group_a == "A") & (table.group_b == "B")].iloc[0]
    assert ab["jsd"] == pytest.approx(1.0)
    # every resample is disjoint too, so the interval is [1, 1]
    assert ab["ci_low"] == pytest.approx(1.0) and ab["ci_high"] == pytest.approx(1.0)
    diagonal = table[table.group_a == table.group_b]
    assert (diagonal["jsd"] == 0).all() and (diagonal["ci_low"] >= 0).all()


def test_bootstrap_is_seeded_and_symmetric():
    rng = np.random.default_rng(0)
    words = np.array(["a", "b", "c", "d", "e", "f"])
    groups = {
        g: [list(rng.choice(words, 12, p=p)) for _ in range(8)]
        for g, p in {"A": [0.3, 0.3, 0.1, 0.1, 0.1, 0.1], "B": [0.1] * 4 + [0.3, 0.3]}.items()
    }
    counts, owner = _units(groups)
    first = group_divergence(counts, owner, bootstrap_samples=100, seed=7)
    again = group_divergence(counts, owner, bootstrap_samples=100, seed=7)
    other = group_divergence(counts, owner, bootstrap_samples=100, seed=8)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["ci_low"], other["ci_low"])
    ab = first[(first.group_a == "A") & (first.group_b == "B")].iloc[0]
    ba = first[(first.group_a == "B") & (first.group_b == "A")].iloc[0]
    assert ab["jsd"] == ba["jsd"] and ab["ci_low"] == ba["ci_low"]
    assert 0 <= ab["ci_low"] <= ab["jsd_corrected"] <= ab["ci_high"] <= 1


def test_missing_group_is_a_clear_error():
    counts, owner = _units({"A": UNITS, "B": UNITS})
    owner.pop("A:0")
    with pytest.raises(KeyError, match="no group for units"):
        group_divergence(counts, owner, bootstrap_samples=1)


def test_tfidf_by_hand():
    counts = count_terms([("d1", ["x", "x", "y"]), ("d2", ["y"])])
    vectors = tfidf_matrix(counts).toarray()
    idf_x = math.log(3 / 2) + 1  # df(x) = 1 of N = 2 documents
    idf_y = math.log(3 / 3) + 1  # df(y) = 2
    norm = math.hypot(2 * idf_x, idf_y)
    assert vectors[0] == pytest.approx([2 * idf_x / norm, idf_y / norm])
    assert vectors[1] == pytest.approx([0.0, 1.0])


def test_similarity_orders_by_group_and_clusters_planted_topics():
    docs = {
        "z1": ("B", ["war", "tanks", "gaza"] * 3),
        "a1": ("A", ["peace", "talks", "un"] * 3),
        "z2": ("B", ["war", "tanks", "rockets"] * 3),
        "a2": ("A", ["peace", "talks", "quartet"] * 3),
    }
    counts = count_terms((d, tokens) for d, (_, tokens) in docs.items())
    result = document_similarity(counts, {d: g for d, (g, _) in docs.items()})
    assert result.doc_ids == ("a1", "a2", "z1", "z2")
    assert result.groups == ("A", "A", "B", "B")
    assert np.allclose(np.diag(result.similarity), 1.0)
    assert result.similarity[0, 2] == pytest.approx(0.0)  # no shared term
    assert result.similarity[0, 1] > 0.2
    # the first merge joins two documents of the same group
    first = sorted(int(i) for i in result.linkage[0, :2])
    assert result.groups[first[0]] == result.groups[first[1]]
    assert sorted(result.leaf_order) == [0, 1, 2, 3]
    agreement = nearest_neighbour_agreement(result).iloc[0]
    assert agreement["same_group_neighbour"] == 1.0
    assert agreement["chance"] == pytest.approx((2 * 1 + 2 * 1) / (4 * 3))
    assert len(result.to_frame()) == 4 * 5 // 2


def test_segment_level_helpers():
    segments = pd.DataFrame(
        {
            "segment_id": ["a:p0", "a:p1", "b:p0", "b:p1"],
            "doc_id": ["a", "a", "b", "b"],
            "group": ["A", "A", "B", "B"],
            "tokens": [["peace", "un"], ["talks"], ["war"], ["tanks", "war"]],
        }
    )
    params = load_params(overrides={"sources.bootstrap_samples": 20})
    table = source_divergence(segments, params)
    assert table["bootstrap_samples"].eq(20).all()
    assert table.query("group_a == 'A' and group_b == 'B'")["jsd"].iloc[0] == pytest.approx(1)
    assert source_document_similarity(segments).doc_ids == ("a", "b")


def test_neighbour_and_group_tables():
    docs = {"a1": ["peace"] * 3, "a2": ["peace", "talks"], "b1": ["war"], "b2": ["war", "gaza"]}
    result = document_similarity(count_terms(docs.items()), {d: d[0].upper() for d in docs})
    neighbours = result.neighbours(k=1)
    assert dict(zip(neighbours["doc_a"], neighbours["doc_b"], strict=True)) == {
        "a1": "a2", "a2": "a1", "b1": "b2", "b2": "b1",
    }  # fmt: skip
    assert len(result.neighbours(k=10)) == 4 * 3
    means = result.group_means().set_index(["group_a", "group_b"])
    assert means.loc[("A", "B"), "mean_cosine"] == pytest.approx(0.0)
    assert means.loc[("A", "A"), "pairs"] == 2
    assert means.loc[("A", "A"), "mean_cosine"] == pytest.approx(result.similarity[0, 1])


def test_similarity_sample_is_stratified_seeded_and_exact():
    groups = {f"a{i:03d}": "A" for i in range(900)}
    groups |= {f"b{i:03d}": "B" for i in range(97)} | {"c0": "C", "c1": "C", "c2": "C"}
    picked = similarity_sample(groups, 100, seed=7)
    per_group = pd.Series([groups[d] for d in picked]).value_counts().to_dict()
    assert len(picked) == 100
    # two of each group first, then the other 94 in proportion to 898 / 95 / 1 left
    assert per_group == {"A": 87, "B": 11, "C": 2}
    assert similarity_sample(groups, 100, seed=7) == picked
    assert similarity_sample(groups, 100, seed=8) != picked


def test_document_similarity_samples_large_corpora_and_says_so():
    rows = [(f"{g}{i}", g.upper(), [g + "word", f"w{i % 7}"]) for g in "ab" for i in range(30)]
    segments = pd.DataFrame(rows, columns=["doc_id", "group", "tokens"])
    full = source_document_similarity(segments)
    assert not full.sampled and full.sample_note() == ""
    sampled = source_document_similarity(segments, max_documents=10, seed=1)
    assert len(sampled.doc_ids) == 10 and sampled.n_documents == 60
    assert sorted(sampled.groups) == ["A"] * 5 + ["B"] * 5
    assert "sample of 10 of the 60 documents" in sampled.sample_note()
    with pytest.raises(ValueError, match="similarity_max_documents"):
        source_document_similarity(segments, max_documents=-1)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    return seed_corpora(tmp_path_factory, sources={"bootstrap_samples": 60})


def test_divergence_on_five_partitions_equals_the_corpus_in_memory(corpora):
    one, many = corpora
    expected = source_divergence(one.corpus.in_memory().segments, one.params)
    assert expected["bootstrap_samples"].eq(60).all() and expected["ci_low"].notna().all()
    for prepared in (one, many):
        table = corpus_divergence(prepared.corpus, prepared.params)
        pd.testing.assert_frame_equal(table, expected, check_exact=True)


def test_bootstrap_batches_do_not_change_the_replicates(monkeypatch):
    rng = np.random.default_rng(3)
    units = [(f"u{i}", list(rng.choice(list("abcdefgh"), size=12))) for i in range(40)]
    counts = count_terms(units)
    owner = {label: "AB"[int(label[1:]) % 2] for label in counts.labels}
    whole = group_divergence(counts, owner, bootstrap_samples=25, seed=4)
    monkeypatch.setattr(divergence, "BOOTSTRAP_BATCH_BYTES", 1)  # one replicate per batch
    batched = group_divergence(counts, owner, bootstrap_samples=25, seed=4)
    pd.testing.assert_frame_equal(batched, whole, check_exact=True)
    assert whole["ci_high"].gt(whole["ci_low"]).any()


def test_resampled_sums_of_float_counts_equal_the_integer_sums():
    """The bootstrap multiplies weights and counts as float64 (faster): every product and
    sum is an integer below 2**53, so the sums are the integer ones exactly."""
    rng = np.random.default_rng(8)
    blocks = [sparse.random_array((n, 300), density=0.3, rng=rng, format="csr") for n in (50, 70)]
    blocks = [
        sparse.csr_array((np.ceil(b.data * 900), b.indices, b.indptr), b.shape) for b in blocks
    ]
    integer = [b.astype(np.int64) for b in blocks]
    floats = [divergence._exact_floats(b) for b in integer]
    assert all(b.dtype == np.float64 for b in floats)
    by_int = divergence._resampled_sums(integer, 7, np.random.default_rng(1))
    by_float = divergence._resampled_sums(floats, 7, np.random.default_rng(1))
    assert np.array_equal(by_int, by_float) and by_int.max() > 1000


@pytest.mark.parametrize("max_documents", [0, 3])
def test_similarity_on_five_partitions_equals_the_corpus_in_memory(corpora, max_documents):
    one, many = corpora
    segments = one.corpus.in_memory().segments
    seed = one.params.run.seed
    expected = source_document_similarity(segments, max_documents, seed)
    assert expected.n_documents == 5  # 3: the sample keeps two of each source, i.e. all 5
    for prepared in (one, many):
        params = dataclasses.replace(
            prepared.params,
            sources=dataclasses.replace(
                prepared.params.sources, similarity_max_documents=max_documents
            ),
        )
        result = corpus_document_similarity(prepared.corpus, params)
        assert result.doc_ids == expected.doc_ids and result.groups == expected.groups
        assert np.array_equal(result.similarity, expected.similarity)
        assert np.array_equal(result.linkage, expected.linkage)
        assert result.n_documents == expected.n_documents
