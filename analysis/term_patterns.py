"""Dictionary term patterns: how a researcher's term list becomes regular expressions.

One syntax for frame dictionaries, actor gazetteers and focal terms, so that a term means
the same thing everywhere:

- case-insensitive, except a term written entirely in capitals ("US", "UN", "PA"), which
  matches only in capitals (otherwise "US" would match the pronoun "us");
- whole words: a term never matches inside a longer word ("peace" does not match
  "peacekeeping"); hyphens and apostrophes are word edges, so "settlement*" matches
  "anti-settlement" and "Israel" matches "Israel's";
- a trailing ``*`` on a word is a stem: "settlement*" matches "settlement", "settlements",
  "settlement's" but not "resettlement";
- the words of a multi-word term may be separated by spaces or hyphens in the text:
  "two-state solution" matches "two state solution" and "two state-solution";
- typographic apostrophes and quotes in the text count as their plain forms.

Several terms compiled together match leftmost first and, at the same position, longest
first, without overlaps: "two-state solution" wins over "two-state".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

_WORD_SEPARATOR = r"[\s\-\u2010\u2011\u2013]+"
_TERM_CHARS = re.compile(r"^[\w\s\-'.&/+*]+$")
_WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")


class TermError(ValueError):
    """A dictionary term cannot be turned into a pattern."""


@dataclass(frozen=True)
class TermMatch:
    """One match of a term in a text: which term (as written), where, and the text matched."""

    term: str
    start: int
    end: int
    matched: str


def normalise_quotes(text: str) -> str:
    """Typographic apostrophes to "'" (same length, so character offsets stay valid)."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def term_regex(term: str) -> str:
    """Regular-expression source for one term (see the module docstring for the syntax)."""
    cleaned = " ".join(str(term).split())
    if not cleaned or not _TERM_CHARS.match(cleaned):
        raise TermError(
            f"term {term!r}: use words, spaces, hyphens, apostrophes, '.', '&', '/' or '+', "
            "with an optional trailing '*' on a word"
        )
    words = re.split(r"[\s\-]+", cleaned)
    parts = []
    for word in words:
        stem = word.endswith("*")
        core = word.rstrip("*")
        if not core or "*" in core:
            raise TermError(f"term {term!r}: '*' may only end a word, e.g. 'settlement*'")
        parts.append(re.escape(core) + (r"\w*" if stem else ""))
    body = _WORD_SEPARATOR.join(parts)
    case = "" if _is_acronym(cleaned) else "(?i:"
    close = "" if not case else ")"
    return rf"(?<!\w){case}{body}{close}(?!\w)"


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


@dataclass(frozen=True)
class TermMatcher:
    """Compiled alternation of many terms; `terms[i]` is the term of capture group i + 1."""

    terms: tuple[str, ...]
    pattern: re.Pattern

    def find(self, text: str) -> list[TermMatch]:
        """Non-overlapping matches in `text`, left to right (longest term first at a tie)."""
        text = normalise_quotes(str(text))
        return [
            TermMatch(self.terms[m.lastindex - 1], m.start(), m.end(), m.group(0))
            for m in self.pattern.finditer(text)
        ]


def compile_terms(terms: Iterable[str]) -> TermMatcher:
    """Compile terms into one matcher; duplicates are dropped, longer terms tried first."""
    unique = list(dict.fromkeys(str(t) for t in terms))
    if not unique:
        raise TermError("no terms to compile: the term list is empty")
    ordered = sorted(unique, key=lambda t: (-len(t.rstrip("*")), t))
    source = "|".join(f"({term_regex(t)})" for t in ordered)
    return TermMatcher(terms=tuple(ordered), pattern=re.compile(source))


def count_words(text: str) -> int:
    """Running words in a text: letters/digits, with inner hyphens and apostrophes kept."""
    return len(_WORD.findall(normalise_quotes(str(text))))


def words_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased running words with their character offsets (for windows around matches)."""
    return [
        (m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(normalise_quotes(text))
    ]


def keyword_in_context(text: str, start: int, end: int, width: int = 60) -> tuple[str, str, str]:
    """Left context, match and right context of a span, whitespace collapsed, `width` chars."""
    left = " ".join(text[max(0, start - 4 * width) : start].split())
    right = " ".join(text[end : end + 4 * width].split())
    left = left[-width:].strip() if len(left) > width else left
    right = right[:width].strip() if len(right) > width else right
    return left, " ".join(text[start:end].split()), right


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise a clear error when a table lacks columns an analysis needs."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what}: missing column(s) {missing}; expected at least {list(columns)} "
            "(e.g. PreparedCorpus.segments)"
        )
