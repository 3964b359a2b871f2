"""Explicit, reported cleaning: Unicode and whitespace normalisation plus editable rules.

Rules live in a YAML file a researcher can read and edit (see ``seeds/cleaning.yaml``):
each is a named regular expression with a replacement, an explanation, and optionally the
documents it applies to (by metadata). The report says, per document, which rules removed
how much and how many characters remain. Raw files are never touched.

Rules run on the `regex` engine with a time budget per rule and document
(`timeout_seconds` of the rule or of the file, default `RULE_TIMEOUT_SECONDS`): a pattern
that backtracks catastrophically, such as `(a|aa)+$`, stops with an error naming the rule
instead of hanging the run.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import regex
import yaml

from analysis.core.errors import InputError

_FLAGS = {"multiline": regex.MULTILINE, "ignorecase": regex.IGNORECASE, "dotall": regex.DOTALL}
# Longest a rule may take on one document; far above any sane rule on a long article.
RULE_TIMEOUT_SECONDS = 10.0
# A replacement's escapes: a group (\1, \g<name>) or a character escape.
_TEMPLATE_ESCAPE = re.compile(r"\\(?:(\d+)|g<([^>]*)>|(.))", re.DOTALL)

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
    pattern: regex.Pattern
    replace: str = ""
    applies_to: tuple[tuple[str, str], ...] = ()
    origin: str = ""  # "<file> rule <n>", for messages
    timeout: float = RULE_TIMEOUT_SECONDS  # longest run on one document, in seconds

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
    except UnicodeDecodeError as err:
        raise CleaningRuleError(
            f"{path}: byte {err.start} is not UTF-8; cleaning.rules_file must name a YAML "
            "text file of rules"
        ) from None
    except OSError as err:
        raise CleaningRuleError(
            f"{path}: cannot be read ({err.strerror}); fix cleaning.rules_file"
        ) from None
    except yaml.YAMLError as err:
        raise CleaningRuleError(f"{path}: not valid YAML ({err})") from None
    entries = data.get("rules", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CleaningRuleError(
            f"{path}: expected a mapping with a 'rules:' list (see seeds/cleaning.yaml)"
        )
    default = _timeout(data.get("timeout_seconds", RULE_TIMEOUT_SECONDS), f"{path}")
    rules = []
    for number, entry in enumerate(entries, start=1):
        rules.append(_rule_from_entry(entry, f"{path} rule {number}", default))
    names = [r.name for r in rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CleaningRuleError(f"{path}: rule names must be unique; repeated: {duplicates}")
    return rules


def _timeout(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise CleaningRuleError(f"{where}: timeout_seconds is {value!r}; give a number above 0")
    return float(value)


def _rule_from_entry(entry: dict, where: str, timeout: float) -> CleaningRule:
    if not isinstance(entry, dict) or "name" not in entry or "pattern" not in entry:
        raise CleaningRuleError(f"{where}: every rule needs a name and a pattern")
    label = f"{where} ({entry['name']})"
    for key in ("pattern", "replace"):
        if not isinstance(entry.get(key, ""), str):
            raise CleaningRuleError(
                f"{label}: {key} must be one string, not {entry[key]!r}; quote it in the YAML"
            )
    flags = entry.get("flags", [])
    if not isinstance(flags, list) or not isinstance(entry.get("applies_to") or {}, dict):
        raise CleaningRuleError(f"{label}: flags must be a list and applies_to a mapping")
    bits = 0
    for flag in flags:
        if flag not in _FLAGS:
            raise CleaningRuleError(f"{label}: unknown flag {flag!r}")
        bits |= _FLAGS[flag]
    try:
        pattern = regex.compile(entry["pattern"], bits)
    except regex.error as err:
        raise CleaningRuleError(f"{label}: bad pattern ({err})") from None
    replace = str(entry.get("replace", ""))
    problem = template_problem(replace, pattern)
    if problem:
        raise CleaningRuleError(f"{label}: bad replace {replace!r} ({problem})")
    applies_to = tuple(sorted((str(k), str(v)) for k, v in (entry.get("applies_to") or {}).items()))
    return CleaningRule(
        name=str(entry["name"]),
        description=str(entry.get("description", "")),
        pattern=pattern,
        replace=replace,
        applies_to=applies_to,
        origin=where,
        timeout=_timeout(entry.get("timeout_seconds", timeout), label),
    )


def template_problem(replace: str, pattern: regex.Pattern) -> str:
    """Why a replacement cannot be used with `pattern` (a group it lacks, a bad escape); ""
    when it can. Checked at load time, since the engine only notices at the first match."""
    for number, name, char in _TEMPLATE_ESCAPE.findall(replace):
        if number and int(number) > pattern.groups:
            return f"group \\{number} does not exist; the pattern has {pattern.groups} group(s)"
        if (
            name
            and name not in pattern.groupindex
            and not (name.isdigit() and int(name) <= pattern.groups)
        ):
            return f"group <{name}> does not exist in the pattern"
        if char and char not in "\\abfnrtv":
            return f"unknown escape \\{char}; write \\\\ for a backslash"
    if replace.endswith("\\") and not replace.endswith("\\\\"):
        return "it ends in a lone backslash"
    return ""


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
    """Clean one document; return the text and one record per rule that changed it.

    A rule running longer than its `timeout` on the text is a CleaningRuleError naming the
    rule and the document."""
    steps = []
    current = normalize_text(text)
    changed = len(_TYPOGRAPHIC.findall(text)) if current != text else 0
    steps.append(_step("normalise-unicode", text, current, matches=changed))
    for rule in rules:
        if not rule.applies(metadata):
            continue
        try:
            updated, matches = rule.pattern.subn(rule.replace, current, timeout=rule.timeout)
        except TimeoutError:
            where = metadata.get("location") or metadata.get("doc_id", "a document")
            raise CleaningRuleError(
                f"{rule.origin or 'cleaning rule'} ({rule.name}): took more than "
                f"{rule.timeout:g} s on {where} and was stopped; the pattern "
                f"{rule.pattern.pattern!r} backtracks catastrophically: avoid nested or "
                "overlapping repeats such as (a|aa)+ or (a+)+"
            ) from None
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
