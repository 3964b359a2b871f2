"""Tables: deterministic CSV, every column documented, schema JSON and SCHEMA.md."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.output.tables import (
    TableError,
    schema_markdown,
    table_csv,
    write_schema_document,
    write_table,
)

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
