"""Corpus overview tables on the seeds: counts that add up and match the texts; on a corpus
of many partitions, the same overview as the whole tables give, read part by part."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.params import build_params, load_params
from analysis.core.table_parts import TableParts
from analysis.corpus import overview as corpus_overview
from analysis.corpus.prepare import PartitionedCorpus, partitioned_corpus


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    params = build_params({"run": {"cache_dir": str(cache)}})
    return partitioned_corpus(params), params


@pytest.fixture(scope="module")
def seeds(prepared):
    return corpus_overview.corpus_overview(prepared[0])


def test_group_summary_counts_documents_segments_and_words(seeds, prepared):
    summary = seeds.summary.set_index("group")
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


def test_document_table_lists_every_document_with_its_segments_in_corpus_order(seeds, prepared):
    parts = corpus_overview.document_table(seeds)
    assert isinstance(parts, TableParts)
    table = pd.concat(list(parts.frames()), ignore_index=True)
    assert list(table.columns) == list(corpus_overview.DOCUMENT_TABLE_COLUMNS)
    assert table["n_segments"].sum() == prepared[0].n_segments
    assert list(table["doc_id"]) == list(prepared[0].documents()["doc_id"])
    units = prepared[0].units().groupby("doc_id").size()
    assert table.set_index("doc_id")["n_segments"].to_dict() == units.to_dict()


def test_accounting_note_adds_up_and_flags_single_document_groups(seeds):
    note = corpus_overview.accounting_note(seeds)
    assert "5 documents in: 5 analysed, 0 rejected" in note
    assert "Al-Monitor, Breitbart, Chinese wire" in note


def test_dates_span_their_precision(seeds):
    dated = seeds.dated.set_index("group")
    assert str(dated.loc["Al-Monitor", "start"].date()) == "2017-01-01"  # known to the month
    assert str(dated.loc["Al-Monitor", "end"].date()) == "2017-01-31"
    assert dated.loc["Breitbart", "start"] == dated.loc["Breitbart", "end"]
    assert len(seeds.dated) == 4 and seeds.undated == 1


def test_cleaning_by_rule_shares_match_the_report(seeds, prepared):
    table = seeds.cleaning
    breitbart = table[table["group"] == "Breitbart"].set_index("step")
    report = prepared[0].cleaning_report().set_index("doc_id")
    raw = report.loc["breitbart-2017-01-15", "chars_raw"]
    caption = breitbart.loc["breitbart-photo-caption"]
    assert caption["percent_removed"] == pytest.approx(100 * caption["chars_removed"] / raw)
    steps = prepared[0].cleaning_steps()
    assert seeds.steps_fired == steps["step"].nunique()


def test_a_corpus_no_rule_touches_gives_an_empty_typed_cleaning_table(tmp_path):
    folder = tmp_path / "clean"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.txt").write_text(f"Plain text of {name} with nothing to clean.")
    params = build_params(
        {"corpus": {"path": str(folder)}, "run": {"cache_dir": str(tmp_path / "cache")}}
    )
    prepared = corpus_overview.corpus_overview(partitioned_corpus(params))
    table = prepared.cleaning
    assert table.empty
    assert table["percent_removed"].dtype == "float64"
    assert "0 steps fired" in corpus_overview.cleaning_caption(prepared)


def _many_parts(tmp_path) -> PartitionedCorpus:
    """45 dated and undated articles of three outlets in five partitions of 9 rows; a
    cleaning rule for one outlet's bylines."""
    rows = []
    for i in range(45):
        date = ["2020-03-04", "2021-07", "2019", ""][i % 4]
        text = f"By Staff {i}\nThe envoy met the council on water and borders, talk {i}."
        rows.append({"doc_id": f"n{i:02d}", "outlet": "ABC"[i % 3], "date": date,
                     "text": text + ("\nMore talks on trade." * (i % 5))})  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "news.csv", index=False)
    (tmp_path / "rules.yaml").write_text(
        "rules:\n  - {name: byline, pattern: '^By Staff \\d+$', flags: [multiline],\n"
        "     applies_to: {outlet: B}}\n"
    )
    params = load_params(
        overrides={
            "corpus.path": str(tmp_path / "news.csv"),
            "corpus.group_by": "outlet",
            "cleaning.rules_file": str(tmp_path / "rules.yaml"),
            "run.cache_dir": str(tmp_path / "cache"),
            "run.batch_rows": 9,
            "run.scheduler": "synchronous",
        }
    )
    return partitioned_corpus(params)


def test_the_overview_read_part_by_part_is_that_of_the_whole_tables(tmp_path, monkeypatch):
    corpus = _many_parts(tmp_path)
    assert len(corpus.parts) == 5
    docs, units = corpus.documents(), corpus.units()
    steps, report = corpus.cleaning_steps(), corpus.cleaning_report()
    monkeypatch.setattr(PartitionedCorpus, "_concat", None)  # no whole table may be read
    overview = corpus_overview.corpus_overview(corpus)
    expected = pd.DataFrame(
        {
            "documents": docs.groupby("group").size(),
            "segments": units.groupby("group").size(),
            "words": docs.groupby("group")["n_words"].sum(),
            "vocabulary_tokens": units.groupby("group")["n_tokens"].sum(),
        }
    ).reset_index(names="group")
    pd.testing.assert_frame_equal(overview.summary, expected, check_dtype=False)
    lengths = overview.unit_lengths
    assert list(lengths["n_words"]) == list(units["n_words"])
    assert list(lengths["group"].astype(str)) == list(units["group"])
    assert list(overview.document_lengths["n_words"]) == list(docs["n_words"])
    dated = docs[docs["date"] != ""]
    assert len(overview.dated) == len(dated) == 34 and overview.undated == 11
    ends = {"day": "2020-03-04", "month": "2021-07-31", "year": "2019-12-31"}
    for row in overview.dated.itertuples(index=False):
        assert str(row.end.date()) == ends[row.precision]
    fired = steps.merge(docs[["doc_id", "group"]], on="doc_id")
    by_rule = fired.groupby(["group", "step"], as_index=False)[["matches", "chars_removed"]].sum()
    raw = by_rule["group"].map(report.groupby("group")["chars_raw"].sum())
    by_rule["percent_removed"] = 100 * by_rule["chars_removed"] / raw
    pd.testing.assert_frame_equal(overview.cleaning, by_rule, check_dtype=False)
    byline = by_rule[by_rule["step"] == "byline"]
    assert byline[["group", "matches"]].values.tolist() == [["B", 15]]
    table = pd.concat(list(corpus_overview.document_table(overview).frames()))
    assert list(table["doc_id"]) == list(docs["doc_id"])
    assert corpus_overview.document_table(overview).head(12)["doc_id"].tolist() == [
        f"n{i:02d}" for i in range(12)
    ]
