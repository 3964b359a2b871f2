"""Cleaning: normalisation, the seeds' editable rules, and the report."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.corpus.cleaning import (
    CleaningRuleError,
    clean_documents,
    clean_text,
    load_rules,
    tidy_whitespace,
)
from analysis.corpus.read import CorpusSpec, read_corpus
from tests.conftest import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"


@pytest.fixture(scope="module")
def cleaned_seeds():
    raw = read_corpus(CorpusSpec(path=SEEDS / "manifest.csv")).documents
    docs, report, steps = clean_documents(raw, load_rules(SEEDS / "cleaning.yaml"))
    return (
        raw.set_index("doc_id"),
        docs.set_index("doc_id")["text"],
        report.set_index("doc_id"),
        steps,
    )


def test_normalisation_makes_quotes_and_spaces_plain():
    text, steps = clean_text("Israel\u2019s \u201cpeace\u201d\u00a0plan\r\nnext\u200b", {}, [])
    assert text == 'Israel\'s "peace" plan\nnext'
    assert steps[0]["step"] == "normalise-unicode"


def test_breitbart_caption_and_footer_are_removed(cleaned_seeds):
    raw, clean, report, _ = cleaned_seeds
    text = clean["breitbart-2017-01-15"]
    assert "Please let us know" in raw.loc["breitbart-2017-01-15", "text"]
    assert "Please let us know" not in text
    assert "family picture" not in text  # the photo caption
    assert text.startswith("Kerry To Netanyahu")
    assert "TEL AVIV" in text and "Netanyahu responded" in text
    assert "breitbart-photo-caption x1" in report.loc["breitbart-2017-01-15", "removed"]


def test_workshop_footnotes_urls_and_markdown_are_removed(cleaned_seeds):
    _, clean, report, _ = cleaned_seeds
    text = clean["cccpa-2016-03"]
    assert "http" not in text and "www." not in text
    assert "**" not in text and "¹" not in text and "⁴" not in text
    assert "Report of the High Level Independent Panel on the Review" not in text
    assert "Mogens Lykketoft (PGA) has taken" in text  # paragraph joined across the page break
    assert "decision-making" in text  # hyphenation across the page break repaired
    assert "Ashraf Swelam paid tribute" in text  # bold removed, words kept
    assert "footnote-lines x6" in report.loc["cccpa-2016-03", "removed"]


def test_rules_only_touch_the_documents_they_apply_to(cleaned_seeds):
    _, _, _, steps = cleaned_seeds
    fired = steps.groupby("step")["doc_id"].apply(set).to_dict()
    assert fired["breitbart-comment-footer"] == {"breitbart-2017-01-15"}
    assert fired["footnote-lines"] == {"cccpa-2016-03"}


def test_report_characters_add_up(cleaned_seeds):
    _, clean, report, steps = cleaned_seeds
    for doc_id, entry in report.iterrows():
        assert entry["chars_raw"] - entry["chars_removed"] == entry["chars_remaining"]
        assert entry["chars_remaining"] == len(clean[doc_id])
        assert steps[steps["doc_id"] == doc_id]["chars_removed"].sum() == entry["chars_removed"]


def test_applies_to_filters_by_metadata(tmp_path):
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        "rules:\n  - name: drop-x\n    pattern: 'X+'\n    applies_to: {outlet: Paper}\n"
    )
    docs = pd.DataFrame(
        {"doc_id": ["a", "b"], "group": ["g", "g"], "outlet": ["Paper", "Other"],
         "text": ["aXXb", "aXXb"]}
    )  # fmt: skip
    cleaned, report, _ = clean_documents(docs, load_rules(rules_file))
    assert list(cleaned["text"]) == ["ab", "aXXb"]
    assert list(report["chars_removed"]) == [2, 0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("rules:\n  - name: bad\n    pattern: '(unclosed'\n", r"rule 1 \(bad\): bad pattern"),
        ("rules:\n  - pattern: 'x'\n", r"rule 1: every rule needs a name and a pattern"),
        ("rules:\n  - {name: a, pattern: x}\n  - {name: a, pattern: y}\n", r"repeated: \['a'\]"),
        ("rules:\n  - {name: a, pattern: x, flags: [verbose]}\n", r"unknown flag 'verbose'"),
    ],
)
def test_bad_rule_files_are_named(tmp_path, content, message):
    path = tmp_path / "rules.yaml"
    path.write_text(content)
    with pytest.raises(CleaningRuleError, match=message):
        load_rules(path)


def _tidy_whitespace_reference(text: str) -> str:
    """tidy_whitespace as first written: every regular expression applied unconditionally."""
    text = re.sub(r"[ \t\f\v]{2,}|[\t\f\v]", " ", text)
    text = re.sub(r" +\n|\n +", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@given(st.text(alphabet=" \t\f\v\n\r\u00a0\u2028ab.", max_size=40))
def test_tidy_whitespace_fast_paths_equal_the_plain_substitutions(text):
    assert tidy_whitespace(text) == _tidy_whitespace_reference(text)
