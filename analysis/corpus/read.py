"""Reading a corpus: a manifest CSV, a folder of .txt files, or a CSV/JSONL/Parquet table.

Every format gives the same tidy frame, one row per document, with at least `doc_id`,
`group`, `text` and `location` (file or row it came from), validated by
`analysis.corpus.validate`. Tables are read in batches by `analysis.corpus.table_reading`; the
corpus store (`analysis.corpus.store`) imports every format through the functions here.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.corpus.decoding import DecodingError, decode_document
from analysis.corpus.spec import (
    SEED_METADATA,
    TABLE_SUFFIXES,
    TEXT_SUFFIXES,
    CorpusError,
    CorpusSpec,
    detect_format,
    spec_from_params,
)
from analysis.corpus.table_reading import TableFileError, csv_frame, read_chunks
from analysis.corpus.validate import (
    REJECTED_COLUMNS,
    RENAME_HINT,
    Problems,
    SeenIds,
    require_columns,
    validate_documents,
)

__all__ = [
    "REJECTED_COLUMNS",
    "SEED_METADATA",
    "TABLE_SUFFIXES",
    "TEXT_SUFFIXES",
    "CorpusError",
    "CorpusSpec",
    "RawCorpus",
    "decode_bytes",
    "detect_format",
    "read_corpus",
    "spec_from_params",
    "table_sources",
]


@dataclass(frozen=True)
class RawCorpus:
    """Documents as read (before cleaning) and documents that could not be read."""

    documents: pd.DataFrame
    rejected: pd.DataFrame


def read_corpus(spec: CorpusSpec) -> RawCorpus:
    """Read the corpus `spec` points at, validate it, and attach `group` from `group_by`
    (all in memory; the corpus store reads the same batches one at a time)."""
    problems = Problems(spec.on_error)
    frames = [f for f in document_batches(spec, problems) if not f.empty]
    docs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    rejected = problems.frame()
    if docs.empty:
        raise CorpusError(nothing_read(spec, rejected))
    return RawCorpus(documents=docs, rejected=rejected)


def nothing_read(spec: CorpusSpec, rejected: pd.DataFrame) -> str:
    """The error for a corpus of which no document could be read."""
    if rejected.empty:
        return f"{spec.path}: no documents in the corpus (no rows below the header?); add some"
    first = rejected.iloc[0]
    return (f"{spec.path}: every one of the {len(rejected)} documents was rejected, so nothing "
            f"is left to analyse; the first: {first['location']}: {first['reason']}")  # fmt: skip


def document_batches(
    spec: CorpusSpec, problems: Problems, batch_rows: int = 2_000
) -> Iterator[pd.DataFrame]:
    """Validated documents in batches, in corpus order: a table `batch_rows` rows at a time,
    a folder or manifest of text files in one batch (each file read once)."""
    kind = detect_format(spec)
    if kind != "table":
        read = _read_manifest if kind == "manifest" else _read_folder
        docs = read(spec, problems)
        yield validate_documents(docs, spec, problems, SeenIds())
        return
    seen = SeenIds()
    for source in table_sources(spec.path):
        for chunk in read_chunks(source, spec, batch_rows):
            yield validate_documents(chunk, spec, problems, seen)


def table_sources(path: Path) -> list[Path]:
    """The table files to read: `path` itself, or the tables in a folder (sorted)."""
    if not path.exists():
        raise CorpusError(f"{path}: corpus not found; check corpus.path (or --corpus)")
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES
        )
        if not files:
            raise CorpusError(f"{path}: no .csv/.jsonl/.parquet tables found")
        return files
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise CorpusError(f"{path}: not a .csv/.jsonl/.parquet table")
    return [path]


def decode_bytes(data: bytes, location: str, spec: CorpusSpec) -> tuple[str, str]:
    """Decode strictly in the declared encoding, else in a fallback that gives plausible
    text (`analysis.corpus.decoding`); never half-read, never mojibake."""
    try:
        return decode_document(data, location, spec.encoding, spec.fallback_encodings)
    except DecodingError as err:
        raise CorpusError(str(err)) from None


def _read_text_file(path: Path, location: str, doc_id: str, spec, problems) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except OSError as err:
        why = {errno.ENOENT: "not found; fix the path or add it", errno.EISDIR: "is a folder, "
               "not a text file"}.get(err.errno, f"cannot be read ({err.strerror})")  # fmt: skip
        problems.report(location, doc_id, f"file {path.name} {why}")
        return "", ""
    try:
        return decode_bytes(data, path.name, spec)
    except CorpusError as err:
        reason = str(err) if path.name not in location else str(err).split(": ", 1)[1]
        problems.report(location, doc_id, reason)
        return "", ""


def _read_inside(
    path: Path, root: Path, location: str, doc_id: str, spec, problems, outside: str
) -> tuple[str, str]:
    """A text file of the corpus, read only if it resolves inside `root` (links included);
    otherwise the problem `outside` is reported and ("", "") returned."""
    target = path.resolve()
    if not target.is_relative_to(root):
        problems.report(location, doc_id, outside)
        return "", ""
    return _read_text_file(target, location, doc_id, spec, problems)


def _read_manifest(spec: CorpusSpec, problems: Problems) -> pd.DataFrame:
    manifest = _read_csv(spec.path, spec)
    require_columns(
        manifest,
        ["file"],
        spec.path,
        RENAME_HINT,
    )
    if manifest.empty:
        raise CorpusError(
            f"{spec.path}: the manifest has a header but no rows; add a row per document"
        )
    if spec.id_column not in manifest.columns:
        manifest[spec.id_column] = [Path(f).stem for f in manifest["file"].astype(str)]
    root = spec.path.parent.resolve()
    rows = []
    for number, row in enumerate(manifest.to_dict("records"), start=2):
        location = f"{spec.path.name} row {number}"
        doc_id = str(row[spec.id_column])
        file = str(row["file"]).strip()
        outside = (
            f"file {file!r} lies outside the corpus folder {root}; "
            "keep documents inside the manifest's folder"
        )
        text, encoding = _read_inside(root / file, root, location, doc_id, spec, problems, outside)
        if not encoding:
            continue
        rows.append({**row, "text": text, "encoding": encoding, "location": location})
    return pd.DataFrame(rows)


def _read_folder(spec: CorpusSpec, problems: Problems) -> pd.DataFrame:
    root = spec.path.resolve()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
    if not files:
        raise CorpusError(f"{root}: no .txt files found; put one document per .txt file")
    pattern = re.compile(spec.filename_pattern) if spec.filename_pattern else None
    rows = []
    for path in files:
        relative = path.relative_to(root)
        doc_id = relative.with_suffix("").as_posix()
        location = relative.as_posix()
        outside = (
            f"a symbolic link to {path.resolve()}, outside the corpus folder {root}; "
            "copy the file into the folder or remove the link"
        )
        text, encoding = _read_inside(path, root, location, doc_id, spec, problems, outside)
        if not encoding:
            continue
        row = {"doc_id": doc_id, "file": location, "text": text, "encoding": encoding}
        row["folder"] = relative.parts[0] if len(relative.parts) > 1 else ""
        row["source"] = row["folder"] or root.name
        if pattern:
            match = pattern.fullmatch(path.stem)
            if not match:
                problems.report(
                    location,
                    doc_id,
                    f"file name does not match corpus.filename_pattern {spec.filename_pattern!r}",
                )
                continue
            row.update({k: v for k, v in match.groupdict().items() if v is not None})
        rows.append({**row, "location": location})
    return pd.DataFrame(rows)


def _read_csv(path: Path, spec: CorpusSpec) -> pd.DataFrame:
    """A whole CSV (a manifest) as strings; every row must have as many fields as the
    header."""
    text, _ = decode_bytes(path.read_bytes(), str(path), spec)
    try:
        return csv_frame(text, str(path))
    except TableFileError as err:
        raise CorpusError(str(err)) from None
