"""The corpus store: any corpus (a folder of .txt files, a manifest, or CSV/JSONL/Parquet
tables) imported once into one Parquet file whose row groups are the partitions that the
preparation stage works on, `run.batch_rows` documents each.

Tables are read in batches (pandas ``chunksize`` for CSV and JSONL, pyarrow row batches for
Parquet), so memory grows with the batch size, not with the corpus. Every row is checked
with the rules of `analysis.corpus.read` (ids present and unique across the whole source,
text present, dates parseable, group label present) and every problem names its file and
row. The store lives in ``<store_dir>/<key>``, where the key hashes the source bytes, the
reading settings and the code of the reading stage (`analysis.core.cache`): importing an
unchanged source again only re-checks the hashes and returns the existing store. A partial
or corrupt store is detected and rebuilt.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from analysis.core.atomic import atomic_directory
from analysis.core.cache import cache_key, file_sha256, seal, unseal
from analysis.corpus import read as corpus
from analysis.corpus.read import CorpusError, CorpusSpec
from analysis.corpus.validate import Problems

STORE_FORMAT = 2  # 2: any corpus format; n_chars
DEFAULT_BATCH_ROWS = 2_000
DOCUMENTS_FILE = "documents.parquet"
REJECTED_FILE = "rejected.parquet"


@dataclass(frozen=True)
class CorpusStore:
    """An imported corpus: validated documents (raw text + metadata) in Parquet row groups."""

    root: Path
    key: str
    n_documents: int
    n_row_groups: int
    n_chars: int
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
        for table in self.iter_tables(columns):
            yield table.to_pandas()

    def iter_tables(self, columns: list[str] | None = None) -> Iterator[pa.Table]:
        """Every row group in order as an Arrow table (`iter_batches` before pandas)."""
        handle = pq.ParquetFile(self.documents_path)
        for index in range(handle.num_row_groups):
            yield handle.read_row_group(index, columns=columns)

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
    """Import the corpus at `spec.path` into a store under `store_dir` (skipped if unchanged)."""
    if batch_rows < 1:
        raise CorpusError(f"run.batch_rows is {batch_rows}; use a positive number of rows")
    kind = corpus.detect_format(spec)
    sources = corpus.table_sources(spec.path) if kind == "table" else corpus_files(spec.path)
    key = store_key(sources, spec, batch_rows)
    root = Path(store_dir) / key
    existing = open_store(root)
    if existing is not None:
        return existing
    with atomic_directory(root) as tmp:
        _write_store(tmp, spec, key, batch_rows, progress)
    store = open_store(root)
    if store is None:  # pragma: no cover - only if the disk fails under us
        raise CorpusError(f"{root}: the store just written cannot be read back; check the disk")
    return store


def corpus_files(path: Path) -> list[Path]:
    """Every file under a folder corpus (or under the folder of a manifest), sorted."""
    root = path if path.is_dir() else path.parent
    return sorted(p for p in root.rglob("*") if p.is_file())


def store_key(sources: list[Path], spec: CorpusSpec, batch_rows: int) -> str:
    """The source bytes and names, the reading settings, the batch size and the code."""
    settings = {k: getattr(spec, k) for k in CorpusSpec.__dataclass_fields__ if k != "path"}
    base = spec.path if spec.path.is_dir() else spec.path.parent
    files = [(p.relative_to(base).as_posix(), file_sha256(p)) for p in sources]
    modules = (corpus, sys.modules[__name__])
    return cache_key(f"store{STORE_FORMAT}", modules, settings, batch_rows, files)


def open_store(root: Path) -> CorpusStore | None:
    """The store at `root` if it is complete and its files match their hashes; else None."""
    meta = unseal(root)
    if meta is None or meta.get("format") != STORE_FORMAT:
        return None
    try:
        handle = pq.ParquetFile(root / DOCUMENTS_FILE)
        if handle.metadata.num_rows != meta["n_documents"]:
            return None
        return CorpusStore(
            root=root,
            key=meta["key"],
            n_documents=meta["n_documents"],
            n_row_groups=handle.num_row_groups,
            n_chars=meta["n_chars"],
            columns=tuple(meta["columns"]),
            rejected=pd.read_parquet(root / REJECTED_FILE),
            group_by=meta["group_by"],
        )
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None


def _write_store(tmp: Path, spec: CorpusSpec, key: str, batch_rows: int, progress: bool) -> None:
    """Validated documents in row groups of `batch_rows`, the rejected rows, the record."""
    problems = Problems(spec.on_error)
    writer: pq.ParquetWriter | None = None
    schema: pa.Schema | None = None
    n_documents = n_chars = 0
    bar = tqdm(desc="import", unit=" docs", disable=not progress, mininterval=1.0)
    try:
        for batch in corpus.document_batches(spec, problems, batch_rows):
            for start in range(0, len(batch), batch_rows):
                table = pa.Table.from_pandas(
                    batch.iloc[start : start + batch_rows].astype(str), preserve_index=False
                )
                if writer is None:
                    schema = table.schema
                    writer = pq.ParquetWriter(tmp / DOCUMENTS_FILE, schema, compression="zstd")
                elif table.schema.names != schema.names:
                    raise CorpusError(
                        f"{batch['location'].iloc[start]}: columns {table.schema.names} differ "
                        f"from those of the first table ({schema.names}); give every table "
                        "the same columns"
                    )
                writer.write_table(table.cast(schema), row_group_size=len(table))
                n_documents += len(table)
                n_chars += int(pa.compute.sum(pa.compute.utf8_length(table["text"])).as_py())
            bar.update(len(batch))
    finally:
        bar.close()
        if writer is not None:
            writer.close()
    if writer is None:
        raise CorpusError(corpus.nothing_read(spec, problems.frame()))
    problems.frame().to_parquet(tmp / REJECTED_FILE, index=False)
    record = {
        "format": STORE_FORMAT,
        "key": key,
        "n_documents": n_documents,
        "n_chars": n_chars,
        "columns": schema.names,
        "group_by": spec.group_by,
    }
    seal(tmp, record)
