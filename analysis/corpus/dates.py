"""Partial ISO dates ('2017', '2017-01', '2017-01-15', or a full timestamp) with precision.

News metadata is often known only to the month or year; the precision travels with the
date so that a timeline never pretends to know more than the source says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.core.errors import InputError

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)


class DateError(InputError):
    """A date that is not a (partial) ISO 8601 date."""


@dataclass(frozen=True)
class PartialDate:
    """A date known to a given precision: 'year', 'month' or 'day'."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
        if self.day:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)


def parse_date(text: str) -> PartialDate:
    """Parse 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' or an ISO timestamp; raise DateError otherwise."""
    value = text.strip()
    stamp = _TIMESTAMP.fullmatch(value)
    if stamp:
        value = stamp.group(1)
    match = _DATE.fullmatch(value)
    if not match:
        raise DateError(
            f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD; write it in ISO 8601 form"
        )
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"date {text!r} has month {month}; months run from 01 to 12")
    if day is not None:
        import calendar

        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise DateError(f"date {text!r} has day {day}; {year}-{month:02d} has {last} days")
    return PartialDate(year, month, day)
