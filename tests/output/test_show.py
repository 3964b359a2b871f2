"""Tests of analysis.output.show: alignment rules that really apply, and KWIC lines whose
keyword is whole, escaped and highlighted."""

from __future__ import annotations

import re

import pandas as pd

from analysis.output.show import kwic_html, show_table


def cell_rules(html: str) -> dict[str, str]:
    """selector -> text-align of every CSS rule in the Styler's HTML."""
    rules = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", html):
        align = re.search(r"text-align:\s*(\w+)", body)
        if align:
            for selector in selectors.split(","):
                rules[selector.strip()] = align.group(1)
    return rules


def test_numbers_are_right_aligned_by_a_rule_that_wins():
    df = pd.DataFrame({"term": ["peace", "war"], "count": [12, 3], "share": [0.5, 0.25]})
    rules = cell_rules(show_table(df).to_html())
    # no rule for every `td` of the table: `#T_x td` would outrank the per-cell rules
    assert not [s for s in rules if s.endswith(" td")], rules
    by_column = {}
    for selector, align in rules.items():
        found = re.search(r"_row(\d+)_col(\d+)$", selector)
        if found:
            by_column.setdefault(int(found.group(2)), set()).add(align)
    assert by_column == {0: {"left"}, 1: {"right"}, 2: {"right"}}


def test_kwic_html_highlights_the_whole_keyword_and_escapes_text():
    lines = pd.DataFrame(
        {
            "group": ["UN"],
            "unit_id": ["d1:p001"],
            "left": ["a <b>bold</b> claim about the"],
            "match": ["two-state solution"],
            "right": ["& more"],
        }
    )
    html = kwic_html(lines)
    assert "<mark>two-state solution</mark>" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&amp; more" in html
    assert "<b>" not in html
    assert 'class="dl-left"' in html and "text-align:right" in html
