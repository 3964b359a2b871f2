"""Preprocessing shared by every analysis: tokens, stop words, stems or lemmas, phrases,
and a vocabulary pruned by document frequency.

All resources are local: a regular-expression tokeniser (no Punkt download), a stop-word
list versioned in ``analysis/resources``, NLTK's Snowball stemmer (rule-based, no data), and
simplemma's lemma tables (shipped inside the package).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from gensim.corpora import Dictionary
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, FrozenPhrases, Phrases

# A word: letters with inner hyphens or apostrophes ("two-state", "israel's"); an
# abbreviation with dots ("u.s."); or a number ("2334", "1,000", "3.5").
WORD_PATTERN = re.compile(
    r"(?:[^\W\d_]\.){2,}"
    r"|[^\W\d_]+(?:['-][^\W\d_]+)*"
    r"|\d+(?:[.,]\d+)*"
)
_NUMBER = re.compile(r"\d[\d.,]*")


def tokenize_words(text: str, lowercase: bool = True) -> list[str]:
    """Word tokens of a text, in order; punctuation dropped, possessive 's kept on the word."""
    if lowercase:
        text = text.lower()
    return WORD_PATTERN.findall(text)


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
) -> FrozenPhrases:
    """Multi-word expressions by normalised PMI (gensim Phrases), allowing connector words
    inside phrases ("secretary_of_state")."""
    model = Phrases(
        token_lists,
        min_count=min_count,
        threshold=threshold,
        scoring="npmi",
        connector_words=ENGLISH_CONNECTOR_WORDS,
        delimiter="_",
    )
    return model.freeze()


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
