"""Capped tables and the ordered combination of per-partition framing results."""

from __future__ import annotations

import pandas as pd

from analysis.framing.partials import CappedTable, first_rows, join_capped, join_partials


def _rows(groups: str) -> pd.DataFrame:
    return pd.DataFrame({"group": list(groups), "n": range(len(groups))})


def test_first_rows_keeps_the_first_n_per_key_in_order():
    table = first_rows(_rows("abaabbca"), ["group"], 2)
    assert table.rows["group"].tolist() == ["a", "b", "a", "b", "c"]
    assert table.rows["n"].tolist() == [0, 1, 2, 4, 6]


def test_joining_capped_neighbours_gives_the_cap_of_the_whole():
    whole = _rows("abaabbcaab")
    expected = first_rows(whole, ["group"], 3).rows
    for cut in range(len(whole) + 1):
        left = first_rows(whole.iloc[:cut], ["group"], 3)
        right = first_rows(whole.iloc[cut:], ["group"], 3)
        pd.testing.assert_frame_equal(join_capped(left, right).rows, expected)


def test_join_partials_concatenates_light_tables_and_caps_the_others():
    first = {"light": _rows("aa"), "text": first_rows(_rows("aa"), ["group"], 1)}
    second = {"light": _rows("ab"), "text": first_rows(_rows("ab"), ["group"], 1)}
    joined = join_partials(first, second)
    assert joined["light"]["group"].tolist() == ["a", "a", "a", "b"]
    assert isinstance(joined["text"], CappedTable)
    assert joined["text"].rows["group"].tolist() == ["a", "b"]
    empty = join_partials({"light": _rows("")}, {"light": _rows("b")})
    assert empty["light"]["group"].tolist() == ["b"]
