"""Partial ISO dates with their precision."""

from __future__ import annotations

import pytest

from analysis.corpus.dates import DateError, parse_date


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("2017", "2017", "year"),
        ("2017-01", "2017-01", "month"),
        ("2017-01-15", "2017-01-15", "day"),
        ("2021-01-28T09:30:00Z", "2021-01-28", "day"),
        (" 2016-03 ", "2016-03", "month"),
        ("2016-02-29", "2016-02-29", "day"),
    ],
)
def test_parse_date(text, iso, precision):
    date = parse_date(text)
    assert (date.iso, date.precision) == (iso, precision)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("15/01/2017", "is not YYYY"),
        ("January 2017", "is not YYYY"),
        ("2017-13", "months run from 01 to 12"),
        ("2017-02-29", "2017-02 has 28 days"),
    ],
)
def test_bad_dates_say_why(text, message):
    with pytest.raises(DateError, match=message):
        parse_date(text)
