"""Explicit, reported cleaning: Unicode and whitespace normalisation plus editable rules.

Rules live in a YAML file a researcher can read and edit (see ``seeds/cleaning.yaml``):
each is a named regular expression with a replacement, an explanation, and optionally the
documents it applies to (by metadata). The report says, per document, which rules removed
how much and how many characters remain. Raw files are never touched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.core.errors import InputError

_FLAGS = {"multiline": re.MULTILINE, "ignorecase": re.IGNORECASE, "dotall": re.DOTALL}

# Typographic characters mapped to plain ones so that "Israel’s" and "Israel's" are one word.
_CHARACTER_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
        "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "", "\u00ad": "",
        "\u2010": "-", "\u2011": "-",
    }
)  # fmt: skip
_TYPOGRAPHIC = re.compile("[" + re.escape("".join(chr(c) for c in _CHARACTER_MAP)) + "\r]")
_SPACES = re.compile(r"[ \t\f\v]{2,}|[\t\f\v]")
_TRAILING = re.compile(r" +\n|\n +")
_BLANK_RUNS = re.compile(r"\n{3,}")


class CleaningRuleError(InputError):
    """A cleaning rule file that cannot be used; the message names the rule and the fix."""


@dataclass(frozen=True)
class CleaningRule:
    """One named substitution, optionally limited to documents with given metadata."""

    name: str
    description: str
    pattern: re.Pattern[str]
    replace: str = ""
    applies_to: tuple[tuple[str, str], ...] = ()

    def applies(self, metadata: dict) -> bool:
        return all(str(metadata.get(k, "")) == v for k, v in self.applies_to)


def load_rules(path: Path | None) -> list[CleaningRule]:
    """Read rules from YAML (``rules: [{name, description, pattern, replace, flags,
    applies_to}]``); no path means no rules beyond normalisation."""
    if path is None:
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise CleaningRuleError(
            f"{path}: cleaning rules not found; fix cleaning.rules_file"
        ) from None
    except yaml.YAMLError as err:
        raise CleaningRuleError(f"{path}: not valid YAML ({err})") from None
    rules = []
    for number, entry in enumerate(data.get("rules", []), start=1):
        rules.append(_rule_from_entry(entry, f"{path} rule {number}"))
    names = [r.name for r in rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CleaningRuleError(f"{path}: rule names must be unique; repeated: {duplicates}")
    return rules


def _rule_from_entry(entry: dict, where: str) -> CleaningRule:
    if not isinstance(entry, dict) or "name" not in entry or "pattern" not in entry:
        raise CleaningRuleError(f"{where}: every rule needs a name and a pattern")
    flags = 0
    for flag in entry.get("flags", []):
        if flag not in _FLAGS:
            raise CleaningRuleError(f"{where} ({entry['name']}): unknown flag {flag!r}")
        flags |= _FLAGS[flag]
    try:
        pattern = re.compile(entry["pattern"], flags)
    except re.error as err:
        raise CleaningRuleError(f"{where} ({entry['name']}): bad pattern ({err})") from None
    applies_to = tuple(sorted((str(k), str(v)) for k, v in (entry.get("applies_to") or {}).items()))
    return CleaningRule(
        name=str(entry["name"]),
        description=str(entry.get("description", "")),
        pattern=pattern,
        replace=str(entry.get("replace", "")),
        applies_to=applies_to,
    )


def normalize_text(text: str) -> str:
    """NFC, plain quotes and hyphens, no invisible characters, Unix line ends."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).translate(_CHARACTER_MAP)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def tidy_whitespace(text: str) -> str:
    """Collapse runs of spaces, strip line ends, keep paragraph breaks (at most one blank line)."""
    if "  " in text or "\t" in text or "\f" in text or "\v" in text:  # else _SPACES can't match
        text = _SPACES.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _TRAILING.sub("\n", text)
    return _BLANK_RUNS.sub("\n\n", text).strip() if "\n\n\n" in text else text.strip()


def clean_text(text: str, metadata: dict, rules: list[CleaningRule]) -> tuple[str, list[dict]]:
    """Clean one document; return the text and one record per rule that changed it."""
    steps = []
    current = normalize_text(text)
    changed = len(_TYPOGRAPHIC.findall(text)) if current != text else 0
    steps.append(_step("normalise-unicode", text, current, matches=changed))
    for rule in rules:
        if not rule.applies(metadata):
            continue
        updated, matches = rule.pattern.subn(rule.replace, current)
        if matches:
            steps.append(_step(rule.name, current, updated, matches))
        current = updated
    tidied = tidy_whitespace(current)
    steps.append(_step("tidy-whitespace", current, tidied, matches=int(tidied != current)))
    return tidied, [s for s in steps if s["matches"]]


def _step(name: str, before: str, after: str, matches: int) -> dict:
    return {"step": name, "matches": matches, "chars_removed": len(before) - len(after)}


def clean_documents(
    documents: pd.DataFrame, rules: list[CleaningRule]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Clean every document. Returns (cleaned documents, per-document report, step details)."""
    cleaned, summary, details = [], [], []
    for row in documents.to_dict("records"):
        text, steps = clean_text(row["text"], row, rules)
        cleaned.append(text)
        removed = sum(s["chars_removed"] for s in steps)
        summary.append(
            {
                "doc_id": row["doc_id"],
                "group": row["group"],
                "chars_raw": len(row["text"]),
                "chars_removed": removed,
                "chars_remaining": len(text),
                "removed": "; ".join(
                    f"{s['step']} x{s['matches']} ({s['chars_removed']} chars)" for s in steps
                ),
            }
        )
        details.extend({"doc_id": row["doc_id"], **s} for s in steps)
    out = documents.copy()
    out["text"] = cleaned
    detail_frame = pd.DataFrame(details, columns=["doc_id", "step", "matches", "chars_removed"])
    detail_frame = detail_frame.astype({"matches": "int64", "chars_removed": "int64"})
    return out, pd.DataFrame(summary), detail_frame
