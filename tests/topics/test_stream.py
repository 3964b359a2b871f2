"""Tests for analysis.topics.stream: the topic model's units, texts and proportions read per
partition equal those of the whole corpus in memory, on two worker processes as in one."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis.core.params import load_params
from analysis.corpus.prepare import partitioned_corpus
from analysis.topics.comparison import topic_prevalence
from analysis.topics.inference import ChunkedLdaModel
from analysis.topics.model import (
    TopicSettings,
    document_topic_gamma,
    document_topic_matrix,
    fit_topic_model,
    representative_passages,
    topic_data,
    topic_word_matrix,
)
from analysis.topics.stream import (
    UnitsContext,
    UnitStream,
    corpus_topic_data,
    document_gammas,
    document_topics,
    partition_units,
    topic_data_of,
    training_units,
    units_parts,
)

FAST = TopicSettings(passes=5, iterations=50, min_updates=5)
WORDS = {
    "A": "ceasefire border troops shelling artillery frontline",
    "B": "budget inflation markets trade tariffs exports",
}


def news(i: int, outlet: str) -> str:
    """Two paragraphs of the outlet's words (rotated per document) and one of stop words."""
    words = WORDS[outlet].split()
    first = " ".join(words[i % 6 :] + words[: i % 6])
    return f"{first} {words[0]}.\n\nThe and of the.\n\n{first} {WORDS['A' if i % 3 else 'B']}."


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    return prepared_twice(tmp_path_factory.mktemp("stream"))


def prepared_twice(folder, extra: dict | None = None) -> tuple:
    """((params, corpus), (params, corpus)): the same corpus prepared as one partition (in
    process) and as partitions of two documents on two worker processes."""
    rows = [
        {"doc_id": f"d{i:02d}", "outlet": outlet, "text": news(i, outlet)}
        for i in range(12)
        for outlet in ["A" if i % 2 else "B"]
    ]
    pd.DataFrame(rows).to_csv(folder / "news.csv", index=False)
    common = {
        "corpus.path": str(folder / "news.csv"),
        "corpus.group_by": "outlet",
        "cleaning.rules_file": "",
        "segments.unit": "paragraph",
        "segments.min_words": 1,
        "preprocess.phrases": False,
        "preprocess.min_df": 1,
        "preprocess.max_df": 1.0,
        **(extra or {}),
    }
    one = load_params(
        overrides={**common, "run.cache_dir": str(folder / "one"), "run.batch_rows": 1000}
    )
    many = load_params(
        overrides={
            **common,
            "run.cache_dir": str(folder / "many"),
            "run.batch_rows": 2,
            "run.scheduler": "processes",
            "run.workers": 2,
        }
    )
    return (one, partitioned_corpus(one)), (many, partitioned_corpus(many))


def test_units_and_bags_of_words_do_not_depend_on_the_partitioning(corpora):
    (one, single), (many, split) = corpora
    assert len(single.parts) == 1 and len(split.parts) == 6
    first, second = corpus_topic_data(single, one), corpus_topic_data(split, many)
    in_memory = topic_data(single.in_memory())
    assert first.n_empty == second.n_empty == in_memory.n_empty > 0  # the stop-word paragraphs
    pd.testing.assert_frame_equal(first.units, second.units)
    pd.testing.assert_frame_equal(first.units, in_memory.units.drop(columns=["text"]))
    assert "text" not in first.units and "tokens" not in first.units  # a light table
    assert first.bow == second.bow == in_memory.bow
    assert first.texts is None  # token lists are fetched, not held
    rows = [len(in_memory.bow) - 1, 0, 3]
    assert second.unit_tokens(rows) == [in_memory.texts[i] for i in rows]
    assert second.unit_tokens() == in_memory.texts
    assert second.unit_texts(rows) == in_memory.unit_texts(rows)
    assert topic_data_of(single.in_memory(), one).bow == in_memory.bow


def test_proportions_inferred_per_partition_equal_those_of_the_whole_corpus(corpora):
    (one, single), (many, split) = corpora
    first, second = corpus_topic_data(single, one), corpus_topic_data(split, many)
    fit = fit_topic_model(first.bow, first.dictionary, 2, FAST, seed=3)
    whole = document_topic_matrix(fit.model, first.bow, 11)
    per_partition = document_topics(fit.model, second, 11)
    assert np.array_equal(per_partition, whole)  # bit for bit
    assert np.array_equal(document_topics(fit.model, first, 11), whole)
    assert not np.array_equal(document_topics(fit.model, second, 12), whole)  # seed reaches it
    prevalence = topic_prevalence(whole, first.units, 100, 1)
    pd.testing.assert_frame_equal(topic_prevalence(per_partition, second.units, 100, 1), prevalence)
    in_memory = topic_data(single.in_memory())
    pd.testing.assert_frame_equal(
        representative_passages(per_partition, second.units, 2, texts=second.unit_texts),
        representative_passages(whole, in_memory.units, 2),
    )


def test_each_of_several_models_inferred_per_partition_starts_from_the_seeded_draws(corpora):
    """Several models inferred together (the restarts of a large corpus) give each model's
    own in-memory proportions: no model starts from the one before it (the E-step updates
    its starting draws in place)."""
    (one, single), (many, split) = corpora
    first, second = corpus_topic_data(single, one), corpus_topic_data(split, many)
    fits = [fit_topic_model(first.bow, first.dictionary, 2, FAST, seed=s) for s in (3, 4)]
    models = [fit.model for fit in fits]
    expected = [document_topic_gamma(model, first.bow, 11) for model in models]
    for data in (first, second):
        together = document_gammas(models, data, 11)
        assert all(np.array_equal(a, b) for a, b in zip(together, expected, strict=True))
        assert np.array_equal(together[1], document_gammas(models[1:], data, 11)[0])


def test_a_fit_streamed_from_disk_equals_the_fit_in_memory(corpora, monkeypatch, capsys):
    """Same topics and convergence (with its progress bar: every unit of every pass); and
    the streamed fit keeps no chunk's entries (each pass reads new units: a cache of them
    would hold every unit of every pass)."""
    cached: list[int] = []
    chunk_entries = ChunkedLdaModel.chunk_entries

    def recording(model, chunk):
        entries = chunk_entries(model, chunk)
        cached.append(len(model.entry_cache or {}))
        return entries

    monkeypatch.setattr(ChunkedLdaModel, "chunk_entries", recording)
    (one, single), (many, split) = corpora
    first, second = corpus_topic_data(single, one), corpus_topic_data(split, many)
    stream = training_units(second)
    assert len(stream) == len(first.bow) and list(stream) == first.bow
    assert stream.reordered([2, 0])[1] == first.bow[0]
    in_memory = fit_topic_model(first.bow, first.dictionary, 2, FAST, seed=4)
    assert max(cached) > 0  # in memory, the cache is used
    cached.clear()
    streamed = fit_topic_model(stream, second.dictionary, 2, FAST, seed=4, progress="fit")
    assert cached and max(cached) == 0
    every_unit = streamed.passes * len(stream)
    assert f"{every_unit}/{every_unit}" in capsys.readouterr().err
    assert np.array_equal(topic_word_matrix(streamed.model), topic_word_matrix(in_memory.model))
    pd.testing.assert_frame_equal(streamed.convergence, in_memory.convergence)
    in_memory_data = topic_data(single.in_memory())
    assert training_units(in_memory_data) is in_memory_data.bow


def test_above_the_sweep_size_the_bags_of_words_stay_on_disk(corpora):
    """A corpus of more segments than `topics.sweep_max_units`: the partitions send back no
    bags of words; the data reads them from the Matrix Market file by row (the same bags)
    and counts the terms from the partitions' totals (the same probabilities)."""
    (one, single), (many, split) = corpora
    streamed_params = dataclasses.replace(
        many, topics=dataclasses.replace(many.topics, sweep_max_units=10)
    )
    in_memory = topic_data(single.in_memory())
    streamed = corpus_topic_data(split, streamed_params)
    assert isinstance(streamed.bow, UnitStream) and training_units(streamed) is streamed.bow
    assert len(streamed.bow) == len(in_memory.bow) and list(streamed.bow) == in_memory.bow
    assert [streamed.bow[i] for i in (5, 0)] == [in_memory.bow[5], in_memory.bow[0]]
    assert np.array_equal(streamed.term_probabilities(), in_memory.term_probabilities())
    held = corpus_topic_data(split, many)  # 36 segments within the default 10,000
    assert isinstance(held.bow, list) and held.bow == in_memory.bow
    empties = dataclasses.replace(many.topics, sweep_max_units=len(in_memory.bow))
    few = corpus_topic_data(split, dataclasses.replace(many, topics=empties))
    assert isinstance(few.bow, list) and few.bow == in_memory.bow  # 36 segments, 24 units
    context = UnitsContext(split.packed_bow(), len(split.dictionary), False)
    parts = [partition_units(item, context) for item in units_parts(split)]
    assert len(parts) > 1 and all(p.bow is None for p in parts)
    assert sum(p.n_segments for p in parts) == split.n_segments
    assert all(p.term_totals.sum() == p.units["n_tokens"].sum() > 0 for p in parts)
    firsts = np.cumsum([0] + [p.n_segments for p in parts[:-1]])
    kept = [i for p, first in zip(parts, firsts, strict=True) for i in p.rows + first]
    assert kept == streamed.source.rows.tolist()  # the same units as the whole in memory
