"""Readable tables in a notebook: `show_table` for any DataFrame, `kwic_html` for
keyword-in-context lines with the keyword highlighted and the contexts aligned on it."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from analysis.core.errors import InputError

# Shared by the concordance explorer and the exported HTML views.
KWIC_CSS = (
    "table.dl-kwic{border-collapse:collapse;width:100%}"
    "table.dl-kwic td{padding:1px 4px;vertical-align:top;white-space:nowrap}"
    # the contexts share what the keyword leaves; max-width:0 lets them shrink and cut
    "table.dl-kwic td.dl-left,table.dl-kwic td.dl-right{width:50%;max-width:0;"
    "overflow:hidden;text-overflow:ellipsis}"
    "table.dl-kwic td.dl-left{text-align:right;direction:rtl}"
    "table.dl-kwic td.dl-left span{direction:ltr;unicode-bidi:embed}"
    "table.dl-kwic td.dl-match{width:1%;text-align:center}"  # as wide as the keyword
    "table.dl-kwic td.dl-match mark{background:#ffe08a;font-weight:bold;padding:0 2px}"
    "table.dl-kwic td.dl-meta{color:#555;font-size:85%;width:1%}"  # one line: source · id
)


def show_table(
    df: pd.DataFrame,
    max_rows: int = 20,
    precision: int = 3,
    caption: str | None = None,
    right_align: Sequence[str] = (),
    n_rows: int | None = None,
) -> Styler:
    """A pandas Styler that reads well in a notebook: at most `max_rows` rows (the caption
    says how many were left out), floats to `precision` decimals, numbers right-aligned,
    text left-aligned, wrapped and HTML-escaped, the default 0..n-1 index hidden.
    `right_align` names further columns to right-align (e.g. a concordance's left context);
    `n_rows` is the whole table's length when `df` is only its head."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"show_table: expected a pandas DataFrame, got {type(df).__name__}")
    if max_rows < 1:
        raise InputError(f"show_table: max_rows = {max_rows}; must be at least 1")
    if precision < 0:
        raise InputError(f"show_table: precision = {precision}; must be >= 0")
    unknown = [c for c in right_align if c not in df.columns]
    if unknown:
        raise InputError(f"show_table: right_align names unknown column(s) {unknown}")
    shown = df.head(max_rows)
    notes = [caption] if caption else []
    total = len(df) if n_rows is None else n_rows
    if total > max_rows:
        notes.append(f"first {max_rows:,} of {total:,} rows")
    styler = shown.style.format(precision=precision, na_rep="", escape="html")
    # No text-align on the `td` selector: `#T_id td` would outrank the per-cell rules below.
    styler = styler.set_table_styles(
        [
            {"selector": "th", "props": "text-align: left; vertical-align: top;"},
            {"selector": "td", "props": "vertical-align: top;"},
            {"selector": "caption", "props": "caption-side: top; text-align: left;"},
        ]
    )
    numbers = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])]
    right = list(dict.fromkeys([*numbers, *right_align]))
    text_columns = [c for c in shown.columns if c not in numbers]
    if text_columns:
        styler = styler.set_properties(
            subset=text_columns, **{"white-space": "normal", "max-width": "40em"}
        )
    left = [c for c in shown.columns if c not in right]
    if left:
        styler = styler.set_properties(subset=left, **{"text-align": "left"})
    if right:
        styler = styler.set_properties(subset=right, **{"text-align": "right"})
    if isinstance(shown.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    if notes:
        styler = styler.set_caption("; ".join(notes))
    return styler


def table_html(df: pd.DataFrame, message: str, **table_options: Any) -> str:
    """HTML for a widget pane: a one-line message, then the table (if it has rows)."""
    head = f"<p>{escape(message)}</p>" if message else ""
    if df.empty:
        return head
    return head + show_table(df, **table_options).to_html()


def kwic_html(lines: pd.DataFrame) -> str:
    """KWIC lines (group, unit_id, left, match, right) as an HTML table: the left context
    right-aligned and cut at its far end, the keyword whole and highlighted in the middle."""
    rows = [
        "<tr>"
        f'<td class="dl-meta">{escape(str(g))} · {escape(str(u))}</td>'
        f'<td class="dl-left" title="{escape(str(left))}"><span>{escape(str(left))}</span></td>'
        f'<td class="dl-match"><mark>{escape(str(match))}</mark></td>'
        f'<td class="dl-right" title="{escape(str(right))}">{escape(str(right))}</td>'
        "</tr>"
        for g, u, left, match, right in lines[["group", "unit_id", "left", "match", "right"]]
        .astype(str)
        .itertuples(index=False)
    ]
    return f'<style>{KWIC_CSS}</style><table class="dl-kwic">{"".join(rows)}</table>'
