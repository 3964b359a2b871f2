"""What `check` (and every run) says about a prepared corpus before any analysis."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.core.params import build_params
from analysis.corpus.check import (
    CorpusCheckError,
    corpus_problems,
    decoding_report,
    language_warnings,
    preflight,
)
from analysis.corpus.decoding import mostly_latin
from analysis.corpus.overview import corpus_overview
from analysis.corpus.prepare import partitioned_corpus

ENGLISH = "The council debated the resolution on settlements and the envoy spoke of peace talks.\n"


def _prepared(tmp_path, texts: dict[str, str]):
    for rel, text in texts.items():
        (tmp_path / "c" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "c" / rel).write_text(text)
    params = build_params(
        {
            "corpus": {"path": str(tmp_path / "c")},
            "cleaning": {"rules_file": ""},
            "preprocess": {"min_df": 1, "max_df": 1.0},
            "run": {"cache_dir": str(tmp_path / "cache")},
        }
    )
    return corpus_overview(partitioned_corpus(params))


def test_a_group_without_tokens_is_named(tmp_path):
    prepared = _prepared(tmp_path, {"A/a.txt": ENGLISH, "B/b.txt": "The and of it is to.\n"})
    with pytest.raises(CorpusCheckError, match=r"group\(s\) \['B'\] of corpus.group_by='source'"):
        corpus_problems(prepared)


def test_two_english_groups_pass_and_one_group_is_a_warning(tmp_path):
    assert (
        corpus_problems(_prepared(tmp_path / "two", {"A/a.txt": ENGLISH, "B/b.txt": ENGLISH})) == []
    )
    (warning,) = corpus_problems(_prepared(tmp_path / "one", {"A/a.txt": ENGLISH}))
    assert warning.startswith("only one group ('A')")


def test_languages_by_column_or_by_script(tmp_path):
    frame = pd.DataFrame(
        {"doc_id": ["a", "b"], "text": [ENGLISH, ENGLISH], "language": ["en", "EN"]}
    )
    assert language_warnings([frame]) == []
    (warning,) = language_warnings([frame, frame.assign(language=["en", "ar"])])
    assert warning.startswith("1 document(s) in language(s) ['ar']")
    arabic = "مجلس الأمن يناقش السلام في الشرق الأوسط مع الأمين العام\n"
    prepared = _prepared(tmp_path, {"A/a.txt": ENGLISH, "B/b.txt": arabic})
    (warning,) = corpus_problems(prepared)
    assert "of 1 document(s) (B/b)" in warning
    assert mostly_latin("Genève, Zürich, Kraków") and not mostly_latin("和平进程和平进程 peace")
    assert mostly_latin("1234 !!")  # no letters: nothing to judge


def test_documents_read_in_a_fallback_are_listed():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "encoding": ["utf-8", "cp1252", "parquet"]})
    assert decoding_report([docs, docs.iloc[:0]], "utf-8") == [
        "decoded b as cp1252 (not valid utf-8)"
    ]


def test_preflight_names_unreadable_inputs(tmp_path):
    (tmp_path / "stop.txt").write_bytes(b"\xff\xfe\x00")
    params = build_params({"preprocess": {"stopwords_file": str(tmp_path / "stop.txt")}})
    with pytest.raises(InputError, match=r"stop.txt: cannot be read .*preprocess.stopwords_file"):
        preflight(params)
    with pytest.raises(InputError, match=r"cleaning rules not found"):
        preflight(build_params({"cleaning": {"rules_file": str(tmp_path / "none.yaml")}}))


def test_a_rule_for_a_misspelt_group_is_warned_about_with_the_groups(tmp_path):
    from analysis.corpus.check import rule_warnings
    from analysis.corpus.cleaning import load_rules

    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n  - {name: ok, pattern: x, applies_to: {source: UN}}\n"
        "  - {name: typo, pattern: x, applies_to: {source: Breitbrt}}\n"
        "  - {name: nocol, pattern: x, applies_to: {desk: news}}\n"
    )
    docs = pd.DataFrame({"doc_id": ["a", "b"], "source": ["UN", "Breitbart"]})
    typo, nocol = rule_warnings(load_rules(path), [docs.iloc[:1], docs.iloc[1:]])
    assert "rule 2 (typo) applies to source='Breitbrt'" in typo
    assert "values of 'source': ['Breitbart', 'UN']" in typo
    assert "rule 3 (nocol)" in nocol and "no column 'desk'" in nocol


def test_the_ascii_shortcut_judges_as_the_letter_count_does():
    """Any ASCII text is mostly Latin; the shortcut agrees with counting its letters."""
    import random

    from analysis.corpus import decoding

    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice("ab Z_9.,;'\"\t\n-") for _ in range(rng.randint(0, 60)))
        letters = len(decoding._LETTER.findall(text))
        latin = len(decoding._LATIN_LETTER.findall(text))
        assert mostly_latin(text) == (not letters or latin >= decoding.MIN_LATIN_SHARE * letters)
