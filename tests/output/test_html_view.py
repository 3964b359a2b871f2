"""Tests of analysis.output.html_view: deterministic, self-contained pages."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from analysis.output.html_view import (
    HtmlView,
    SavedView,
    iframe_html,
    rounded,
    view_json,
    write_view,
)


def test_rounded_numbers_are_plain_and_stable():
    assert rounded({"a": np.float64(1 / 3), "b": [np.int64(2), float("nan")]}) == {
        "a": 0.333333,
        "b": [2, None],
    }
    assert rounded(np.array([1e-9 / 3])) == [3.33333e-10]  # small, not zero
    assert rounded(True) is True


def test_embedded_json_cannot_close_the_script_element():
    text = view_json({"text": "</script><script>alert(1)</script>"})
    assert "</script" not in text
    assert json.loads(text)["text"] == "</script><script>alert(1)</script>"


def test_pages_are_self_contained_and_byte_identical(tmp_path):
    view = HtmlView("Topic map", {"numbers": [0.1 + 0.2]}, "topic_map.js")
    page = view.page({"notebook": "notebooks/10_topics.ipynb"})
    assert page == view.page({"notebook": "notebooks/10_topics.ipynb"})
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page)  # nothing loaded
    assert "0.3," not in page and "0.3]" in page  # rounded: 0.30000000000000004 -> 0.3
    saved = write_view(page, "topics-map-explorer", tmp_path)
    assert saved.path.read_text(encoding="utf-8") == page
    assert saved._ipython_display_() is None and isinstance(saved, SavedView)
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in iframe_html(page)
    with pytest.raises(ValueError, match="kebab-case"):
        write_view(page, "Topic Map", tmp_path)
