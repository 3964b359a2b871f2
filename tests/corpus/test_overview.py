"""Corpus overview tables on the seeds: counts that add up and match the texts."""

from __future__ import annotations

import pytest

from analysis.core.params import build_params
from analysis.corpus import overview as corpus_overview
from analysis.corpus.prepare import partitioned_corpus


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    params = build_params({"run": {"cache_dir": str(cache)}})
    return partitioned_corpus(params), params


@pytest.fixture(scope="module")
def seeds(prepared):
    return corpus_overview.corpus_overview(prepared[0])


def test_group_summary_counts_documents_segments_and_words(seeds, prepared):
    summary = corpus_overview.group_summary(seeds).set_index("group")
    assert summary["documents"].to_dict() == {
        "Al-Monitor": 1,
        "Breitbart": 1,
        "Chinese wire": 1,
        "UN": 2,
    }
    assert summary["segments"].sum() == prepared[0].n_segments
    tokens = sum(
        len(ts) for frame in prepared[0].iter_segments(["tokens"]) for ts in frame["tokens"]
    )
    assert summary["vocabulary_tokens"].sum() == tokens
    texts = prepared[0].documents(with_text=True)["text"]
    words = sum(len(t.split()) for t in texts)
    assert abs(summary["words"].sum() - words) / words < 0.05  # tokeniser vs whitespace split


def test_document_table_lists_every_document_with_its_segments(seeds, prepared):
    table = corpus_overview.document_table(seeds)
    assert list(table.columns) == list(corpus_overview.DOCUMENT_TABLE_COLUMNS)
    assert table["n_segments"].sum() == prepared[0].n_segments
    assert set(table["doc_id"]) == set(seeds.documents["doc_id"])


def test_accounting_note_adds_up_and_flags_single_document_groups(seeds):
    note = corpus_overview.accounting_note(seeds)
    assert "5 documents in: 5 analysed, 0 rejected" in note
    assert "Al-Monitor, Breitbart, Chinese wire" in note


def test_dates_span_their_precision(seeds):
    dated = corpus_overview.dated_documents(seeds).set_index("doc_id")
    assert str(dated.loc["almonitor-2017-01", "end"].date()) == "2017-01-31"
    assert dated.loc["breitbart-2017-01-15", "start"] == dated.loc["breitbart-2017-01-15", "end"]
    assert "un-dppa-page" not in dated.index
    assert corpus_overview.undated_count(seeds) == 1


def test_cleaning_by_rule_shares_match_the_report(seeds):
    table = corpus_overview.cleaning_by_rule(seeds)
    breitbart = table[table["group"] == "Breitbart"].set_index("step")
    raw = seeds.cleaning_report.set_index("doc_id").loc["breitbart-2017-01-15", "chars_raw"]
    caption = breitbart.loc["breitbart-photo-caption"]
    assert caption["percent_removed"] == pytest.approx(100 * caption["chars_removed"] / raw)


def test_a_corpus_no_rule_touches_gives_an_empty_typed_cleaning_table(tmp_path):
    folder = tmp_path / "clean"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.txt").write_text(f"Plain text of {name} with nothing to clean.")
    params = build_params(
        {"corpus": {"path": str(folder)}, "run": {"cache_dir": str(tmp_path / "cache")}}
    )
    prepared = corpus_overview.corpus_overview(partitioned_corpus(params))
    table = corpus_overview.cleaning_by_rule(prepared)
    assert table.empty
    assert table["percent_removed"].dtype == "float64"
    assert "0 steps fired" in corpus_overview.cleaning_caption(prepared)
