"""ANTMN on a planted structure: two blocks of co-varying topics become two frames."""

import numpy as np
import pandas as pd
import pytest

from analysis.framing.antmn import (
    antmn_frames,
    antmn_note,
    network_layout,
    topic_correlation_edges,
    topic_network_frames,
    topic_proportions,
)
from tests.topics.test_stream import prepared_twice

SMALL_MODEL = {
    "topics.num_topics": 2,
    "topics.sweep_seeds": 2,
    "topics.restarts": 2,
    "topics.processes": 1,
    "topics.holdout_fraction": 0.25,
    "framing.antmn_level": "units",
}


def planted():
    # Units either about topics 0-1-2 together or about topics 3-4 together.
    rng = np.random.default_rng(0)
    rows = []
    for i in range(40):
        block = [0, 1, 2] if i % 2 == 0 else [3, 4]
        weights = np.full(5, 0.01)
        weights[block] = rng.uniform(0.5, 1.0, len(block))
        rows.append(weights / weights.sum())
    doc_topics = pd.DataFrame(rows, index=[f"u{i}" for i in range(40)])
    groups = pd.Series(["A" if i % 2 == 0 else "B" for i in range(40)])
    return doc_topics, groups


def test_planted_blocks_are_recovered():
    doc_topics, groups = planted()
    net = topic_network_frames(doc_topics, groups, seed=1)
    frames = dict(zip(net.nodes["topic"], net.nodes["frame"], strict=True))
    assert frames[0] == frames[1] == frames[2] == "F1"  # the larger community is F1
    assert frames[3] == frames[4] == "F2"
    shares = net.shares.set_index(["group", "frame"])["share"]
    assert shares[("A", "F1")] > 0.9 and shares[("B", "F2")] > 0.9
    assert shares[("A", "F1")] + shares[("A", "F2")] == pytest.approx(1.0)
    again = topic_network_frames(doc_topics, groups, seed=1)
    pd.testing.assert_frame_equal(again.nodes, net.nodes)


def test_edges_are_positive_correlations_only():
    doc_topics, _ = planted()
    edges = topic_correlation_edges(doc_topics)
    assert (edges["weight"] > 0).all()
    corr = np.corrcoef(doc_topics.to_numpy(), rowvar=False)
    row = edges[(edges["topic_a"] == 0) & (edges["topic_b"] == 1)].iloc[0]
    assert row["weight"] == pytest.approx(corr[0, 1])
    assert edges[(edges["topic_a"] == 0) & (edges["topic_b"] == 3)].empty


def test_no_positive_edges_is_reported():
    one_hot = pd.DataFrame(np.eye(3)[[0, 1, 2, 0, 1, 2]])
    net = topic_network_frames(one_hot, pd.Series(["A"] * 6), seed=0)
    assert net.edges.empty and net.nodes["frame"].nunique() == 3
    assert "no frame larger than a topic" in antmn_note(net)


def test_layout_is_seeded():
    doc_topics, _ = planted()
    edges = topic_correlation_edges(doc_topics)
    assert network_layout(list(range(5)), edges, 3) == network_layout(list(range(5)), edges, 3)


def test_units_pool_into_documents_by_token_weight():
    from analysis.framing.antmn import pool_by_document

    unit_topics = pd.DataFrame([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], columns=[0, 1])
    units = pd.DataFrame(
        {"doc_id": ["a", "a", "b"], "group": ["G", "G", "H"], "n_tokens": [3, 1, 2]}
    )
    pooled, groups = pool_by_document(unit_topics, units)
    assert pooled.loc["a"].tolist() == [0.75, 0.25]  # (3*1 + 1*0) / 4
    assert pooled.loc["b"].tolist() == [0.5, 0.5]
    assert groups.tolist() == ["G", "H"]


def test_partitioned_corpus_gives_the_proportions_of_the_corpus_in_memory(tmp_path):
    """The framing notebook's `antmn_frames(corpus, run.params)` on the partitioned corpus,
    split over two worker processes, equals the in-memory corpus's in one process."""
    (one, single), (many, split) = prepared_twice(tmp_path, SMALL_MODEL)
    expected, groups, labels = topic_proportions(single.in_memory(), one)
    found, found_groups, found_labels = topic_proportions(split, many)
    pd.testing.assert_frame_equal(found, expected)
    pd.testing.assert_series_equal(found_groups, groups)
    assert found_labels == labels and len(found) == len(expected) > 12
    network = antmn_frames(split, many)
    pd.testing.assert_frame_equal(network.nodes, antmn_frames(single.in_memory(), one).nodes)
