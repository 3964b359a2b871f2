"""Tests for analysis.corpus.store: chunked import, validation across batches, skip and rebuild."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.corpus import store as store_module
from analysis.corpus.read import CorpusError, CorpusSpec
from analysis.corpus.store import import_corpus, open_store


def _rows() -> list[dict]:
    rows = [
        {"doc_id": f"d{i}", "outlet": "A" if i % 2 else "B", "date": f"2020-01-{i + 1:02d}",
         "text": f"Document {i} talks about peace and the council."}
        for i in range(10)
    ]  # fmt: skip
    rows[3]["text"] = "   "  # CSV row 5: empty
    rows[4]["date"] = "2020-13-01"  # CSV row 6: impossible month
    rows[7]["doc_id"] = "d1"  # CSV row 9: duplicate of row 3, in a later batch
    return rows


def _spec(path, **kw) -> CorpusSpec:
    return CorpusSpec(path=path, group_by="outlet", **kw)


def test_import_validates_across_batches_and_names_rows(tmp_path):
    source = tmp_path / "news.csv"
    pd.DataFrame(_rows()).to_csv(source, index=False)
    store = import_corpus(_spec(source, on_error="reject"), tmp_path / "store", batch_rows=3)
    assert store.n_documents == 7
    assert store.n_row_groups == 4  # batches of 3, 3, 3, 1 rows, each keeps >= 1 document
    rejected = store.rejected.set_index("location")["reason"]
    assert list(rejected.index) == ["news.csv row 5", "news.csv row 6", "news.csv row 9"]
    assert "empty" in rejected["news.csv row 5"]
    assert "month 13" in rejected["news.csv row 6"]
    assert "first at news.csv row 3" in rejected["news.csv row 9"]
    docs = pd.concat(list(store.iter_batches()), ignore_index=True)
    assert list(docs["doc_id"]) == ["d0", "d1", "d2", "d5", "d6", "d8", "d9"]
    assert list(docs["group"]) == ["B", "A", "B", "A", "B", "B", "A"]
    assert docs.loc[0, "date_precision"] == "day" and docs.loc[0, "year"] == "2020"


def test_duplicate_in_a_later_batch_fails_by_default(tmp_path):
    rows = _rows()
    rows[3]["text"], rows[4]["date"] = "fine", "2020"
    source = tmp_path / "news.csv"
    pd.DataFrame(rows).to_csv(source, index=False)
    with pytest.raises(CorpusError, match=r"news.csv row 9: duplicate document id 'd1'"):
        import_corpus(_spec(source), tmp_path / "store", batch_rows=3)


def test_jsonl_parquet_and_folder_give_the_same_documents(tmp_path):
    rows = [r for i, r in enumerate(_rows()) if i not in (3, 4, 7)]
    frame = pd.DataFrame(rows)
    folder = tmp_path / "tables"
    folder.mkdir()
    frame.iloc[:4].to_json(folder / "a.jsonl", orient="records", lines=True)
    frame.iloc[4:].to_parquet(folder / "b.parquet", index=False)
    store = import_corpus(_spec(folder), tmp_path / "store", batch_rows=2)
    docs = pd.concat(list(store.iter_batches()), ignore_index=True)
    assert list(docs["doc_id"]) == list(frame["doc_id"])
    assert list(docs["text"]) == list(frame["text"])
    assert docs.loc[4, "location"] == "b.parquet row 1"  # JSONL/Parquet rows count from 1
    assert store.metadata().columns.tolist().count("text") == 0


def test_unchanged_source_is_skipped_and_a_change_reimports(tmp_path, monkeypatch):
    source = tmp_path / "news.csv"
    pd.DataFrame(_rows()).to_csv(source, index=False)
    spec = _spec(source, on_error="reject")
    first = import_corpus(spec, tmp_path / "store", batch_rows=3)

    def fail(*args, **kwargs):
        raise AssertionError("an unchanged source was imported again")

    monkeypatch.setattr(store_module, "_write_store", fail)
    again = import_corpus(spec, tmp_path / "store", batch_rows=3)
    assert again.key == first.key
    monkeypatch.undo()
    source.write_text(source.read_text().replace("peace", "war", 1))
    changed = import_corpus(spec, tmp_path / "store", batch_rows=3)
    assert changed.key != first.key


def test_corrupt_store_is_detected_and_rebuilt(tmp_path):
    source = tmp_path / "news.csv"
    pd.DataFrame(_rows()).to_csv(source, index=False)
    spec = _spec(source, on_error="reject")
    store = import_corpus(spec, tmp_path / "store", batch_rows=3)
    data = store.documents_path.read_bytes()
    store.documents_path.write_bytes(data[: len(data) // 2])
    assert open_store(store.root) is None
    rebuilt = import_corpus(spec, tmp_path / "store", batch_rows=3)
    assert pq.ParquetFile(rebuilt.documents_path).metadata.num_rows == 7
    meta = json.loads((rebuilt.root / "meta.json").read_text())
    assert meta["n_documents"] == 7


def test_encoding_fallback_and_clear_error(tmp_path):
    source = tmp_path / "old.csv"
    source.write_bytes("doc_id,outlet,text\nx,A,caf\xe9 society\n".encode("cp1252"))
    with pytest.raises(CorpusError, match=r"offset 26 are not valid utf-8.*fallback_encodings"):
        import_corpus(_spec(source), tmp_path / "store")
    store = import_corpus(_spec(source, fallback_encodings=("cp1252",)), tmp_path / "store")
    assert store.read_row_group(0)["text"].tolist() == ["café society"]


def test_missing_group_column_names_the_parameter(tmp_path):
    source = tmp_path / "news.csv"
    pd.DataFrame(_rows()).drop(columns="outlet").to_csv(source, index=False)
    with pytest.raises(CorpusError, match="corpus.group_by is 'outlet'"):
        import_corpus(_spec(source), tmp_path / "store")


def test_the_phrase_sample_keeps_only_its_own_rows_in_memory(tmp_path, monkeypatch):
    """A sample of one text per row group must not hold the row groups it was taken from
    while it reads the next (Arrow slices would: 4 GB at a million articles)."""
    import pyarrow as pa

    from analysis.corpus.partitions import phrase_sample

    rows = [{"doc_id": f"d{i}", "outlet": "AB"[i % 2], "text": f"story {i} " + "x" * 20_000}
            for i in range(400)]  # fmt: skip
    source = tmp_path / "long.csv"
    pd.DataFrame(rows).to_csv(source, index=False)
    store = import_corpus(_spec(source), tmp_path / "store", batch_rows=20)
    held = []  # Arrow memory in use after each row group has been sampled
    read = store_module.CorpusStore.iter_tables

    def recording(self, columns=None):
        for table in read(self, columns):
            yield table
            held.append(pa.total_allocated_bytes())

    monkeypatch.setattr(store_module.CorpusStore, "iter_tables", recording)
    corpus_chars = sum(len(r["text"]) for r in rows)  # 8 MB in 20 row groups of 400 kB
    sample = phrase_sample(store, (), budget=corpus_chars // 40)
    assert list(sample["doc_id"]) == [f"d{i}" for i in range(0, 400, 20)]
    assert len(held) == 20
    assert max(held) - held[0] < 3 * corpus_chars // 20  # about one row group, not all
