"""The one validation of documents, whatever their format: ids present and unique (across
every batch and file), text present, dates parseable, a group label present.

Each problem is reported with the file or row and what to do; with ``on_error="reject"``
the document is listed as rejected instead and the run goes on, so the counts add up.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import unicodedata
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.corpus.dates import DateError, parse_date
from analysis.corpus.spec import CorpusError, CorpusSpec

REJECTED_COLUMNS = ["location", "doc_id", "reason"]
# What to do when a corpus table lacks a column the reader needs.
RENAME_HINT = "Rename the column or set corpus.text_column / corpus.id_column"


class Problems:
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


class SeenIds:
    """Every document id kept so far and the location it was first seen at, for the
    duplicate check across batches and files, in little memory at a million documents.

    The current batch's ids are in a dict; earlier batches' as sorted 64-bit hashes with
    their positions (16 bytes a document) and, per batch, their ids and locations
    compressed. A hash found among earlier batches is confirmed on the id itself, so a
    collision never rejects a document. (A dict of a million ids and locations held about
    200 MiB, which the process kept after the import.)
    """

    def __init__(self) -> None:
        self._hashes = np.empty(0, np.uint64)  # sorted
        self._positions = np.empty(0, np.int64)  # order of adding, of each hash
        self._batches: list[bytes] = []  # per earlier batch: JSON [ids, locations], zlib
        self._starts = [0]  # position of every earlier batch's first id, and the total
        self._current: dict[str, str] = {}
        self._earlier: dict[str, str] = {}  # ids of the current batch seen in earlier ones
        self._decoded: tuple[int, list[list[str]]] = (-1, [])

    def begin_batch(self, ids: Sequence[str]) -> None:
        """Start a batch whose rows have these ids: earlier ids among them are looked up."""
        self._store_current()
        self._earlier = {}
        if not len(self._hashes) or not len(ids):
            return
        hashes = _id_hashes(ids)
        at = np.minimum(np.searchsorted(self._hashes, hashes), len(self._hashes) - 1)
        for i in np.flatnonzero(self._hashes[at] == hashes):
            location = self._earlier_location(ids[i], hashes[i])
            if location is not None:
                self._earlier[ids[i]] = location

    def location(self, doc_id: str) -> str | None:
        """Where `doc_id` was first kept, or None if it was not."""
        found = self._current.get(doc_id)
        return found if found is not None else self._earlier.get(doc_id)

    def add(self, doc_id: str, location: str) -> None:
        self._current[doc_id] = location

    def _store_current(self) -> None:
        if not self._current:
            return
        ids, locations = list(self._current), list(self._current.values())
        hashes = _id_hashes(ids)
        order = np.argsort(hashes, kind="stable")
        at = np.searchsorted(self._hashes, hashes[order], side="right")
        self._hashes = np.insert(self._hashes, at, hashes[order])
        self._positions = np.insert(self._positions, at, self._starts[-1] + order)
        self._batches.append(zlib.compress(json.dumps([ids, locations]).encode()))
        self._starts.append(self._starts[-1] + len(ids))
        self._current = {}

    def _earlier_location(self, doc_id: str, hash_value: np.uint64) -> str | None:
        low = np.searchsorted(self._hashes, hash_value, side="left")
        high = np.searchsorted(self._hashes, hash_value, side="right")
        for position in self._positions[low:high].tolist():
            batch = bisect.bisect_right(self._starts, position) - 1
            if self._decoded[0] != batch:
                self._decoded = (batch, json.loads(zlib.decompress(self._batches[batch])))
            ids, locations = self._decoded[1]
            if ids[position - self._starts[batch]] == doc_id:
                return locations[position - self._starts[batch]]
        return None


def _id_hashes(ids: Sequence[str]) -> np.ndarray:
    """64-bit hashes of ids, the same in every process (pandas' keyed SipHash)."""
    return pd.util.hash_array(np.asarray(ids, dtype=object))


def require_columns(
    frame: pd.DataFrame, columns: Sequence[str], where: str | Path, hint: str = ""
) -> None:
    """The one check that a table has the columns a step needs; the error names the table,
    what is missing, what is there and what to do (`hint`)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        hint = hint or (f"expected at least {list(columns)} (e.g. PreparedCorpus.segments)")
        raise CorpusError(
            f"{where}: missing column(s) {missing}; found {list(frame.columns)}. {hint}"
        )


def validate_documents(
    chunk: pd.DataFrame, spec: CorpusSpec, problems, seen: SeenIds
) -> pd.DataFrame:
    """The rows of one batch of documents that pass the checks, with dates and `group`.

    `seen` holds every id kept so far with its location, so duplicates are caught across
    batches and files.
    """
    if chunk.empty:
        return pd.DataFrame(columns=["doc_id", "group", "text", "location"])
    docs = conform_columns(chunk.rename(columns={spec.id_column: "doc_id"}))
    docs["doc_id"] = docs["doc_id"].str.strip()
    if spec.group_by not in docs.columns and spec.group_by not in {"year", "decade"}:
        raise CorpusError(
            f"{spec.path}: corpus.group_by is {spec.group_by!r} but the corpus has no such "
            f"column; choose one of {sorted(c for c in docs.columns if c != 'text')}"
        )
    keep = []
    rows = docs.to_dict("records")
    seen.begin_batch([row["doc_id"] for row in rows])
    for row in rows:
        reason = row_problem(row, spec, seen)
        if reason:
            problems.report(row["location"], row["doc_id"], reason)
            continue
        seen.add(row["doc_id"], row["location"])
        keep.append(row)
    columns = list(docs.columns) + ["date_precision", "group"]
    frame = pd.DataFrame(keep, columns=columns)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    if frame.empty:
        return frame
    frame = add_dates(frame, spec)
    return frame.astype(str).reset_index(drop=True)


def row_problem(row: dict, spec: CorpusSpec, seen: SeenIds) -> str:
    doc_id = row["doc_id"]
    if not doc_id:
        return "empty document id; give every document an id"
    if (first := seen.location(doc_id)) is not None:
        return f"duplicate document id {doc_id!r} (first at {first}); ids must be unique"
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


def add_dates(frame: pd.DataFrame, spec: CorpusSpec) -> pd.DataFrame:
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
