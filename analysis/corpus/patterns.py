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
from dataclasses import dataclass, field

from analysis.core.errors import InputError
from analysis.corpus.tokens import normalise_quotes

_WORD_SEPARATOR = r"[\s\-\u2010\u2011\u2013]+"
_TERM_CHARS = re.compile(r"^[\w\s\-'.&/+*]+$")


class TermError(InputError):
    """A dictionary term cannot be turned into a pattern."""


@dataclass(frozen=True)
class TermMatch:
    """One match of a term in a text: which term (as written), where, and the text matched."""

    term: str
    start: int
    end: int
    matched: str


def term_regex(term: str) -> str:
    """Regular-expression source for one term (see the module docstring for the syntax)."""
    return rf"(?<!\w){_term_body(term)}"


def _term_body(term: str) -> str:
    """The term's pattern without the leading word-edge check (shared in `compile_terms`)."""
    cleaned = " ".join(str(term).split())
    if not cleaned or not _TERM_CHARS.match(cleaned):
        raise TermError(
            f"term {term!r}: use words, spaces, hyphens, apostrophes, '.', '&', '/' or '+', "
            "with an optional trailing '*' on a word"
        )
    if not cleaned[0].isalnum():
        raise TermError(f"term {term!r}: must start with a letter or digit")
    words = re.split(r"[\s\-]+", cleaned)
    parts = []
    for word in words:
        stem = word.endswith("*")
        core = word.rstrip("*")
        if not core or "*" in core:
            raise TermError(f"term {term!r}: '*' may only end a word, e.g. 'settlement*'")
        parts.append(re.escape(core) + (r"\w*" if stem else ""))
    body = _WORD_SEPARATOR.join(parts)
    if _is_acronym(cleaned):
        return rf"{body}(?!\w)"
    return rf"(?i:{body})(?!\w)"


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


_WORD_START = re.compile(r"(?<!\w)\w+")
_FIRST_RUN = re.compile(r"\w+")
# Characters whose lower-case form is not one character: a text holding one is scanned word
# by word, since its lower-cased form no longer lines up with it character by character
# (tests/corpus/test_patterns.py checks every Unicode character for this).
UNSAFE_CASE = "\u0130"


def candidate_words(exact: Iterable[str], stems: Iterable[str]) -> re.Pattern:
    """Word starts where a term filed under a key may match: a whole word whose lower-case
    form equals an `exact` key, or begins with a `stems` key (keys lower-case). The pattern
    is scanned over the lower-cased text (`_candidate_words`), case-sensitively, which lets
    the regular-expression engine skip on the keys' first letters; the keys form a
    character trie, so the scan runs at C speed whatever their number. The match is the
    key, `_FIRST_RUN` at its start in the text the whole word."""
    exact, stems = list(exact), list(stems)
    if all(_WORD_KEY.fullmatch(key) for key in exact + stems):
        return re.compile(rf"(?<!\w){_key_trie(exact, stems)}" if exact or stems else "(?!)")
    branches = []
    if exact:
        branches.append(rf"{_trie(exact)}(?!\w)")
    if stems:
        branches.append(_trie(stems))
    return re.compile(r"(?<!\w)(?:" + "|".join(branches) + ")" if branches else r"(?!)")


_WORD_KEY = re.compile(r"\w+")


def _key_trie(exact: list[str], stems: list[str]) -> str:
    """One trie of exact and stem keys, matching where ``_trie(exact)(?!\\w)|_trie(stems)``
    does. Its ends may differ, but only the starts are used, and with keys of word characters
    only a match never holds the start of another candidate."""
    root: dict = {}
    for keys, end in ((exact, r"(?!\w)"), (stems, "")):
        for key in keys:
            node = root
            for char in key:
                node = node.setdefault(char, {})
            node.setdefault("", set()).add(end)
    return _key_trie_node(root)


def _key_trie_node(node: dict) -> str:
    ends = node.get("", set())
    if "" in ends:  # a stem ends here: any longer key matches only where it does
        return ""
    branches = [
        re.escape(char) + _key_trie_node(child) for char, child in sorted(node.items()) if char
    ]
    branches += sorted(ends)
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _trie(keys: Iterable[str]) -> str:
    """A regular expression matching exactly `keys`, as nested alternatives of a trie."""
    root: dict = {}
    for key in keys:
        node = root
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node(root)


def _trie_node(node: dict) -> str:
    branches = [re.escape(char) + _trie_node(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    group = "(?:" + "|".join(branches) + ")"
    return group + "?" if "" in node else group


def _candidate_words(candidates: re.Pattern, text: str) -> Iterable[re.Match]:
    """The whole words (`_FIRST_RUN`) at the candidate word starts of `text`, in order:
    `candidates` scanned over ``text.lower()``, whose characters stand where the text's do
    (one for one, word characters for word characters) unless it holds UNSAFE_CASE."""
    if UNSAFE_CASE in text:
        return _WORD_START.finditer(text)
    return (_FIRST_RUN.match(text, m.start()) for m in candidates.finditer(text.lower()))


@dataclass(frozen=True)
class TermMatcher:
    """Compiled terms, indexed by their first word.

    Each term is filed under the lower-cased first run of letters/digits of its first
    word ("two-state solution" under "two", "settlement*" under the stem "settlement"). Only
    the word starts where some term is filed (`candidate_words`, one regular expression
    scanned at C speed) are visited, and there only the terms filed under that word (or a
    stem of it) are tried, which keeps a gazetteer of hundreds of aliases fast on long
    texts. Among the terms that match at a position the longest match wins (then the
    longer term).
    """

    terms: tuple[str, ...]
    exact: dict
    stems: dict
    stem_lengths: tuple[int, ...]
    candidates: re.Pattern
    _candidates: dict = field(default_factory=dict, compare=False, repr=False)

    def _lookup(self, key: str) -> list:
        """Pattern groups that may match at a word starting with `key` (memoised per word)."""
        found = self._candidates.get(key)
        if found is None:
            found = self._candidates[key] = self.groups_for(key)
        return found

    def groups_for(self, key: str) -> list:
        """Pattern groups filed under a lower-cased word or a stem of it (not memoised)."""
        found = [self.exact[key]] if key in self.exact else []
        found += [self.stems[key[:n]] for n in self.stem_lengths if key[:n] in self.stems]
        return found

    def find(self, text: str) -> list[TermMatch]:
        """Non-overlapping matches in `text`, left to right (longest first at a position)."""
        text = normalise_quotes(str(text))
        found, last = [], 0
        for word in _candidate_words(self.candidates, text):
            pos = word.start()
            if pos < last:
                continue
            candidates = self._lookup(word.group(0).lower())
            if not candidates:
                continue
            best = None
            for pattern, terms in candidates:
                m = pattern.match(text, pos)
                if m and (best is None or m.end() > best[0].end()):
                    best = (m, terms[m.lastindex - 1])
            if best:
                m, term = best
                found.append(TermMatch(term, m.start(), m.end(), m.group(0)))
                last = m.end()
        return found


class MultiTermMatcher:
    """Several `TermMatcher`s run in one pass over a text's words.

    ``find(text)`` equals ``[m.find(text) for m in matchers]``: the candidate word starts
    of the text (of any matcher) are visited once, and each word is looked up once in a
    memo that holds, for each lower-cased word, the matchers (and their pattern groups)
    filed under it; at a word start every such matcher tries its patterns exactly as
    `TermMatcher.find` does, with its own end of the previous match. Dictionaries of a
    dozen frames plus a gazetteer are thereby about as fast as one matcher.
    """

    def __init__(self, matchers: Sequence[TermMatcher]) -> None:
        self.matchers = tuple(matchers)
        self._exact: dict[str, list] = {}
        self._stems: dict[int, dict[str, list]] = {}
        for index, matcher in enumerate(self.matchers):
            for key, group in matcher.exact.items():
                self._exact.setdefault(key, []).append((index, group))
            for key, group in matcher.stems.items():
                self._stems.setdefault(len(key), {}).setdefault(key, []).append((index, group))
        self._stem_lengths = tuple(sorted(self._stems))
        self._candidates: dict[str, tuple] = {}
        self._words = candidate_words(self._exact, [k for by in self._stems.values() for k in by])

    def _lookup(self, key: str) -> tuple:
        """(matcher index, pattern groups) for a lower-cased word, in matcher order, each
        matcher's groups in `TermMatcher.groups_for` order (exact, then stems by length)."""
        per_matcher: dict[int, list] = {}
        for index, group in self._exact.get(key, ()):
            per_matcher.setdefault(index, []).append(group)
        for length in self._stem_lengths:
            for index, group in self._stems[length].get(key[:length], ()):
                per_matcher.setdefault(index, []).append(group)
        found = tuple(sorted(per_matcher.items()))
        if len(self._candidates) > _MEMO_LIMIT:
            self._candidates.clear()
        self._candidates[key] = found
        return found

    def find(self, text: str) -> list[list[TermMatch]]:
        """For each matcher, its non-overlapping matches in `text`, left to right."""
        text = normalise_quotes(str(text))
        found: list[list[TermMatch]] = [[] for _ in self.matchers]
        last = [0] * len(self.matchers)
        lookup = self._candidates.get
        for word in _candidate_words(self._words, text):
            key = word.group(0).lower()
            candidates = lookup(key)
            if candidates is None:
                candidates = self._lookup(key)
            if not candidates:
                continue
            pos = word.start()
            for index, groups in candidates:
                if pos < last[index]:
                    continue
                best = None
                for pattern, terms in groups:
                    m = pattern.match(text, pos)
                    if m and (best is None or m.end() > best[0].end()):
                        best = (m, terms[m.lastindex - 1])
                if best:
                    m, term = best
                    found[index].append(TermMatch(term, m.start(), m.end(), m.group(0)))
                    last[index] = m.end()
        return found

    def find_terms(self, text: str) -> list[list[str]]:
        """For each matcher, the terms it matches in `text`, in text order."""
        return [[m.term for m in matches] for matches in self.find(text)]


_MEMO_LIMIT = 500_000


def compile_terms(terms: Iterable[str]) -> TermMatcher:
    """Compile terms into one matcher; duplicates are dropped, longer terms tried first."""
    unique = list(dict.fromkeys(str(t) for t in terms))
    if not unique:
        raise TermError("no terms to compile: the term list is empty")
    ordered = sorted(unique, key=lambda t: (-len(t.rstrip("*")), t))
    exact, stems = {}, {}
    for term in ordered:
        body = _term_body(term)  # validates the term
        run = _FIRST_RUN.match(" ".join(term.split()))
        key = run.group(0).lower()
        is_stem = term.split()[0].split("-")[0] == run.group(0) + "*"
        (stems if is_stem else exact).setdefault(key, []).append((term, body))
    return TermMatcher(
        terms=tuple(ordered),
        exact={k: _alternation(v) for k, v in exact.items()},
        stems={k: _alternation(v) for k, v in stems.items()},
        stem_lengths=tuple(sorted({len(k) for k in stems})),
        candidates=candidate_words(exact, stems),
    )


def _alternation(entries: list[tuple[str, str]]) -> tuple[re.Pattern, tuple[str, ...]]:
    source = r"(?<!\w)(?:" + "|".join(f"({body})" for _, body in entries) + ")"
    return re.compile(source), tuple(term for term, _ in entries)
