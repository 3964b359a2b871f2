"""Reading a corpus: a manifest CSV, a folder of .txt files, or a CSV/JSONL/Parquet table.

Every reader returns the same tidy frame, one row per document, with at least `doc_id`,
`group`, `text` and `location` (file or row it came from). Each problem is reported with
the file or row and what to do; with ``on_error="reject"`` the document is listed in
`rejected` instead and the run goes on, so the counts always add up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.paths import project_path
from analysis.corpus.dates import DateError, parse_date

TEXT_SUFFIXES = {".txt"}
TABLE_SUFFIXES = {".csv", ".jsonl", ".ndjson", ".parquet"}
SEED_METADATA = ("title", "source", "outlet", "genre", "date", "date_precision", "language")


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
    return RawCorpus(documents=docs.reset_index(drop=True), rejected=problems.frame())


def detect_format(spec: CorpusSpec) -> str:
    """'manifest', 'folder' or 'table', from `spec.format` or from the path itself."""
    path = spec.path
    if not path.exists():
        raise CorpusError(f"{path}: corpus not found; check corpus.path (or --corpus)")
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
        header = pd.read_csv(path, nrows=0, encoding=spec.encoding, encoding_errors="replace")
        if "file" in header.columns and spec.text_column not in header.columns:
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
    """Decode strictly in the declared encoding, then in each fallback; never half-read."""
    errors = []
    for encoding in (spec.encoding, *spec.fallback_encodings):
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise CorpusError(
                f"{location}: unknown encoding {encoding!r}; check corpus.encoding and "
                "corpus.fallback_encodings"
            ) from None
        except UnicodeDecodeError as err:
            errors.append(err)
    first = errors[0]
    bad = first.object[first.start : first.start + 4]
    raise CorpusError(
        f"{location}: bytes {bad!r} at offset {first.start} are not valid {spec.encoding}; "
        f"convert the file to {spec.encoding}, or name its encoding in "
        "corpus.fallback_encodings (e.g. [cp1252])"
    )


def _read_text_file(path: Path, location: str, doc_id: str, spec, problems) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.report(location, doc_id, f"file {path.name} not found; fix the path or add it")
        return "", ""
    except IsADirectoryError:
        problems.report(location, doc_id, f"{path.name} is a folder, not a text file")
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
        text, encoding = _read_text_file(path, location, doc_id, spec, problems)
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
            table = pd.read_json(spec.path, lines=True, dtype=False, encoding=spec.encoding)
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
    data = path.read_bytes()
    text, _ = decode_bytes(data, str(path), spec)
    try:
        from io import StringIO

        return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as err:
        raise CorpusError(f"{path}: malformed CSV ({err}); check quoting on that line") from None


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
    docs = docs.rename(columns={spec.id_column: "doc_id"}).copy()
    docs["doc_id"] = docs["doc_id"].astype(str).str.strip()
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


def _row_problem(row: dict, spec: CorpusSpec, seen: dict[str, str]) -> str:
    doc_id = row["doc_id"]
    if not doc_id or doc_id == "nan":
        return "empty document id; give every document an id"
    if doc_id in seen:
        return f"duplicate document id {doc_id!r} (first at {seen[doc_id]}); ids must be unique"
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        return f"document {doc_id!r} is empty; remove it or fill in its text"
    date = row.get(spec.date_column)
    if isinstance(date, str) and date.strip():
        try:
            parse_date(date)
        except DateError as err:
            return f"document {doc_id!r}: {err}"
    if spec.group_by not in {"year", "decade"}:
        group = row.get(spec.group_by)
        if group is None or (isinstance(group, float) and pd.isna(group)) or not str(group).strip():
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
