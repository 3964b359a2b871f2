"""Reading CSV, JSONL and Parquet tables in batches of rows, each row a document.

CSV and JSON Lines are parsed strictly, with errors that name the line: pandas reads a row
with extra fields by turning the first ones into an index (so a manifest row with two
extra fields finds "file 2017-01 not found"), and reports a JSON error as a byte position.

Memory grows with the batch size, not with the table: CSV and JSON Lines are read line by
line, Parquet through pyarrow's row batches. The encoding is checked on the whole
file first, block by block, so a file is never half-read in the wrong encoding.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.core.errors import InputError
from analysis.corpus.decoding import implausible_fallback
from analysis.corpus.spec import CorpusError, CorpusSpec
from analysis.corpus.validate import RENAME_HINT, conform_columns, require_columns


class TableFileError(InputError):
    """A CSV or JSON Lines file that is malformed; the message names the line."""


def csv_batches(lines: Iterable[str], name: str, batch_rows: int) -> Iterator[pd.DataFrame]:
    """Rows of a CSV (every field a string) in frames of `batch_rows`, the header's columns;
    a header-only file gives one empty frame. A row with more or fewer fields than the
    header, an unclosed quote or an empty file is a TableFileError naming the line."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise TableFileError(
                f"{name}: the file is empty; a CSV needs a header row and a row per document"
            )
        records: list[list[str]] = []
        given = False
        for record in reader:
            if len(record) != len(header):
                raise TableFileError(
                    f"{name} line {reader.line_num}: {len(record)} fields but the header has "
                    f"{len(header)} ({', '.join(header)}); check the commas and quotes of that row"
                )
            records.append(record)
            if len(records) == batch_rows:
                yield pd.DataFrame(records, columns=header, dtype=object)
                records, given = [], True
    except csv.Error as err:
        raise TableFileError(
            f"{name} line {reader.line_num}: malformed CSV ({err}); check the quotes of that row"
        ) from None
    if records or not given:
        yield pd.DataFrame(records, columns=header, dtype=object)


def csv_frame(text: str, name: str) -> pd.DataFrame:
    """A whole CSV text as one frame of strings (see `csv_batches`)."""
    frames = list(csv_batches(io.StringIO(text, newline=""), name, batch_rows=1 << 62))
    return frames[0]


def jsonl_records(lines: Iterable[str], name: str, first_line: int = 1) -> list[dict]:
    """Parse JSON Lines (blank lines skipped); TableFileError naming a line that is not an
    object."""
    records = []
    for number, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            raise TableFileError(
                f"{name} line {number}: not valid JSON ({err.msg} at column {err.colno}); "
                "fix that line (one JSON object per line)"
            ) from None
        if not isinstance(value, dict):
            raise TableFileError(f"{name} line {number}: expected a JSON object {{...}} per line")
        records.append(value)
    return records


def read_chunks(path: Path, spec: CorpusSpec, batch_rows: int) -> Iterator[pd.DataFrame]:
    """Batches of raw rows with `text`, `location` ("<file> row N") and `encoding` columns,
    every metadata value as text (`analysis.corpus.validate.conform_columns`).

    CSV rows count from 2 (after the header), JSONL and Parquet rows from 1.
    """
    suffix = path.suffix.lower()
    offset = 2 if suffix == ".csv" else 1
    start = 0
    for raw, encoding in _raw_chunks(path, spec, batch_rows):
        if spec.text_column not in raw.columns:
            require_columns(
                raw,
                [spec.text_column],
                path,
                RENAME_HINT,
            )
        chunk = conform_columns(raw.rename(columns={spec.text_column: "text"}))
        rows = range(start + offset, start + offset + len(chunk))
        chunk["location"] = [f"{path.name} row {i}" for i in rows]
        if spec.id_column not in chunk.columns:
            chunk[spec.id_column] = [f"row-{i}" for i in rows]
        chunk["encoding"] = encoding
        start += len(chunk)
        yield chunk


def _raw_chunks(path: Path, spec: CorpusSpec, batch_rows: int) -> Iterator[tuple]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            handle = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as err:
            raise CorpusError(f"{path}: cannot be read as a .parquet table ({err})") from None
        for batch in handle.iter_batches(batch_size=batch_rows):
            yield batch.to_pandas(), "parquet"
        return
    encoding = _table_encoding(path, spec)
    reader = _jsonl_chunks if suffix != ".csv" else _csv_chunks
    yield from reader(path, encoding, batch_rows)


def _csv_chunks(path: Path, encoding: str, batch_rows: int) -> Iterator[tuple]:
    """CSV rows in batches of `batch_rows`, read strictly (`csv_batches`)."""
    with path.open(encoding=encoding, newline="") as handle:
        try:
            for frame in csv_batches(handle, path.name, batch_rows):
                yield frame, encoding
        except TableFileError as err:
            raise CorpusError(str(err)) from None


def _jsonl_chunks(path: Path, encoding: str, batch_rows: int) -> Iterator[tuple]:
    """JSON Lines in batches of `batch_rows` lines; an error names its line."""
    with path.open(encoding=encoding) as handle:
        first = 1
        while lines := list(islice(handle, batch_rows)):
            try:
                records = jsonl_records(lines, path.name, first_line=first)
            except TableFileError as err:
                raise CorpusError(str(err)) from None
            first += len(lines)
            if records:
                yield pd.DataFrame(records), encoding


def _table_encoding(path: Path, spec: CorpusSpec) -> str:
    """The first of corpus.encoding and corpus.fallback_encodings that decodes the whole file.

    Checked block by block with an incremental decoder, so a large file is never held in
    memory; the error names the byte offset like `analysis.corpus.decode_bytes`.
    """
    first_error = None
    for encoding in (spec.encoding, *spec.fallback_encodings):
        try:
            decoder = codecs.getincrementaldecoder(encoding)()
        except LookupError:
            raise CorpusError(
                f"{path}: unknown encoding {encoding!r}; check corpus.encoding and "
                "corpus.fallback_encodings"
            ) from None
        offset = 0
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    decoder.decode(block)
                    fallback = first_error is not None  # the declared encoding failed
                    problem = implausible_fallback(block, spec.encoding) if fallback else ""
                    if problem:
                        raise CorpusError(
                            f"{path}: not valid {spec.encoding}, and not read as {encoding} "
                            f"either: {problem}; convert the file to {spec.encoding}"
                        )
                    offset += len(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as err:
            first_error = first_error or (offset + err.start, err.object[err.start : err.start + 4])
    at, bad = first_error
    raise CorpusError(
        f"{path}: bytes {bad!r} at offset {at} are not valid {spec.encoding}; convert the file "
        f"to {spec.encoding}, or name its encoding in corpus.fallback_encodings (e.g. [cp1252])"
    )
