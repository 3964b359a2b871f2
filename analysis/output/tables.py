"""Saving a table as deterministic CSV with a documented schema, and the schema document.

Every column must be described: a reader of a published table should never have to guess
what a column means or in what unit it is. A table longer than its row cap (the notebooks
pass `run.table_preview_rows`) is written whole as deterministic Parquet (`<id>.parquet`)
beside a CSV preview of its first rows (`<id>.csv`), so that the CSVs stay small whatever
the size of the corpus; its schema says which file is which and how to read the whole.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.core.errors import InputError
from analysis.core.provenance import (
    atomic_write_bytes,
    atomic_write_text,
    canonical_json,
    sha256_bytes,
)

TABLE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FLOAT_FORMAT = "%.6g"
SCHEMA_SUFFIX = ".schema.json"
PARQUET_SUFFIX = ".parquet"
# Fixed so that the same table gives the same bytes in every run (pyarrow's writer adds no
# time stamp; its `created_by` names the pyarrow version, as PNGs name matplotlib's).
PARQUET_ROW_GROUP_ROWS = 65_536
PARQUET_COMPRESSION = "zstd"
PARQUET_COMPRESSION_LEVEL = 3
ARROW_CONVERSION_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


class TableError(InputError):
    """A table cannot be saved as asked (bad id, undocumented or missing columns)."""


@dataclass(frozen=True)
class SavedTable:
    """Where a table and its schema were written (`sha256`: of the CSV); `parquet` is the
    whole table when the CSV is only a preview of its first rows (None otherwise)."""

    table_id: str
    csv: Path
    schema: Path
    sha256: str
    parquet: Path | None = None

    def _ipython_display_(self) -> None:
        """Nothing to echo in a notebook: save_table already showed the table."""


def validate_table(df: pd.DataFrame, table_id: str, columns: dict[str, str]) -> None:
    """Check the id (kebab-case) and that the documented columns are exactly the table's."""
    if not isinstance(table_id, str) or not TABLE_ID.match(table_id):
        raise TableError(
            f"table id {table_id!r}: use lower-case kebab-case, e.g. 'topic-prevalence'"
        )
    if not isinstance(df, pd.DataFrame):
        raise TableError(f"table {table_id!r}: expected a pandas DataFrame, got {type(df)}")
    names = [str(c) for c in df.columns]
    if len(set(names)) != len(names):
        raise TableError(f"table {table_id!r}: duplicate column names {names}")
    undocumented = [c for c in names if c not in columns]
    if undocumented:
        raise TableError(
            f"table {table_id!r}: undocumented column(s) {undocumented}; "
            "describe each in columns={name: meaning}"
        )
    missing = [c for c in columns if c not in names]
    if missing:
        raise TableError(f"table {table_id!r}: documented column(s) {missing} are not in the table")
    blank = [c for c, text in columns.items() if not str(text).strip()]
    if blank:
        raise TableError(f"table {table_id!r}: empty description for column(s) {blank}")


def table_csv(df: pd.DataFrame) -> str:
    """Deterministic CSV text: no index, '\\n' line endings, floats as %.6g, lists as JSON."""
    plain = df.copy()
    plain.columns = [str(c) for c in plain.columns]
    for name in plain.columns:
        if plain[name].dtype == object:
            plain[name] = plain[name].map(_cell_text)
    buffer = io.StringIO()
    plain.to_csv(buffer, index=False, lineterminator="\n", float_format=FLOAT_FORMAT)
    return buffer.getvalue()


def _cell_text(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset | dict):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return json.dumps(list(items) if not isinstance(value, dict) else value, sort_keys=True)
    return value


def table_parquet(df: pd.DataFrame) -> bytes:
    """Deterministic Parquet bytes of the whole table: no index and no pandas metadata,
    fixed row groups and compression; an object column Arrow cannot type (mixed values)
    is stored as text (lists and dicts as JSON, as in the CSV)."""
    names = [str(c) for c in df.columns]
    arrays = [_arrow_column(df.iloc[:, i]) for i in range(df.shape[1])]
    table = pa.Table.from_arrays(arrays, names=names)
    sink = pa.BufferOutputStream()
    pq.write_table(
        table,
        sink,
        row_group_size=PARQUET_ROW_GROUP_ROWS,
        compression=PARQUET_COMPRESSION,
        compression_level=PARQUET_COMPRESSION_LEVEL,
    )
    return sink.getvalue().to_pybytes()


def _arrow_column(column: pd.Series) -> pa.Array:
    try:
        return pa.array(column, from_pandas=True)
    except ARROW_CONVERSION_ERRORS:
        cells = column.map(_cell_text)
        return pa.array([None if _missing(v) else str(v) for v in cells], type=pa.string())


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def is_capped(n_rows: int, preview_rows: int | None) -> bool:
    """True when a table of `n_rows` rows is published as Parquet plus a CSV preview."""
    return preview_rows is not None and n_rows > preview_rows


def write_table(
    df: pd.DataFrame,
    table_id: str,
    description: str,
    columns: dict[str, str],
    out_dir: str | Path,
    provenance: dict[str, Any],
    preview_rows: int | None = None,
) -> SavedTable:
    """Write <out_dir>/<id>.csv and <out_dir>/<id>.schema.json (description, columns, origin).

    With more rows than `preview_rows`, the whole table goes to <id>.parquet and the CSV
    holds its first `preview_rows` rows (the schema's "file" is then the Parquet file and
    its "preview" the CSV); otherwise any <id>.parquet of an earlier call is removed.
    """
    validate_table(df, table_id, columns)
    if not description or not description.strip():
        raise TableError(f"table {table_id!r}: give a description of what one row is")
    out_dir = Path(out_dir)
    capped = is_capped(len(df), preview_rows)
    text = table_csv(df.head(preview_rows) if capped else df)
    csv_path = atomic_write_text(out_dir / f"{table_id}.csv", text)
    digest = sha256_bytes(text.encode("utf-8"))
    csv_entry = {"file": f"{table_id}.csv", "sha256": digest}
    parquet_path = out_dir / f"{table_id}{PARQUET_SUFFIX}"
    if capped:
        data = table_parquet(df)
        atomic_write_bytes(parquet_path, data)
        files = {
            "file": {"file": parquet_path.name, "sha256": sha256_bytes(data)},
            "preview": {**csv_entry, "n_rows": int(preview_rows), "note": _preview_note(
                table_id, int(preview_rows), len(df))},
        }  # fmt: skip
    else:
        parquet_path.unlink(missing_ok=True)
        files = {"file": csv_entry}
    schema = {
        "table_id": table_id,
        "description": description.strip(),
        "columns": [
            {"name": str(c), "dtype": str(df[c].dtype), "description": columns[str(c)].strip()}
            for c in df.columns
        ],
        "n_rows": int(len(df)),
        **files,
        **provenance,
    }
    schema_path = atomic_write_text(out_dir / f"{table_id}{SCHEMA_SUFFIX}", canonical_json(schema))
    return SavedTable(table_id, csv_path, schema_path, digest, parquet_path if capped else None)


def _preview_note(table_id: str, preview_rows: int, n_rows: int) -> str:
    return (
        f"{table_id}.csv holds the first {preview_rows:,} of the table's {n_rows:,} rows; "
        f"{table_id}.parquet holds them all: pandas.read_parquet('tables/{table_id}.parquet')"
    )


def read_schemas(tables_dir: str | Path) -> list[dict[str, Any]]:
    """All table schemas in a folder, sorted by table id."""
    paths = sorted(Path(tables_dir).glob(f"*{SCHEMA_SUFFIX}"))
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def schema_markdown(schemas: list[dict[str, Any]]) -> str:
    """SCHEMA.md: every table, what a row is, which notebook made it, and every column."""
    lines = ["# Tables", "", "Generated by `discourse-lab run`; do not edit by hand.", ""]
    if not schemas:
        lines += ["No tables were produced.", ""]
    for schema in sorted(schemas, key=lambda s: s["table_id"]):
        suffix = PARQUET_SUFFIX if schema.get("preview") else ".csv"
        lines += [f"## `{schema['table_id']}{suffix}`", "", schema["description"], ""]
        if schema.get("notebook"):
            lines += [f"Made by `{schema['notebook']}`; {schema.get('n_rows', '?')} rows.", ""]
        if schema.get("preview"):
            lines += [f"Capped: {schema['preview']['note']}.", ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        for column in schema["columns"]:
            meaning = column["description"].replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{column['name']}` | {column['dtype']} | {meaning} |")
        lines.append("")
    return "\n".join(lines)


def write_schema_document(tables_dir: str | Path) -> Path:
    """Write tables_dir/SCHEMA.md from the schemas found there."""
    tables_dir = Path(tables_dir)
    return atomic_write_text(tables_dir / "SCHEMA.md", schema_markdown(read_schemas(tables_dir)))
