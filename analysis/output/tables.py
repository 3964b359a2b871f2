"""Saving a table as deterministic CSV with a documented schema, and the schema document.

Every column must be described: a reader of a published table should never have to guess
what a column means or in what unit it is. A table longer than its row cap (the notebooks
pass `run.table_preview_rows`) is written whole as deterministic Parquet (`<id>.parquet`)
beside a CSV preview of its first rows (`<id>.csv`), so that the CSVs stay small whatever
the size of the corpus; its schema says which file is which and how to read the whole.
A table that grows with the corpus (one row per document) is given as `TableParts`, one
frame per partition, and written part by part: never held whole, the same bytes as whole.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.core.errors import InputError
from analysis.core.provenance import (
    atomic_write_text,
    atomic_writer,
    canonical_json,
    sha256_bytes,
    sha256_file,
)
from analysis.core.table_parts import TableParts, joined, leading_parts

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
    n_rows: int = 0

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
    """Deterministic Parquet bytes of the whole table (`write_parquet` into memory)."""
    sink = io.BytesIO()
    write_parquet([df], sink)
    return sink.getvalue()


def write_parquet(frames: Iterable[pd.DataFrame], sink: Any) -> int:
    """Write the frames, in order, as one deterministic Parquet table into `sink`: no index
    and no pandas metadata, row groups of `PARQUET_ROW_GROUP_ROWS` rows whatever the sizes
    of the frames (so parts give the bytes of the whole), fixed compression; an object
    column Arrow cannot type (mixed values) is stored as text (lists and dicts as JSON, as
    in the CSV). Returns the number of rows."""
    tables = (_arrow_table(frame) for frame in frames)
    head = next(tables, None)
    if head is None:
        raise TableError("a table with no parts has no columns to write")
    pending, n_rows = [], 0
    with pq.ParquetWriter(
        sink, head.schema, compression=PARQUET_COMPRESSION,
        compression_level=PARQUET_COMPRESSION_LEVEL,
    ) as writer:  # fmt: skip
        for table in itertools.chain([head], tables):
            pending.append(_same_types(table, head.schema))
            n_rows += len(table)
            if sum(len(t) for t in pending) >= PARQUET_ROW_GROUP_ROWS:
                pending = [_write_full_groups(writer, pa.concat_tables(pending))]
        writer.write_table(pa.concat_tables(pending), row_group_size=PARQUET_ROW_GROUP_ROWS)
    return n_rows


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    names = [str(c) for c in df.columns]
    return pa.Table.from_arrays(
        [_arrow_column(df.iloc[:, i]) for i in range(df.shape[1])], names=names
    )


def _same_types(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A later part in the types of the first (a column of nulls only takes the first's)."""
    if table.schema.equals(schema):
        return table
    try:
        return table.cast(schema)
    except ARROW_CONVERSION_ERRORS:
        raise TableError(
            f"the parts of a table disagree in their column types ({table.schema} after "
            f"{schema}); give every part the same columns and types"
        ) from None


def _write_full_groups(writer: pq.ParquetWriter, table: pa.Table) -> pa.Table:
    """Write the whole row groups of `table`; return the rows left over."""
    full = len(table) - len(table) % PARQUET_ROW_GROUP_ROWS
    if full:
        writer.write_table(table.slice(0, full), row_group_size=PARQUET_ROW_GROUP_ROWS)
    return table.slice(full)


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
    table: pd.DataFrame | TableParts,
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
    `TableParts` are read once, part by part; only the preview's rows are held.
    """
    frames = iter(table.frames()) if isinstance(table, TableParts) else iter([table])
    held = leading_parts(frames, preview_rows) if preview_rows is not None else list(frames)
    first = joined(held) if held else table.empty
    validate_table(first, table_id, columns)
    if not description or not description.strip():
        raise TableError(f"table {table_id!r}: give a description of what one row is")
    out_dir = Path(out_dir)
    capped = is_capped(len(first), preview_rows)
    parquet_path = out_dir / f"{table_id}{PARQUET_SUFFIX}"
    n_rows = len(first)
    if capped:  # first: a part that fails leaves the earlier files as they were
        n_rows, parquet_digest = _write_parquet_file(itertools.chain([first], frames), parquet_path)
    text = table_csv(first.head(preview_rows) if capped else first)
    csv_path = atomic_write_text(out_dir / f"{table_id}.csv", text)
    digest = sha256_bytes(text.encode("utf-8"))
    csv_entry = {"file": f"{table_id}.csv", "sha256": digest}
    if capped:
        files = {
            "file": {"file": parquet_path.name, "sha256": parquet_digest},
            "preview": {**csv_entry, "n_rows": int(preview_rows), "note": _preview_note(
                table_id, int(preview_rows), n_rows)},
        }  # fmt: skip
    else:
        parquet_path.unlink(missing_ok=True)
        files = {"file": csv_entry}
    schema = {
        "table_id": table_id,
        "description": description.strip(),
        "columns": [
            {"name": str(c), "dtype": str(first[c].dtype), "description": columns[str(c)].strip()}
            for c in first.columns
        ],
        "n_rows": int(n_rows),
        **files,
        **provenance,
    }
    schema_path = atomic_write_text(out_dir / f"{table_id}{SCHEMA_SUFFIX}", canonical_json(schema))
    parquet = parquet_path if capped else None
    return SavedTable(table_id, csv_path, schema_path, digest, parquet, int(n_rows))


def _write_parquet_file(frames: Iterable[pd.DataFrame], path: Path) -> tuple[int, str]:
    """`write_parquet` into `path` atomically; the number of rows and the file's sha256."""
    with atomic_writer(path) as handle:
        n_rows = write_parquet(frames, handle)
    return n_rows, sha256_file(path)


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
