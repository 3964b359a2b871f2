"""Parsing CSV and JSON Lines text strictly, with errors that name the line.

pandas reads a row with extra fields by turning the first ones into an index (so a
manifest row with two extra fields finds "file 2017-01 not found"), and reports a JSON
error as a byte position; these readers check every row and name its line instead.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

import pandas as pd

from analysis.core.errors import InputError


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
