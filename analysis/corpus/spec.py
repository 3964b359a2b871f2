"""How a corpus is read: its path and format and the reading settings, resolved from the
`corpus` section of the parameters."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from analysis.core.errors import InputError
from analysis.core.paths import project_path


class CorpusError(InputError):
    """A corpus file, row or setting that cannot be read; the message says where and what to do."""


TEXT_SUFFIXES = {".txt"}
TABLE_SUFFIXES = {".csv", ".jsonl", ".ndjson", ".parquet"}
SEED_METADATA = ("title", "source", "outlet", "genre", "date", "date_precision", "language")


@dataclass(frozen=True)
class CorpusSpec:
    """How to read one corpus (the `corpus` section of the parameters, resolved)."""

    path: Path
    format: str = "auto"
    group_by: str = "source"
    text_column: str = "text"
    id_column: str = "doc_id"
    date_column: str = "date"
    encoding: str = "utf-8"
    fallback_encodings: tuple[str, ...] = ()
    filename_pattern: str = ""
    on_error: str = "fail"


def spec_from_params(corpus_params) -> CorpusSpec:
    """Build a CorpusSpec from `Params.corpus`, resolving the path from the project root."""
    fields = {k: getattr(corpus_params, k) for k in CorpusSpec.__dataclass_fields__ if k != "path"}
    fields = {k: v for k, v in fields.items() if v is not None}
    return CorpusSpec(path=project_path(corpus_params.path), **fields)


def detect_format(spec: CorpusSpec) -> str:
    """'manifest', 'folder' or 'table', from `spec.format` or from the path itself."""
    path = spec.path
    if not path.exists():
        raise CorpusError(f"{path}: corpus not found; check corpus.path (or --corpus)")
    if spec.format == "manifest" and not path.is_file():
        raise CorpusError(f"{path}: corpus.format is manifest, so give the manifest CSV's path")
    if spec.format != "auto":
        return spec.format
    if path.is_dir():
        has_text = any(p.suffix.lower() in TEXT_SUFFIXES for p in path.rglob("*") if p.is_file())
        has_tables = any(p.suffix.lower() in TABLE_SUFFIXES for p in path.rglob("*") if p.is_file())
        return "table" if has_tables and not has_text else "folder"
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise CorpusError(
            f"{path}: unknown corpus format {path.suffix!r}; give a folder of .txt files, "
            "a manifest CSV, or a .csv/.jsonl/.parquet table"
        )
    if path.suffix.lower() == ".csv":
        with path.open(encoding=spec.encoding, errors="replace", newline="") as handle:
            header = next(csv.reader(handle), [])
        if "file" in header and spec.text_column not in header:
            return "manifest"
    return "table"
