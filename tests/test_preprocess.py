"""Tokens, stop words, stems and lemmas, phrases and vocabulary pruning."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from analysis.paths import RESOURCES
from analysis.preprocess import (
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
