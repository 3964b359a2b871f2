"""A table that grows with the corpus, given as its parts (one frame per partition) so that
it can be written, shown or summarised without ever being held whole."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class TableParts:
    """A table given as its parts in order (e.g. one frame per corpus partition), read
    again each time `frames()` is called; `empty` is the table with no rows."""

    frames: Callable[[], Iterable[pd.DataFrame]]
    empty: pd.DataFrame

    def head(self, n: int) -> pd.DataFrame:
        """The first `n` rows (reading only the parts that hold them)."""
        held = leading_parts(iter(self.frames()), n)
        return joined(held).head(n) if held else self.empty


def leading_parts(frames: Iterator[pd.DataFrame], n: int) -> list[pd.DataFrame]:
    """Frames taken from `frames` until they hold more than `n` rows (or it is exhausted)."""
    held, rows = [], 0
    for frame in frames:
        held.append(frame)
        rows += len(frame)
        if rows > n:
            break
    return held


def joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames as one (the frame itself when there is one)."""
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
