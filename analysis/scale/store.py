"""The corpus store: a large CSV/JSONL/Parquet table (or a folder of them) imported once
into one Parquet file with a row group per batch of documents.

Import streams the source in batches (pandas ``chunksize`` for CSV and JSONL, pyarrow row
batches for Parquet), so memory grows with the batch size, not with the corpus. Every row
is checked with the rules of `analysis.corpus.read` (ids present and unique across the whole
source, text present, dates parseable, group label present) and every problem names its
file and row. The store lives in ``<store_dir>/<key>``, where the key hashes the source
bytes and the reading settings: importing an unchanged source again only re-checks the
hashes and returns the existing store. A partial or corrupt store is detected and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from analysis.core.atomic import atomic_directory
from analysis.corpus import read as corpus
from analysis.corpus.decoding import implausible_fallback
from analysis.corpus.read import CorpusError, CorpusSpec

STORE_FORMAT = 1
DEFAULT_BATCH_ROWS = 2_000
DOCUMENTS_FILE = "documents.parquet"
REJECTED_FILE = "rejected.parquet"
META_FILE = "meta.json"


@dataclass(frozen=True)
class CorpusStore:
    """An imported corpus: validated documents (raw text + metadata) in Parquet row groups."""

    root: Path
    key: str
    n_documents: int
    n_row_groups: int
    columns: tuple[str, ...]
    rejected: pd.DataFrame
    group_by: str

    @property
    def documents_path(self) -> Path:
        return self.root / DOCUMENTS_FILE

    def read_row_group(self, index: int, columns: list[str] | None = None) -> pd.DataFrame:
        """One batch of documents (row group `index`) as a DataFrame."""
        return (
            pq.ParquetFile(self.documents_path).read_row_group(index, columns=columns).to_pandas()
        )

    def iter_batches(self, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """Every row group in order; only one is in memory at a time."""
        handle = pq.ParquetFile(self.documents_path)
        for index in range(handle.num_row_groups):
            yield handle.read_row_group(index, columns=columns).to_pandas()

    def metadata(self) -> pd.DataFrame:
        """All columns except the text (one row per document, for overviews and sampling)."""
        columns = [c for c in self.columns if c != "text"]
        return pq.read_table(self.documents_path, columns=columns).to_pandas()


def import_corpus(
    spec: CorpusSpec,
    store_dir: str | Path,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: bool = True,
) -> CorpusStore:
    """Import the table(s) at `spec.path` into a store under `store_dir` (skipped if unchanged)."""
    if batch_rows < 1:
        raise CorpusError(f"run.batch_rows is {batch_rows}; use a positive number of rows")
    sources = source_files(spec.path)
    key = store_key(sources, spec, batch_rows)
    root = Path(store_dir) / key
    existing = open_store(root)
    if existing is not None:
        return existing
    with atomic_directory(root) as tmp:
        _write_store(tmp, sources, spec, batch_rows, progress)
        meta = json.loads((tmp / META_FILE).read_text())
        meta["key"] = key
        (tmp / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True))
    store = open_store(root)
    if store is None:  # pragma: no cover - only if the disk fails under us
        raise CorpusError(f"{root}: the store just written cannot be read back; check the disk")
    return store


def source_files(path: Path) -> list[Path]:
    """The table files to import: `path` itself, or the tables in a folder (sorted)."""
    if not path.exists():
        raise CorpusError(f"{path}: corpus not found; check corpus.path (or --corpus)")
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in corpus.TABLE_SUFFIXES
        )
        if not files:
            raise CorpusError(
                f"{path}: no .csv/.jsonl/.parquet tables found; a folder of .txt files is "
                "read by analysis.corpus.read_corpus instead"
            )
        return files
    if path.suffix.lower() not in corpus.TABLE_SUFFIXES:
        raise CorpusError(f"{path}: not a .csv/.jsonl/.parquet table; the store imports tables")
    return [path]


def store_key(sources: list[Path], spec: CorpusSpec, batch_rows: int) -> str:
    """sha256 of the source bytes, their names, the reading settings and the batch size."""
    digest = hashlib.sha256(f"store{STORE_FORMAT}:{batch_rows}".encode())
    settings = {k: getattr(spec, k) for k in CorpusSpec.__dataclass_fields__ if k != "path"}
    digest.update(json.dumps(settings, sort_keys=True, default=list).encode())
    base = spec.path if spec.path.is_dir() else spec.path.parent
    for path in sources:
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(file_sha256(path).encode())
    return digest.hexdigest()[:32]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def open_store(root: Path) -> CorpusStore | None:
    """The store at `root` if it is complete and its files match their hashes; else None."""
    try:
        meta = json.loads((root / META_FILE).read_text())
        for name, digest in meta["files"].items():
            if file_sha256(root / name) != digest:
                return None
        handle = pq.ParquetFile(root / DOCUMENTS_FILE)
        if handle.metadata.num_rows != meta["n_documents"]:
            return None
        rejected = pd.read_parquet(root / REJECTED_FILE)
        return CorpusStore(
            root=root,
            key=meta["key"],
            n_documents=meta["n_documents"],
            n_row_groups=handle.num_row_groups,
            columns=tuple(meta["columns"]),
            rejected=rejected,
            group_by=meta["group_by"],
        )
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None


def _write_store(
    tmp: Path, sources: list[Path], spec: CorpusSpec, batch_rows: int, progress: bool
) -> None:
    problems = corpus._Problems(spec.on_error)
    seen: dict[str, str] = {}
    writer: pq.ParquetWriter | None = None
    schema: pa.Schema | None = None
    n_documents = 0
    bar = tqdm(desc="import", unit=" docs", disable=not progress, mininterval=1.0)
    try:
        for source in sources:
            for chunk in read_chunks(source, spec, batch_rows):
                valid = validate_chunk(chunk, spec, problems, seen)
                bar.update(len(chunk))
                if valid.empty:
                    continue
                table = pa.Table.from_pandas(valid, preserve_index=False)
                if writer is None:
                    schema = table.schema
                    writer = pq.ParquetWriter(tmp / DOCUMENTS_FILE, schema, compression="zstd")
                elif table.schema.names != schema.names:
                    raise CorpusError(
                        f"{source}: columns {table.schema.names} differ from those of the "
                        f"first table ({schema.names}); give every table the same columns"
                    )
                writer.write_table(table.cast(schema), row_group_size=len(table))
                n_documents += len(table)
    finally:
        bar.close()
        if writer is not None:
            writer.close()
    if writer is None:
        raise CorpusError(f"{spec.path}: no readable documents; see the rejected rows")
    rejected = problems.frame()
    rejected.to_parquet(tmp / REJECTED_FILE, index=False)
    meta = {
        "format": STORE_FORMAT,
        "n_documents": n_documents,
        "columns": schema.names,
        "group_by": spec.group_by,
        "sources": [p.name for p in sources],
        "files": {name: file_sha256(tmp / name) for name in (DOCUMENTS_FILE, REJECTED_FILE)},
    }
    (tmp / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True))


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
            corpus._require_columns(raw, [spec.text_column], path)
        chunk = corpus.conform_columns(raw.rename(columns={spec.text_column: "text"}))
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
    try:
        if suffix == ".csv":
            reader = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
                chunksize=batch_rows,
                index_col=False,  # extra fields must not silently become an index
            )
        else:
            reader = pd.read_json(
                path, lines=True, dtype=False, encoding=encoding, chunksize=batch_rows
            )
        with reader:
            while True:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", pd.errors.ParserWarning)
                    chunk = next(reader, None)
                if chunk is None:
                    return
                yield chunk, encoding
    except pd.errors.ParserWarning:
        raise CorpusError(
            f"{path}: some rows have more fields than the header; check their commas and quotes"
        ) from None
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
    import codecs

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


def validate_chunk(
    chunk: pd.DataFrame, spec: CorpusSpec, problems, seen: dict[str, str]
) -> pd.DataFrame:
    """The rows of one batch that pass `analysis.corpus.read`'s checks, with dates and `group`.

    `seen` maps every id kept so far to its location, so duplicates are caught across
    batches and files.
    """
    docs = chunk.rename(columns={spec.id_column: "doc_id"})
    docs["doc_id"] = docs["doc_id"].astype(str).str.strip()
    if spec.group_by not in docs.columns and spec.group_by not in {"year", "decade"}:
        raise CorpusError(
            f"{spec.path}: corpus.group_by is {spec.group_by!r} but the corpus has no such "
            f"column; choose one of {sorted(c for c in docs.columns if c != 'text')}"
        )
    keep = []
    for row in docs.to_dict("records"):
        reason = corpus._row_problem(row, spec, seen)
        if reason:
            problems.report(row["location"], row["doc_id"], reason)
            continue
        seen[row["doc_id"]] = row["location"]
        keep.append(row)
    columns = list(docs.columns) + ["date_precision", "group"]
    frame = pd.DataFrame(keep, columns=columns)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    if frame.empty:
        return frame
    frame = corpus._add_dates(frame, spec)
    return frame.astype(str).reset_index(drop=True)
