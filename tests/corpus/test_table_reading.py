"""Strict CSV and JSON Lines parsing with line numbers."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.corpus.table_reading import TableFileError, csv_frame, jsonl_records


def test_csv_fields_are_strings_and_quoted_newlines_stay_in_their_field():
    frame = csv_frame('id,text\na,"two\nlines"\nb,x\n', "t.csv")
    assert frame.to_dict("records") == [{"id": "a", "text": "two\nlines"}, {"id": "b", "text": "x"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"t.csv: the file is empty"),
        ("id,file\na,x.txt,extra,more\n", r"t.csv line 2: 4 fields but the header has 2"),
        ("id,file\na\n", r"t.csv line 2: 1 fields but the header has 2"),
        ('id,file\na,"open\n', r"t.csv line \d: malformed CSV"),
        ('id,file\na,"x"y\n', r"t.csv line 2: malformed CSV"),
    ],
)
def test_malformed_csv_names_the_line(text, message):
    with pytest.raises(TableFileError, match=message):
        csv_frame(text, "t.csv")


def test_jsonl_names_the_line_and_skips_blank_lines():
    assert jsonl_records(['{"a": 1}', "", '{"a": 2}'], "t.jsonl") == [{"a": 1}, {"a": 2}]
    with pytest.raises(TableFileError, match=r"t.jsonl line 3: not valid JSON .* column 7"):
        jsonl_records(['{"a": 1}', "", '{"a": x}'], "t.jsonl")
    with pytest.raises(TableFileError, match=r"t.jsonl line 1: expected a JSON object"):
        jsonl_records(["[1, 2]"], "t.jsonl")


@given(
    st.lists(
        st.lists(st.text(alphabet='ab ,"\n\r\té', max_size=6), min_size=3, max_size=3),
        min_size=1,
        max_size=6,
    )
)
def test_any_well_formed_csv_reads_back_exactly(rows):
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([["h1", "h2", "h3"], *rows])
    frame = csv_frame(buffer.getvalue(), "t.csv")
    assert frame.values.tolist() == rows
