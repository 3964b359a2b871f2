"""Reading a corpus: a manifest CSV, a folder of .txt files, or a CSV/JSONL/Parquet table.

Every reader returns the same tidy frame, one row per document, with at least `doc_id`,
`group`, `text` and `location` (file or row it came from). Each problem is reported with
the file or row and what to do; with ``on_error="reject"`` the document is listed in
`rejected` instead and the run goes on, so the counts always add up.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.paths import project_path
from analysis.corpus.dates import DateError, parse_date
from analysis.corpus.decoding import DecodingError, decode_document
from analysis.corpus.table_files import TableFileError, csv_frame, jsonl_records

TEXT_SUFFIXES = {".txt"}
TABLE_SUFFIXES = {".csv", ".jsonl", ".ndjson", ".parquet"}


class CorpusError(InputError):
    """A corpus file, row or setting that cannot be read; the message says where and what to do."""


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


@dataclass(frozen=True)
class RawCorpus:
    """Documents as read (before cleaning) and documents that could not be read."""

    documents: pd.DataFrame
    rejected: pd.DataFrame


REJECTED_COLUMNS = ["location", "doc_id", "reason"]


def spec_from_params(corpus_params) -> CorpusSpec:
    """Build a CorpusSpec from `Params.corpus`, resolving the path from the project root."""
    fields = {k: getattr(corpus_params, k) for k in CorpusSpec.__dataclass_fields__ if k != "path"}
    fields = {k: v for k, v in fields.items() if v is not None}
    return CorpusSpec(path=project_path(corpus_params.path), **fields)


def read_corpus(spec: CorpusSpec) -> RawCorpus:
    """Read the corpus `spec` points at, validate it, and attach `group` from `group_by`."""
    problems = _Problems(spec.on_error)
    kind = detect_format(spec)
    if kind == "manifest":
        docs = _read_manifest(spec, problems)
    elif kind == "folder":
        docs = _read_folder(spec, problems)
    else:
        docs = _read_table(spec, problems)
    docs = _validate(docs, spec, problems)
    rejected = problems.frame()
    if docs.empty:
        raise CorpusError(_nothing_read(spec, rejected))
    return RawCorpus(documents=docs.reset_index(drop=True), rejected=rejected)


def _nothing_read(spec: CorpusSpec, rejected: pd.DataFrame) -> str:
    if rejected.empty:
        return f"{spec.path}: no documents in the corpus (no rows below the header?); add some"
    first = rejected.iloc[0]
    return (f"{spec.path}: every one of the {len(rejected)} documents was rejected, so nothing "
            f"is left to analyse; the first: {first['location']}: {first['reason']}")  # fmt: skip


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
        return "folder"
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


class _Problems:
    """Collects per-document problems: raises at once, or lists them as rejected."""

    def __init__(self, on_error: str) -> None:
        self.on_error = on_error
        self.rows: list[dict[str, str]] = []

    def report(self, location: str, doc_id: str, reason: str) -> None:
        if self.on_error != "reject":
            raise CorpusError(f"{location}: {reason}")
        self.rows.append({"location": location, "doc_id": doc_id, "reason": reason})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=REJECTED_COLUMNS)


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


def _read_manifest(spec: CorpusSpec, problems: _Problems) -> pd.DataFrame:
    manifest = _read_csv(spec.path, spec)
    _require_columns(manifest, ["file"], spec.path)
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
        target = (root / file).resolve()
        if not target.is_relative_to(root):
            problems.report(
                location,
                doc_id,
                f"file {file!r} lies outside the corpus folder {root}; "
                "keep documents inside the manifest's folder",
            )
            continue
        text, encoding = _read_text_file(target, location, doc_id, spec, problems)
        if not encoding:
            continue
        rows.append({**row, "text": text, "encoding": encoding, "location": location})
    return pd.DataFrame(rows)


def _read_folder(spec: CorpusSpec, problems: _Problems) -> pd.DataFrame:
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
        target = path.resolve()
        if not target.is_relative_to(root):
            problems.report(
                location,
                doc_id,
                f"a symbolic link to {target}, outside the corpus folder {root}; "
                "copy the file into the folder or remove the link",
            )
            continue
        text, encoding = _read_text_file(target, location, doc_id, spec, problems)
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


def _read_table(spec: CorpusSpec, problems: _Problems) -> pd.DataFrame:
    suffix = spec.path.suffix.lower()
    try:
        if suffix == ".parquet":
            table = pd.read_parquet(spec.path)
        elif suffix in {".jsonl", ".ndjson"}:
            table = _read_jsonl(spec.path, spec)
        else:
            table = _read_csv(spec.path, spec)
    except (ValueError, OSError) as err:
        if isinstance(err, CorpusError):
            raise
        raise CorpusError(f"{spec.path}: cannot be read as a {suffix} table ({err})") from None
    _require_columns(table, [spec.text_column], spec.path)
    offset = 2 if suffix == ".csv" else 1
    table = table.rename(columns={spec.text_column: "text"})
    table["location"] = [f"{spec.path.name} row {i + offset}" for i in range(len(table))]
    if spec.id_column not in table.columns:
        table[spec.id_column] = [f"row-{i + offset}" for i in range(len(table))]
    table["encoding"] = spec.encoding
    return table


def _read_csv(path: Path, spec: CorpusSpec) -> pd.DataFrame:
    """A whole CSV as strings; every row must have as many fields as the header."""
    return _parse_text_table(path, spec, lambda text: csv_frame(text, str(path)))


def _read_jsonl(path: Path, spec: CorpusSpec) -> pd.DataFrame:
    """One JSON object per line; an error names the line."""
    return _parse_text_table(
        path, spec, lambda text: pd.DataFrame(jsonl_records(text.splitlines(), path.name))
    )


def _parse_text_table(path: Path, spec: CorpusSpec, parse) -> pd.DataFrame:
    text, _ = decode_bytes(path.read_bytes(), str(path), spec)
    try:
        return parse(text)
    except TableFileError as err:
        raise CorpusError(str(err)) from None


def _require_columns(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CorpusError(
            f"{path}: missing column(s) {missing}; found {list(frame.columns)}. "
            "Rename the column or set corpus.text_column / corpus.id_column"
        )


def _validate(docs: pd.DataFrame, spec: CorpusSpec, problems: _Problems) -> pd.DataFrame:
    """Ids unique, text present, dates parseable, group label present."""
    if docs.empty:
        return pd.DataFrame(columns=["doc_id", "group", "text", "location"])
    docs = conform_columns(docs.rename(columns={spec.id_column: "doc_id"}))
    docs["doc_id"] = docs["doc_id"].str.strip()
    if spec.group_by not in docs.columns and spec.group_by not in {"year", "decade"}:
        raise CorpusError(
            f"{spec.path}: corpus.group_by is {spec.group_by!r} but the corpus has no such "
            f"column; choose one of {sorted(c for c in docs.columns if c != 'text')}"
        )
    keep = []
    seen: dict[str, str] = {}
    for row in docs.to_dict("records"):
        reason = _row_problem(row, spec, seen)
        if reason:
            problems.report(row["location"], row["doc_id"], reason)
            continue
        seen[row["doc_id"]] = row["location"]
        keep.append(row)
    frame = pd.DataFrame(keep, columns=list(docs.columns) + ["date_precision", "group"])
    frame = frame.loc[:, ~frame.columns.duplicated()]
    return _add_dates(frame, spec)


def conform_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The one conversion of every reader: metadata of any dtype (numbers, timestamps,
    missing values) as NFC text, `text` kept as given (a value that is not a string is
    refused by the row checks, on every path alike)."""
    out = frame.astype(object)
    for column in out.columns:
        convert = text_cell if column == "text" else as_text
        out[column] = [convert(v) for v in out[column]]
    return out


def as_text(value) -> str:
    """A metadata value (id, date, group, ...) as text: missing -> "", 2017.0 -> "2017",
    a timestamp -> ISO 8601, strings NFC-normalised (so "Genève" is one group)."""
    if isinstance(value, str):
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if _missing(value):
        return ""
    if isinstance(value, dt.date):  # datetime and pandas Timestamp included
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value.item() if pd.api.types.is_scalar(value) and hasattr(value, "item") else value)


def text_cell(value):
    """A text value: strings as they are, missing -> "", anything else unchanged (refused)."""
    return "" if not isinstance(value, str) and _missing(value) else value


def _missing(value) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and pd.isna(value))


def _row_problem(row: dict, spec: CorpusSpec, seen: dict[str, str]) -> str:
    doc_id = row["doc_id"]
    if not doc_id:
        return "empty document id; give every document an id"
    if doc_id in seen:
        return f"duplicate document id {doc_id!r} (first at {seen[doc_id]}); ids must be unique"
    text = row.get("text")
    if text is not None and not isinstance(text, str):
        return (
            f"document {doc_id!r}: its text is {text!r}, a {type(text).__name__}, not text; "
            f"check that corpus.text_column ({spec.text_column!r}) names the column of texts"
        )
    if not isinstance(text, str) or not text.strip():
        return f"document {doc_id!r} is empty; remove it or fill in its text"
    if not any(character.isalnum() for character in text):
        return f"document {doc_id!r} has no words (only punctuation or symbols); remove it"
    for column, value in row.items():
        if column != "text" and isinstance(value, str) and "\n" in value.strip():
            return (
                f"document {doc_id!r}: its {column!r} spans several lines ({value[:40]!r}...); "
                "an unclosed quote in the file? check the quotes of that row"
            )
    date = row.get(spec.date_column)  # text already: see conform_columns
    if isinstance(date, str) and date.strip():
        try:
            parse_date(date)
        except DateError as err:
            return f"document {doc_id!r}: {err}"
    if spec.group_by not in {"year", "decade"}:
        if not str(row.get(spec.group_by) or "").strip():
            return (
                f"document {doc_id!r} has no {spec.group_by!r} label; every document needs one "
                f"for the comparison (or set corpus.group_by to another column)"
            )
    return ""


def _add_dates(frame: pd.DataFrame, spec: CorpusSpec) -> pd.DataFrame:
    """Normalise dates to ISO strings with their precision; derive year and decade."""
    column = spec.date_column
    raw = frame[column] if column in frame.columns else pd.Series([""] * len(frame))
    parsed = [parse_date(v) if isinstance(v, str) and v.strip() else None for v in raw]
    given_precision = frame.get("date_precision")
    frame["date"] = [p.iso if p else "" for p in parsed]
    inferred = [p.precision if p else "unknown" for p in parsed]
    if given_precision is not None:
        frame["date_precision"] = [
            g if isinstance(g, str) and g.strip() else i
            for g, i in zip(given_precision, inferred, strict=True)
        ]
    else:
        frame["date_precision"] = inferred
    frame["year"] = [str(p.year) if p else "" for p in parsed]
    frame["decade"] = [f"{p.year // 10 * 10}s" if p else "" for p in parsed]
    frame["group"] = frame[spec.group_by].astype(str).str.strip()
    if spec.group_by in {"year", "decade"} and (frame["group"] == "").any():
        missing = frame.loc[frame["group"] == "", "location"].iloc[0]
        raise CorpusError(f"{missing}: no date, so no {spec.group_by}; add a date to every row")
    return frame
