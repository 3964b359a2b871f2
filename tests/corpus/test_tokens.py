"""Tokens, stop words, stems and lemmas, phrases and vocabulary pruning."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, FrozenPhrases, Phrases
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.paths import RESOURCES
from analysis.corpus.tokens import (
    PhraseJoiner,
    build_dictionary,
    content_tokens,
    load_stopwords,
    normalize_token,
    prune_to_vocabulary,
    tokenize_words,
    train_phrases,
)

STOPWORDS = load_stopwords(RESOURCES / "stopwords_en.txt")


def test_tokenizer_keeps_compounds_abbreviations_and_numbers():
    text = "The U.S. backs a two-state solution; Israel's 2,334 settlers—not 1.5!"
    assert tokenize_words(text) == [
        "the", "u.s.", "backs", "a", "two-state", "solution", "israel's", "2,334", "settlers",
        "not", "1.5",
    ]  # fmt: skip


@given(st.text(max_size=200))
def test_tokens_are_lowercase_substrings_without_spaces(text):
    lowered = text.lower()
    for token in tokenize_words(text):
        assert token in lowered
        assert not any(c.isspace() for c in token)


def test_stopword_list_is_pinned_and_extendable():
    assert len(STOPWORDS) == 337
    assert {"the", "and", "of"} <= STOPWORDS
    assert "peace" not in STOPWORDS
    assert "said" in load_stopwords(RESOURCES / "stopwords_en.txt", ["Said"])


def test_content_tokens_drop_stopwords_numbers_and_split_stopword_phrases():
    words = ["the", "security_council", "he_said", "march_2016", "2334", "israel's", "x"]
    assert content_tokens(words, STOPWORDS, min_length=2) == [
        "security_council", "said", "march", "israel",
    ]  # fmt: skip


def test_stemming_and_lemmatisation_apply_to_each_part():
    assert normalize_token("settlements", "stem") == "settlement"
    assert normalize_token("peace_negotiations", "stem") == "peac_negoti"
    assert normalize_token("negotiations", "lemma") == "negotiation"
    assert normalize_token("negotiations", "none") == "negotiations"


def test_phrases_join_frequent_collocations_with_connectors():
    people = ["lavrov", "abbas", "mogherini", "netanyahu", "guterres"]
    sentences = [["the", "secretary", "of", "state", "met", name] for name in people]
    verbs = ["called", "thanked", "visited", "told", "praised"]
    sentences += [
        [name, verb, "the", "prime", "minister"] for name, verb in zip(people, verbs, strict=True)
    ]
    sentences += [["a", "secretary", "wrote"], ["the", "state", "ruled"], ["a", "prime", "time"]]
    phrases = train_phrases(sentences, min_count=3, threshold=0.5)
    assert phrases[sentences[0]] == ["the", "secretary_of_state", "met", "lavrov"]
    assert phrases[sentences[5]] == ["lavrov", "called", "the", "prime_minister"]
    assert phrases[["a", "prime", "time"]] == ["a", "prime", "time"]


def test_vocabulary_pruned_by_document_frequency():
    docs = [["peace", "rare"], ["peace", "talks"], ["peace", "talks"], ["peace", "talks", "x"]]
    dictionary = build_dictionary(docs, min_df=2, max_df=0.9, keep_n=100)
    assert sorted(dictionary.token2id) == ["talks"]  # 'peace' is in every doc, 'rare' in one
    assert list(prune_to_vocabulary(docs, dictionary)) == [[], ["talks"], ["talks"], ["talks"]]


# The tokeniser as first written (a plain alternation); `tokenize_words` must equal it.
REFERENCE_WORD_PATTERN = re.compile(
    r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:['-][^\W\d_]+)*|\d+(?:[.,]\d+)*"
)
SHARED = Path(__file__).resolve().parents[3] / "shared"
# Letters, digits and punctuation the pattern treats specially, plus characters whose lower
# case or class is tricky: dotted I (lower case is two characters), long s, Kelvin sign
# (lower case is ASCII k), superscript two (a word character but not a digit), Arabic-Indic
# digits, a combining accent, the final-sigma capital.
TRICKY = "aZé.,'-_ 09\u0130\u017f\u212a\u00b2\u0663\u0301\u03a3\u00df\n"


def _dev_texts() -> list[str]:
    corpora = SHARED / "corpora"
    if not corpora.is_dir():
        pytest.skip(f"{corpora} not found: the development corpora are needed for this test")
    texts = []
    for path in sorted((corpora / "state_union").glob("*.txt")):
        data = path.read_bytes()
        try:
            texts.append(data.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(data.decode("cp1252"))  # non-ASCII letters and typographic quotes
    texts += [p.read_text(encoding="utf-8") for p in sorted(corpora.glob("movie_reviews/*/*"))[::8]]
    return texts


@given(st.text(alphabet=TRICKY, max_size=60), st.booleans())
def test_tokenizer_equals_the_plain_alternation(text, lowercase):
    expected = REFERENCE_WORD_PATTERN.findall(text.lower() if lowercase else text)
    assert tokenize_words(text, lowercase) == expected


def test_tokenizer_equals_the_plain_alternation_on_the_dev_corpora():
    texts = _dev_texts()
    assert sum(not t.isascii() for t in texts) >= 3  # both code paths are exercised
    for text in texts:
        for lowercase in (True, False):
            expected = REFERENCE_WORD_PATTERN.findall(text.lower() if lowercase else text)
            assert tokenize_words(text, lowercase) == expected


def _gensim_phrases(sentences, min_count, threshold) -> FrozenPhrases:
    return Phrases(
        sentences,
        min_count=min_count,
        threshold=threshold,
        scoring="npmi",
        connector_words=ENGLISH_CONNECTOR_WORDS,
        delimiter="_",
    ).freeze()


def test_phrase_joiner_equals_gensim_on_the_dev_corpora():
    sentences = [
        tokenize_words(line) for text in _dev_texts() for line in text.splitlines() if line.strip()
    ]
    model = _gensim_phrases(sentences[::2], min_count=5, threshold=0.3)
    joiner = PhraseJoiner.from_frozen(model)
    assert len(joiner) > 1000
    joined = [joiner[s] for s in sentences]
    assert joined == [model[s] for s in sentences]
    changed = sum(j != s for j, s in zip(joined, sentences, strict=True))
    assert changed > len(sentences) // 10  # many sentences really hold phrases
    assert any("_of_" in t for s in joined for t in s)  # phrases across connector words


@given(st.lists(st.sampled_from(["a", "b", "c", "of", "the", "", "a_b"]), max_size=12))
def test_phrase_joiner_equals_gensim_on_edge_cases(sentence):
    """Connectors at the ends and in runs, empty strings (gensim drops them), a word that
    holds the delimiter."""
    training = [["a", "b", "c"], ["a", "of", "the", "c"], ["b", "c"], ["a_b", "c"]] * 3
    model = _gensim_phrases(training + [["c", "a"], ["b", "b"]], min_count=1, threshold=-1.0)
    assert PhraseJoiner.from_frozen(model)[sentence] == model[sentence]


def test_train_phrases_gives_a_joiner_of_the_gensim_model():
    sentences = [["the", "security", "council", "met"]] * 4 + [["security", "rules"], ["a"]]
    joiner = train_phrases(sentences, min_count=2, threshold=0.1)
    assert isinstance(joiner, PhraseJoiner)
    assert joiner[sentences[0]] == ["the", "security_council", "met"]
    assert joiner[[]] == []
    with pytest.raises(TypeError, match="one sentence"):
        joiner[sentences]
