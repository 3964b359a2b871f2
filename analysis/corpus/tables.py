"""Reading CSV, JSONL and Parquet tables in batches of rows, each row a document.

Memory grows with the batch size, not with the table: CSV and JSONL through pandas'
``chunksize``, Parquet through pyarrow's row batches. The encoding is checked on the whole
file first, block by block, so a file is never half-read in the wrong encoding.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.corpus.spec import CorpusError, CorpusSpec
from analysis.corpus.validate import require_columns


def read_chunks(path: Path, spec: CorpusSpec, batch_rows: int) -> Iterator[pd.DataFrame]:
    """Batches of raw rows with `text`, `location` ("<file> row N") and `encoding` columns.

    Row numbers count like `analysis.corpus.read`: CSV rows from 2 (after the header), JSONL and
    Parquet rows from 1.
    """
    suffix = path.suffix.lower()
    offset = 2 if suffix == ".csv" else 1
    start = 0
    for raw, encoding in _raw_chunks(path, spec, batch_rows):
        if spec.text_column not in raw.columns:
            require_columns(raw, [spec.text_column], path)
        chunk = raw.rename(columns={spec.text_column: "text"})
        chunk = chunk.astype(object).where(chunk.notna(), "")
        chunk = chunk.map(_as_text) if hasattr(chunk, "map") else chunk.applymap(_as_text)
        rows = range(start + offset, start + offset + len(chunk))
        chunk["location"] = [f"{path.name} row {i}" for i in rows]
        if spec.id_column not in chunk.columns:
            chunk[spec.id_column] = [f"row-{i}" for i in rows]
        chunk["encoding"] = encoding
        start += len(chunk)
        yield chunk


def _as_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
    try:
        if suffix == ".csv":
            reader = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
                chunksize=batch_rows,
            )
        else:
            reader = pd.read_json(
                path, lines=True, dtype=False, encoding=encoding, chunksize=batch_rows
            )
        with reader:
            for chunk in reader:
                yield chunk, encoding
    except pd.errors.ParserError as err:
        raise CorpusError(f"{path}: malformed CSV ({err}); check quoting on that line") from None
    except ValueError as err:
        if isinstance(err, CorpusError):
            raise
        raise CorpusError(f"{path}: cannot be read as a {suffix} table ({err})") from None


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
