"""`discourse-lab check`: read, clean and segment a corpus and report, before any run.

A researcher points the toolkit at a new corpus and learns at once whether every document
can be read, which were rejected and why, and how the counts add up. The same checks run
before the notebooks of every `discourse-lab run`: the files the parameters name
(`preflight`), then the prepared corpus (`corpus_problems`): a group left without a single
token is an error naming the group; one group only, or documents not in a supported
language, are warnings.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pandas as pd

from analysis.core.errors import DiscourseLabError, InputError
from analysis.core.params import Params, load_params
from analysis.core.paths import project_path
from analysis.corpus.cleaning import CleaningRule, load_rules
from analysis.corpus.overview import CorpusOverview, accounting, corpus_overview
from analysis.corpus.prepare import partitioned_corpus

# What every analysis supports: English. Tokenising works for any language that separates
# words by spaces; the stop words, frames, actors, Snowball stems, lemmas and VADER tone
# are English resources (see README "Supported languages").
SUPPORTED_LANGUAGES = ("en",)


class CorpusCheckError(InputError):
    """A corpus that reads but cannot be compared (a group with nothing to count)."""


def check_corpus(params_file: str, overrides: dict[str, Any]) -> int:
    """Print the corpus accounting and warnings; exit status 0, or 2 with the problem."""

    try:
        params = load_params(project_path(params_file) if params_file else None, overrides)
        rules = preflight(params)
        prepared = corpus_overview(partitioned_corpus(params))
        documents = prepared.corpus.iter_table("documents")
        warnings = corpus_problems(prepared) + rule_warnings(rules, documents)
    except DiscourseLabError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    counts = accounting(prepared)
    print(
        f"{counts['documents_in']} documents in: {counts['analysed']} analysed, "
        f"{counts['rejected']} rejected; fingerprint {prepared.fingerprint}"
    )
    print(prepared.summary.to_string(index=False))
    for row in prepared.rejected.itertuples(index=False):
        print(f"rejected {row.location}: {row.reason}")
    encodings = prepared.corpus.iter_table("documents", ["doc_id", "encoding"])
    for line in decoding_report(encodings, params.corpus.encoding):
        print(line)
    for warning in warnings:
        print(f"warning: {warning}")
    return 0


def preflight(params: Params) -> list[CleaningRule]:
    """Every file the corpus preparation reads exists and is usable (InputError naming the
    parameter otherwise), before any corpus is read; returns the cleaning rules."""
    rules_file = params.cleaning.rules_file
    rules = load_rules(project_path(rules_file) if rules_file else None)
    stopwords = project_path(params.preprocess.stopwords_file)
    try:
        stopwords.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or "not UTF-8 text"
        raise InputError(
            f"{stopwords}: cannot be read ({reason}); preprocess.stopwords_file must name a "
            "text file of stop words, one per line"
        ) from None
    return rules


def corpus_problems(prepared: CorpusOverview) -> list[str]:
    """Warnings about a prepared corpus; CorpusCheckError when a group has no token left."""
    tokens = prepared.summary.set_index("group")["vocabulary_tokens"]
    empty = [g for g in prepared.groups if tokens.get(g, 0) == 0]
    if empty:
        raise CorpusCheckError(
            f"group(s) {empty} of corpus.group_by={prepared.group_by!r} have no token left "
            "after cleaning, stop words and vocabulary pruning, so they cannot be compared; "
            "remove their documents, check the cleaning rules, or lower preprocess.min_df"
        )
    return document_warnings(prepared)


def document_warnings(prepared: CorpusOverview) -> list[str]:
    """Warnings about the documents: a single group, unsupported languages."""
    groups = prepared.groups
    warnings = []
    if len(groups) == 1:
        warnings.append(
            f"only one group ({groups[0]!r}) in corpus.group_by={prepared.group_by!r}: the "
            "comparisons between groups will be empty; choose a column with two or more values"
        )
    languages = prepared.corpus.iter_table("documents", ["doc_id", "latin", "language"])
    return warnings + language_warnings(languages)


def rule_warnings(rules: list[CleaningRule], documents: Iterable[pd.DataFrame]) -> list[str]:
    """A warning for each `applies_to` value of a cleaning rule that no document (in the
    parts of the document table) has, a misspelt group or outlet, with the values it has."""
    named = {column for rule in rules for column, _ in rule.applies_to}
    values: dict[str, set[str]] = {}
    for part in documents if named else ():
        for column in named & set(part.columns):
            values.setdefault(column, set()).update(part[column].astype(str))
    warnings = []
    for rule in rules:
        for column, value in rule.applies_to:
            known = sorted(values.get(column, ()))
            if value not in known:
                shown = f"values of {column!r}: {known[:10]}" if known else f"no column {column!r}"
                warnings.append(
                    f"{rule.origin} ({rule.name}) applies to {column}={value!r}, which no "
                    f"document has, so it never runs ({shown})"
                )
    return warnings


def language_warnings(documents: Iterable[pd.DataFrame]) -> list[str]:
    """A warning for documents not in a supported language: by their `language` column
    where there is one, else by the share of Latin-script letters in each text (`latin`)."""
    other: Counter[str] = Counter()
    foreign: list[str] = []
    n_foreign = 0
    for part in documents:
        if "language" in part.columns:
            languages = part["language"].astype(str).str.strip().str.lower()
            other.update(lang for lang in languages if lang and lang not in SUPPORTED_LANGUAGES)
        elif "latin" in part.columns:
            ids = part.loc[~part["latin"].astype(bool), "doc_id"]
            n_foreign += len(ids)
            foreign += list(ids[: max(0, 4 - len(foreign))])
    if other:
        return [
            f"{other.total()} document(s) in language(s) {sorted(other)}: the frames, actors, "
            f"stop words and tone support only {list(SUPPORTED_LANGUAGES)}, so they find "
            "little or nothing there"
        ]
    if not n_foreign:
        return []
    shown = ", ".join(foreign[:3]) + (", ..." if n_foreign > 3 else "")
    return [
        f"most letters of {n_foreign} document(s) ({shown}) are not in the Latin script: "
        "only English is supported (stop words, frames, actors, tone), and texts without "
        "spaces between words (Chinese, Japanese, Thai) are not split into words"
    ]


def decoding_report(documents: Iterable[pd.DataFrame], encoding: str) -> list[str]:
    """One line per document read in a fallback encoding rather than `encoding`."""
    lines = []
    for part in documents:
        if "encoding" in part.columns:
            fallback = part[~part["encoding"].astype(str).isin([encoding, "parquet"])]
            lines += [
                f"decoded {row.doc_id} as {row.encoding} (not valid {encoding})"
                for row in fallback.itertuples(index=False)
            ]
    return lines
