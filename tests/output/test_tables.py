"""Tables: deterministic CSV, every column documented, schema JSON and SCHEMA.md."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.core.provenance import sha256_file
from analysis.core.table_parts import TableParts
from analysis.output.tables import (
    TableError,
    schema_markdown,
    table_csv,
    table_parquet,
    write_schema_document,
    write_table,
)

ROOT = Path(__file__).resolve().parents[2]

COLUMNS = {"group": "source group", "share": "share of segments (0-1)"}


def _table():
    return pd.DataFrame({"group": ["UN", "Breitbart"], "share": [1 / 3, 0.125]})


def test_csv_text_is_known_exactly():
    assert table_csv(_table()) == "group,share\nUN,0.333333\nBreitbart,0.125\n"


def test_list_cells_become_json():
    df = pd.DataFrame({"terms": [["b", "a"], []]})
    assert table_csv(df) == 'terms\n"[""b"", ""a""]"\n[]\n'


def test_undocumented_column_is_an_error(tmp_path):
    with pytest.raises(TableError, match=r"undocumented column\(s\) \['share'\]"):
        write_table(_table(), "sources-share", "rows", {"group": "g"}, tmp_path, {})


def test_documented_but_missing_column_is_an_error(tmp_path):
    columns = {**COLUMNS, "n": "count"}
    with pytest.raises(TableError, match=r"\['n'\] are not in the table"):
        write_table(_table(), "sources-share", "rows", columns, tmp_path, {})


def test_bad_table_id(tmp_path):
    with pytest.raises(TableError, match="kebab-case"):
        write_table(_table(), "Sources Share", "rows", COLUMNS, tmp_path, {})


def test_schema_and_schema_document(tmp_path):
    saved = write_table(_table(), "sources-share", "One row per group.", COLUMNS, tmp_path, {})
    schema = json.loads(saved.schema.read_text(encoding="utf-8"))
    assert schema["n_rows"] == 2
    assert [c["name"] for c in schema["columns"]] == ["group", "share"]
    assert schema["columns"][1]["description"] == "share of segments (0-1)"
    document = write_schema_document(tmp_path).read_text(encoding="utf-8")
    assert "## `sources-share.csv`" in document
    assert "| `share` | float64 | share of segments (0-1) |" in document
    assert saved.csv.read_bytes() == table_csv(_table()).encode("utf-8")


def test_schema_markdown_without_tables():
    assert "No tables were produced." in schema_markdown([])


# ------------------------------------------------ tables above the row cap: Parquet + preview
LONG_COLUMNS = {"unit": "unit id", "group": "source group", "share": "topic share (0-1)"}


def _long_table(n: int = 7) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": [f"u{i}" for i in range(n)],
            "group": pd.Categorical(["A", "B"] * (n // 2) + ["A"] * (n % 2)),
            "share": [i / 8 for i in range(n)],
        }
    )


def test_a_table_under_the_cap_is_written_as_before(tmp_path):
    uncapped = write_table(_table(), "sources-share", "Rows.", COLUMNS, tmp_path / "a", {})
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "sources-share.parquet").write_bytes(b"left by a longer table")
    at_cap = write_table(_table(), "sources-share", "Rows.", COLUMNS, tmp_path / "b", {}, 2)
    assert at_cap.parquet is None and at_cap.sha256 == uncapped.sha256
    assert at_cap.csv.read_bytes() == uncapped.csv.read_bytes()
    assert at_cap.schema.read_bytes() == uncapped.schema.read_bytes()
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [
        "sources-share.csv",
        "sources-share.schema.json",
    ]


def test_a_table_above_the_cap_is_parquet_beside_a_csv_of_its_first_rows(tmp_path):
    df = _long_table(7)
    saved = write_table(df, "topics-units", "One row per unit.", LONG_COLUMNS, tmp_path, {}, 3)
    assert saved.csv.read_text(encoding="utf-8") == (
        "unit,group,share\nu0,A,0\nu1,B,0.125\nu2,A,0.25\n"
    )
    assert saved.parquet == tmp_path / "topics-units.parquet"
    whole = pd.read_parquet(saved.parquet)
    pd.testing.assert_frame_equal(whole, df)
    schema = json.loads(saved.schema.read_text(encoding="utf-8"))
    assert schema["n_rows"] == 7
    assert schema["file"] == {
        "file": "topics-units.parquet",
        "sha256": sha256_file(saved.parquet),
    }
    assert schema["preview"]["file"] == "topics-units.csv"
    assert schema["preview"]["sha256"] == sha256_file(saved.csv) == saved.sha256
    assert schema["preview"]["n_rows"] == 3
    assert "first 3 of the table's 7 rows" in schema["preview"]["note"]
    assert "pandas.read_parquet('tables/topics-units.parquet')" in schema["preview"]["note"]
    document = write_schema_document(tmp_path).read_text(encoding="utf-8")
    assert "## `topics-units.parquet`" in document and "## `topics-units.csv`" not in document
    assert "Capped: topics-units.csv holds the first 3 of the table's 7 rows" in document


def test_parquet_bytes_are_the_same_in_every_run_and_process(tmp_path):
    df = pd.concat([_long_table(70_000), _long_table(5)], ignore_index=True)
    first = table_parquet(df)
    assert table_parquet(df) == first
    assert pq.ParquetFile(io.BytesIO(first)).metadata.num_row_groups == 2  # 65,536 rows each
    script = (
        "import sys, pandas as pd\n"
        "from analysis.output.tables import table_parquet\n"
        "from tests.output.test_tables import _long_table\n"
        "df = pd.concat([_long_table(70_000), _long_table(5)], ignore_index=True)\n"
        "sys.stdout.buffer.write(table_parquet(df))\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, check=True, timeout=120
    )
    assert other.stdout == first
    assert b"pandas" not in (pq.ParquetFile(io.BytesIO(first)).schema_arrow.metadata or {})


def test_parquet_keeps_lists_and_stores_mixed_cells_as_their_csv_text():
    df = pd.DataFrame({"terms": [["b", "a"], []], "mixed": [1, "x"], "gap": [None, "y"]})
    back = pd.read_parquet(io.BytesIO(table_parquet(df)))
    assert [list(v) for v in back["terms"]] == [["b", "a"], []]
    assert back["mixed"].tolist() == ["1", "x"]
    assert back["gap"].isna().tolist() == [True, False]


def _document_rows(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"group": [f"g{i % 3}" for i in range(n)], "share": [i / 7 for i in range(n)]}
    )


def _parts(frame: pd.DataFrame, size: int) -> TableParts:
    return TableParts(
        lambda: (frame.iloc[i : i + size] for i in range(0, len(frame), size)), frame.iloc[:0]
    )


@pytest.mark.parametrize("n_rows", [40, 150_000])
def test_a_table_in_parts_gives_the_bytes_of_the_whole(tmp_path, n_rows):
    frame = _document_rows(n_rows)
    whole = write_table(frame, "corpus-rows", "One row per row.", COLUMNS, tmp_path / "a", {}, 50)
    parts = write_table(
        _parts(frame, 7_001), "corpus-rows", "One row per row.", COLUMNS, tmp_path / "b", {}, 50
    )
    for name in ("corpus-rows.csv", "corpus-rows.schema.json", "corpus-rows.parquet"):
        a, b = tmp_path / "a" / name, tmp_path / "b" / name
        assert a.exists() == b.exists() == (n_rows > 50 or name != "corpus-rows.parquet")
        if a.exists():
            assert a.read_bytes() == b.read_bytes(), name
    assert parts.n_rows == whole.n_rows == n_rows
    if n_rows > 50:
        assert pq.ParquetFile(parts.parquet).metadata.num_row_groups == 3  # 65,536 rows each
        assert pd.read_parquet(parts.parquet).equals(frame)


def test_a_table_in_parts_is_read_once_and_its_head_from_the_first_parts(tmp_path):
    frame, reads = _document_rows(100), []

    def frames():
        for i in range(0, 100, 10):
            reads.append(i)
            yield frame.iloc[i : i + 10]

    parts = TableParts(frames, frame.iloc[:0])
    assert parts.head(15)["share"].tolist() == frame["share"].head(15).tolist()
    assert reads == [0, 10]
    reads.clear()
    saved = write_table(parts, "corpus-rows", "One row per row.", COLUMNS, tmp_path, {}, 20)
    assert reads == list(range(0, 100, 10)) and saved.n_rows == 100
    assert len(pd.read_csv(saved.csv)) == 20


def test_a_part_that_fails_leaves_the_earlier_table_and_no_partial_file(tmp_path):
    frame = _document_rows(100)
    write_table(frame, "corpus-rows", "One row per row.", COLUMNS, tmp_path, {}, 20)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert "corpus-rows.parquet" in before

    def frames():
        yield frame.iloc[:30]
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        write_table(
            TableParts(frames, frame.iloc[:0]), "corpus-rows", "rows", COLUMNS, tmp_path, {}, 20
        )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no partial file
