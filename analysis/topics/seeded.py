"""Seeded topics: anchor some topics with seed words through the topic–word prior.

`topics.seed_words_file` is a YAML mapping of topic names to seed terms, e.g.

    settlements: [settlement*, outpost*, west bank]
    diplomacy: [negotiat*, talks, conference]

A term follows the dictionary syntax of `analysis.corpus.patterns` as far as a vocabulary
allows: case-insensitive, a trailing `*` matches every vocabulary term that starts with
the stem, and the words of a multi-word term are joined by `_`, as the phrase detector
writes them ("west bank" -> `west_bank`). A term that matches nothing is an error naming
it (a seed that is not in the vocabulary anchors nothing).

Seeded topics take the ids 0..S-1 in file order; the remaining K - S topics are free. The
prior of a seed word w in its topic is raised from eta to eta + `topics.seed_weight` x
n_w, n_w the word's count in the corpus (so the prior weighs as much as the data when
seed_weight = 1); in every other topic it stays eta (gensim's `eta` matrix, K x V).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.core.errors import InputError

SeedTerms = dict[str, list[str]]


def read_seed_words(path: str | Path) -> SeedTerms:
    """The seed-word file as {topic name: [terms]} (file order kept), validated."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"{path}: seed-word file not found; set topics.seed_words_file to an existing YAML "
            "file or to '' for unseeded topics"
        ) from None
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(data, dict) or not data:
        raise InputError(f"{path}: expected a mapping of topic names to lists of seed terms")
    seeds: SeedTerms = {}
    for name, terms in data.items():
        if isinstance(terms, str):
            terms = [terms]
        if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
            raise InputError(f"{path}, topic {name!r}: give a non-empty list of seed terms")
        seeds[str(name)] = [t.strip() for t in terms if t.strip()]
    return seeds


def term_ids(term: str, token2id: dict[str, int]) -> list[int]:
    """Vocabulary ids a seed term matches (module docstring), sorted."""
    text = re.sub(r"[\s\-]+", "_", term.strip().lower())
    if text.endswith("*"):
        stem = text[:-1]
        return sorted(i for token, i in token2id.items() if token.lower().startswith(stem))
    return sorted(i for token, i in token2id.items() if token.lower() == text)


def seed_term_ids(
    seeds: SeedTerms, token2id: dict[str, int], source: str = ""
) -> dict[str, list[int]]:
    """{topic name: matched vocabulary ids}; a term without a match is an InputError."""
    matched = {}
    for name, terms in seeds.items():
        ids: set[int] = set()
        for term in terms:
            found = term_ids(term, token2id)
            if not found:
                raise InputError(
                    f"{source or 'seed words'}, topic {name!r}: seed term {term!r} matches no "
                    "word of the vocabulary (after preprocessing); fix or remove it"
                )
            ids.update(found)
        matched[name] = sorted(ids)
    return matched


def seeded_eta(
    num_topics: int, term_counts: np.ndarray, seeds: dict[str, list[int]], eta: float, weight: float
) -> np.ndarray:
    """K x V topic–word prior: eta everywhere, eta + weight * n_w for the seed words of a
    seeded topic (topic i = the i-th name of `seeds`)."""
    if len(seeds) > num_topics:
        raise InputError(
            f"{len(seeds)} seeded topics but only {num_topics} topics: raise topics.num_topics "
            "(or topics.k_min) to at least the number of seeded topics"
        )
    if not isinstance(eta, (int, float)) or eta <= 0:
        raise InputError(f"topics.eta = {eta!r}: seeded topics need a numeric eta")
    if weight <= 0:
        raise InputError(f"topics.seed_weight = {weight}: must be positive")
    prior = np.full((num_topics, len(term_counts)), float(eta))
    for topic, ids in enumerate(seeds.values()):
        prior[topic, ids] += weight * term_counts[ids]
    return prior


def seed_strength_table(
    topic_word: np.ndarray,
    word_evidence: np.ndarray,
    seeds: dict[str, list[int]],
    vocabulary: Sequence[str],
) -> pd.DataFrame:
    """How strongly each seed word ended up in its topic: topic, seed_topic, term, rank
    (within the topic by probability), probability, share_in_topic (of the word's
    expected occurrences, from the data part of the topics, the share assigned to the
    seeded topic; 1/K would be no anchoring at all)."""
    totals = word_evidence.sum(axis=0)
    rows = []
    for topic, (name, ids) in enumerate(seeds.items()):
        order = np.argsort(-topic_word[topic], kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(1, len(order) + 1)
        for i in ids:
            rows.append(
                {
                    "topic": topic,
                    "seed_topic": name,
                    "term": vocabulary[i],
                    "rank": int(rank[i]),
                    "probability": float(topic_word[topic, i]),
                    "share_in_topic": float(word_evidence[topic, i] / totals[i])
                    if totals[i] > 0
                    else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def seed_summary_note(strength: pd.DataFrame, num_topics: int) -> str:
    """Markdown: which topics were seeded and how strongly their seeds ended up in them."""
    if strength.empty:
        return "**Seeded topics.** None: every topic is free (`topics.seed_words_file` is empty)."
    lines = ["**Seeded topics.**"]
    for (topic, name), rows in strength.groupby(["topic", "seed_topic"], sort=True):
        lines.append(
            f"- T{topic} *{name}*: {len(rows)} seed word(s) hold "
            f"{rows['probability'].sum():.1%} of the topic's probability; median rank "
            f"{rows['rank'].median():.0f}; on average {rows['share_in_topic'].mean():.0%} of "
            f"their occurrences are assigned to it (chance: {1 / num_topics:.0%})."
        )
    return "\n".join(lines)


SEED_STRENGTH_SCHEMA = {
    "description": "Seed words of every seeded topic and how strongly they ended up in it.",
    "columns": {
        "topic": "topic id of the seeded topic (seeded topics are 0..S-1 in file order)",
        "seed_topic": "topic name from topics.seed_words_file",
        "term": "vocabulary term matched by a seed term",
        "rank": "rank of the term within the topic by p(term | topic)",
        "probability": "p(term | topic)",
        "share_in_topic": "share of the term's expected occurrences assigned to the topic",
    },
}
