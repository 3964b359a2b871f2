"""Preprocessing shared by every analysis: tokens, stop words, stems or lemmas, phrases,
and a vocabulary pruned by document frequency.

All resources are local: a regular-expression tokeniser (no Punkt download), a stop-word
list versioned in ``analysis/resources``, NLTK's Snowball stemmer (rule-based, no data), and
simplemma's lemma tables (shipped inside the package).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core.paths import project_path

if TYPE_CHECKING:  # gensim is imported where it is used: worker processes start faster
    from gensim.corpora import Dictionary
    from gensim.models.phrases import FrozenPhrases

# A word: letters with inner hyphens or apostrophes ("two-state", "israel's"); an
# abbreviation with dots ("u.s."); or a number ("2334", "1,000", "3.5"). Written factored
# (one branch per first character), which `re` runs faster than the plain alternation
# ``(?:L\.){2,}|L+(?:['-]L+)*|\d+(?:[.,]\d+)*`` (L = a letter) with the same matches.
WORD_PATTERN = re.compile(
    r"[^\W\d_](?:(?:\.[^\W\d_])+\.|[^\W\d_]*(?:['-][^\W\d_]+)*)"
    r"|\d+(?:[.,]\d+)*"
)
# The same pattern for ASCII text, where a letter is [A-Za-z] and a digit [0-9]: faster.
_ASCII_WORD_PATTERN = re.compile(
    r"[A-Za-z](?:(?:\.[A-Za-z])+\.|[A-Za-z]*(?:['-][A-Za-z]+)*)"
    r"|[0-9]+(?:[.,][0-9]+)*"
)
_NUMBER = re.compile(r"\d[\d.,]*")


def normalise_quotes(text: str) -> str:
    """Typographic apostrophes to "'" (same length, so character offsets stay valid)."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def tokenize_words(text: str, lowercase: bool = True) -> list[str]:
    """Word tokens of a text, in order: the one definition of a word (`WORD_PATTERN`, with
    typographic apostrophes read as plain ones); punctuation dropped, possessive 's kept."""
    if lowercase:
        text = text.lower()
    if text.isascii():
        return _ASCII_WORD_PATTERN.findall(text)
    return WORD_PATTERN.findall(normalise_quotes(text))


def count_words(text: str) -> int:
    """Running words in a text (`tokenize_words`)."""
    return len(tokenize_words(str(text), lowercase=False))


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased words (`tokenize_words`) with their character offsets in `text`."""
    return [
        (m.group(0).lower(), m.start(), m.end())
        for m in WORD_PATTERN.finditer(normalise_quotes(str(text)))
    ]


def stopword_list(preprocess) -> frozenset[str]:
    """The stop-word list of `Params.preprocess`: its file plus `extra_stopwords`, the one
    list every stage removes (topic model tokens, keyness, collocates)."""
    return load_stopwords(project_path(preprocess.stopwords_file), preprocess.extra_stopwords)


def load_stopwords(path: Path, extra: Iterable[str] = ()) -> frozenset[str]:
    """Stop words from a one-per-line file ('#' starts a comment) plus corpus additions."""
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(word)
    return frozenset(words | {w.lower() for w in extra})


@lru_cache(maxsize=200_000)
def _stem(token: str) -> str:
    return _stemmer().stem(token)


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


@lru_cache(maxsize=200_000)
def _lemma(token: str) -> str:
    import simplemma

    return simplemma.lemmatize(token, lang="en")


def normalize_token(token: str, mode: str) -> str:
    """Stem or lemmatise each part of a token (phrases keep their '_' joints)."""
    if mode == "none":
        return token
    form = _stem if mode == "stem" else _lemma
    return "_".join(form(part) for part in token.split("_"))


def train_phrases(
    token_lists: Iterable[list[str]], min_count: int, threshold: float
) -> PhraseJoiner:
    """Multi-word expressions by normalised PMI (gensim Phrases), allowing connector words
    inside phrases ("secretary_of_state"); applied by a `PhraseJoiner`."""
    from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

    model = Phrases(
        token_lists,
        min_count=min_count,
        threshold=threshold,
        scoring="npmi",
        connector_words=ENGLISH_CONNECTOR_WORDS,
        delimiter="_",
    )
    return PhraseJoiner.from_frozen(model.freeze())


@dataclass(frozen=True)
class PhraseJoiner:
    """gensim ``FrozenPhrases[sentence]`` as a plain loop: the same tokens, several times faster.

    gensim's ``analyze_sentence`` generator scores every pair of words (joining the
    candidate string and looking it up) through several Python calls per word. This loop
    does the same greedy left-to-right walk: a candidate starts at a word that is not a
    connector word, grows over connector words, and ends at the next such word; it becomes
    one token when the joined string is one of the model's phrases with a score above the
    threshold. The string is only built when the first and last words can begin and end a
    phrase. Like gensim, an empty string never starts a candidate (gensim tests truthiness).
    """

    phrases: frozenset[str]
    connector_words: frozenset[str]
    delimiter: str
    first_words: frozenset[str]
    last_words: frozenset[str]

    @classmethod
    def from_frozen(cls, model: FrozenPhrases) -> PhraseJoiner:
        delimiter = model.delimiter
        phrases = frozenset(p for p, score in model.phrasegrams.items() if score > model.threshold)
        first, last = set(), set()
        for phrase in phrases:  # every split at a delimiter, in case a word holds one
            for at in (i for i, c in enumerate(phrase) if phrase.startswith(delimiter, i)):
                first.add(phrase[:at])
                last.add(phrase[at + len(delimiter) :])
        return cls(phrases, frozenset(model.connector_words), delimiter, frozenset(first),
                   frozenset(last))  # fmt: skip

    def __len__(self) -> int:
        return len(self.phrases)

    def __getitem__(self, sentence: list[str]) -> list[str]:
        """The sentence with its phrases joined (one sentence, as a list of words)."""
        if not isinstance(sentence, list | tuple):
            sentence = list(sentence)
        if sentence and not isinstance(sentence[0], str):
            raise TypeError("PhraseJoiner takes one sentence (a list of words) at a time")
        return self.join(sentence)

    def join(self, words: list[str]) -> list[str]:
        """Words with phrases joined by the delimiter, exactly as gensim FrozenPhrases."""
        connectors, phrases = self.connector_words, self.phrases
        first_words, last_words, delimiter = self.first_words, self.last_words, self.delimiter
        out: list[str] = []
        start, between = None, []
        for word in words:
            if word in connectors:
                if start:
                    between.append(word)
                else:
                    out.append(word)
            elif start:
                if start in first_words and word in last_words:
                    joined = delimiter.join([start, *between, word])
                    if joined in phrases:
                        out.append(joined)
                        start, between = None, []
                        continue
                out.append(start)
                if between:
                    out.extend(between)
                    between = []
                start = word
            else:
                start, between = word, []
        if start:
            out.append(start)
            out.extend(between)
        return out


def content_tokens(
    words: list[str], stopwords: frozenset[str], min_length: int, mode: str = "none"
) -> list[str]:
    """Drop stop words, numbers and short tokens; then stem or lemmatise.

    A phrase that begins or ends with a stop word or a number ("he_said", "march_2016") is
    split back into its words, which are then filtered one by one.
    """
    kept = []
    for word in words:
        parts = word.split("_")
        if len(parts) > 1 and not (
            _is_content(parts[0], stopwords, 1) and _is_content(parts[-1], stopwords, 1)
        ):
            kept.extend(content_tokens(parts, stopwords, min_length, mode))
            continue
        word = word[:-2] if word.endswith("'s") else word
        if _is_content(word, stopwords, min_length):
            kept.append(normalize_token(word, mode))
    return kept


def _is_content(word: str, stopwords: frozenset[str], min_length: int) -> bool:
    return len(word) >= min_length and word not in stopwords and not _NUMBER.fullmatch(word)


def build_dictionary(
    token_lists: Iterable[list[str]], min_df: int, max_df: float, keep_n: int
) -> Dictionary:
    """Vocabulary pruned by document frequency (absolute minimum, maximum share, size cap)."""
    from gensim.corpora import Dictionary

    dictionary = Dictionary(token_lists)
    dictionary.filter_extremes(no_below=min_df, no_above=max_df, keep_n=keep_n)
    return dictionary


def prune_to_vocabulary(
    token_lists: Iterable[list[str]], dictionary: Dictionary
) -> Iterator[list[str]]:
    """Token lists restricted to the dictionary's vocabulary, order kept."""
    vocabulary = dictionary.token2id
    for tokens in token_lists:
        yield [t for t in tokens if t in vocabulary]
