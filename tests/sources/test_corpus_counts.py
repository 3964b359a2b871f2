"""Tests for analysis.sources.corpus_counts and analysis.scale.scheduler: hand-checked counts,
the same results on a dask.distributed LocalCluster with two worker processes as in a single
process."""

from __future__ import annotations

from operator import add, mul

import pandas as pd
import pytest

from analysis.core.params import load_params
from analysis.corpus.prepare import partitioned_corpus
from analysis.scale.scheduler import compute_in_order, process_peak_kib, reduce_in_order
from analysis.sources.corpus_counts import corpus_counts

FRAMES = """
version: "t1"
frames:
  security:
    description: threat words
    source: test
    terms: [security, threat*, armed forces]
    exclude: [Security Council]
  economy:
    description: money words
    source: test
    terms: [trade, budget*, "US"]
"""
ACTORS = """
version: "t1"
camps: [United Nations, United States]
types: [organ, state]
actors:
  unsc: {name: Security Council, type: organ, camp: United Nations,
         aliases: [Security Council, UNSC]}
  usa: {name: United States, type: state, camp: United States, aliases: [United States, US]}
"""
TEXTS = [
    ("A", "The Security Council met on security. Threats and threatening armed-forces moves."),
    ("A", "Budgets, trade and the US budget; us and trade-offs. UNSC again."),
    ("B", "Nothing relevant here at all, just words and more words for padding."),
    ("B", "The United States and US trade; security first, then the Security Council."),
]


@pytest.fixture
def counted_corpus(tmp_path):
    pd.DataFrame(
        [{"doc_id": f"t{i}", "outlet": g, "text": t} for i, (g, t) in enumerate(TEXTS)]
    ).to_csv(tmp_path / "news.csv", index=False)
    (tmp_path / "frames.yaml").write_text(FRAMES, encoding="utf-8")
    (tmp_path / "actors.yaml").write_text(ACTORS, encoding="utf-8")
    overrides = {
        "corpus.path": str(tmp_path / "news.csv"),
        "corpus.group_by": "outlet",
        "cleaning.rules_file": "",
        "segments.unit": "document",
        "preprocess.phrases": False,
        "preprocess.min_df": 1,
        "preprocess.max_df": 1.0,
        "framing.frames_file": str(tmp_path / "frames.yaml"),
        "framing.actors_file": str(tmp_path / "actors.yaml"),
        "run.cache_dir": str(tmp_path / "cache"),
        "run.scheduler": "synchronous",
        "run.batch_rows": 1,
    }
    params = load_params(overrides=overrides)
    streamed = partitioned_corpus(params)
    return params, streamed, overrides


def test_counts_match_a_hand_count(counted_corpus):
    params, streamed, _ = counted_corpus
    counts = corpus_counts(streamed.segment_paths(), params)
    frames = counts.frames.set_index(["group", "frame"])
    # A: "security" 1 (Security Council excluded), "Threats", "threatening", "armed-forces" = 4
    assert frames.loc[("A", "security"), "hits"] == 4
    # A: "Budgets", "trade", "US", "budget" (not "us", not "trade-offs"... "trade" is a word
    # edge at the hyphen, so "trade-offs" counts) = 5
    assert frames.loc[("A", "economy"), "hits"] == 5
    assert frames.loc[("B", "security"), ["hits", "units", "n_units"]].tolist() == [1, 1, 2]
    actors = counts.actors.set_index(["group", "actor"])
    assert actors.loc[("A", "unsc"), "mentions"] == 2
    assert actors.loc[("B", "usa"), "mentions"] == 2
    assert actors.loc[("B", "unsc"), ["mentions", "units"]].tolist() == [1, 1]
    terms = counts.terms
    assert terms.labels == ("A", "B")
    assert terms.row("A")[terms.vocabulary.index("trade")] == 1
    assert terms.row("B")[terms.vocabulary.index("words")] == 2


def test_local_cluster_gives_the_single_process_result(counted_corpus):
    distributed = pytest.importorskip("distributed")
    params, streamed, overrides = counted_corpus
    reference = corpus_counts(streamed.segment_paths(), params)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        cluster_params = load_params(
            overrides={**overrides, "run.scheduler": cluster.scheduler_address}
        )
        on_cluster = corpus_counts(streamed.segment_paths(), cluster_params)
        peaks: list[int] = []
        squares = compute_in_order(pow, [1, 2, 3, 4], 2, cluster_params, peaks)
        # [i] * 1 per partition, joined by list concatenation: order-sensitive, associative
        joined = reduce_in_order(mul, add, [[i] for i in range(7)], 1, cluster_params, peaks)
        tree = reduce_in_order(digit, bracket, list(range(5)), None, cluster_params)
    assert tree == "(((01)(23))4)"  # the tree every local scheduler folds too
    assert squares == [1, 4, 9, 16]
    assert joined == list(range(7))
    assert len(peaks) == 5 and all(peak > 0 for peak in peaks)
    assert on_cluster.terms.labels == reference.terms.labels
    assert on_cluster.terms.vocabulary == reference.terms.vocabulary
    assert (on_cluster.terms.matrix != reference.terms.matrix).nnz == 0
    pd.testing.assert_frame_equal(on_cluster.frames, reference.frames)
    pd.testing.assert_frame_equal(on_cluster.actors, reference.actors)
    pd.testing.assert_frame_equal(on_cluster.groups, reference.groups)


def test_unknown_scheduler_is_a_clear_error(counted_corpus):
    _, _, overrides = counted_corpus
    params = load_params(overrides={**overrides, "run.scheduler": "cluster please"})
    with pytest.raises(ValueError, match="run.scheduler is 'cluster please'"):
        compute_in_order(pow, [1], 2, params)


def test_counts_equal_the_in_memory_frame_and_actor_counts(counted_corpus):
    """Frame hits and actor mentions per group as `analysis.framing.frames` /
    `analysis.framing.actors` find them unit by unit (the reference matchers), and words by
    `count_words`."""
    from analysis.corpus.tokens import count_words
    from analysis.framing.actors import load_actor_gazetteer
    from analysis.framing.frames import frame_matcher, load_frame_dictionary

    params, streamed, _ = counted_corpus
    counts = corpus_counts(streamed.segment_paths(), params)
    units = streamed.load_segments()
    dictionary = load_frame_dictionary(params.framing.frames_file)
    gazetteer = load_actor_gazetteer(params.framing.actors_file)
    for group, rows in units.groupby("group"):
        row = counts.groups.set_index("group").loc[group]
        assert row["n_words"] == sum(count_words(t) for t in rows["text"])
        for frame in dictionary.frames:
            skip = set(frame.exclude) - set(frame.terms)
            per_unit = [
                sum(m.term not in skip for m in frame_matcher(frame).find(t)) for t in rows["text"]
            ]
            got = counts.frames.set_index(["group", "frame"]).loc[(group, frame.frame_id)]
            assert [got["hits"], got["units"]] == [sum(per_unit), sum(n > 0 for n in per_unit)]
        mentions = [gazetteer.matcher.find(t) for t in rows["text"]]
        for actor in gazetteer.actors:
            per_unit = [
                sum(gazetteer.alias_actor[m.term] == actor.actor_id for m in ms) for ms in mentions
            ]
            got = counts.actors.set_index(["group", "actor"]).loc[(group, actor.actor_id)]
            assert [got["mentions"], got["units"]] == [sum(per_unit), sum(n > 0 for n in per_unit)]


def _filled_bytes(mib: int, _context) -> int:
    return len(b"x" * (mib * 1024 * 1024))  # written, so resident


def test_each_task_reports_the_peak_memory_of_its_process(counted_corpus):
    _, _, overrides = counted_corpus
    params = load_params(overrides=overrides)  # synchronous: the tasks run in this process
    before = process_peak_kib()
    peaks: list[int] = []
    assert compute_in_order(_filled_bytes, [1, 96], None, params, peaks) == [2**20, 96 * 2**20]
    assert len(peaks) == 2 and before <= peaks[0] <= peaks[1]
    assert peaks[1] >= 96 * 1024  # the 96 MiB the second task held count in its peak


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_reduce_in_order_folds_partitions_in_order(counted_corpus, n):
    _, _, overrides = counted_corpus
    params = load_params(overrides=overrides)
    assert reduce_in_order(mul, add, [[i] for i in range(n)], 1, params) == list(range(n))
    with pytest.raises(ValueError, match="at least one partition"):
        reduce_in_order(mul, add, [], 1, params)


def bracket(*parts: str) -> str:
    """A non-associative `combine`: writes down the tree it was folded in."""
    return "(" + "".join(parts) + ")"


def digit(partition: int, _context: object) -> str:
    return str(partition)


@pytest.mark.parametrize("scheduler", ["synchronous", "threads", "processes"])
def test_every_local_scheduler_folds_the_tree_a_cluster_folds(counted_corpus, scheduler):
    """Neighbours in pairs, level by level, a last odd one passed up: the tree the cluster's
    graph has (`test_local_cluster_gives_the_single_process_result`), folded here."""
    _, _, overrides = counted_corpus
    params = load_params(overrides={**overrides, "run.scheduler": scheduler, "run.workers": 2})
    trees = {n: reduce_in_order(digit, bracket, list(range(n)), None, params) for n in (1, 5, 6)}
    assert trees == {1: "0", 5: "(((01)(23))4)", 6: "(((01)(23))(45))"}
