"""gensim's sliding-window coherence (c_v, NPMI, UCI), its window counts taken per text.

gensim's `WordOccurrenceAccumulator` visits every window of every text in Python and adds
each pair of top words in it to a `Counter`: on 8,000 news articles c_v took 30 s of CPU,
twice per run (the K sweep and the final model). `WindowCounts` gives the same counts —
gensim's, window for window — from each text's positions at once, and `CoherenceModel` is
gensim's own in every other step (segmentation, confirmation, aggregation), so the scores
are identical (tests/topics/test_coherence.py compares them with gensim's bit for bit).

Which words a window "contains" is gensim's sliding state, not a fresh set per window: the
first window of a text holds its words; each later one drops the word that left at its
start (even when the same word still occurs inside the window) and adds the word that
entered at its end. `word_windows` reproduces exactly that.
"""

from __future__ import annotations

import numpy as np
from gensim import utils
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import SLIDING_WINDOW_SIZES, CoherenceModel
from gensim.topic_coherence.probability_estimation import unique_ids_from_segments
from gensim.topic_coherence.text_analysis import WordOccurrenceAccumulator
from scipy import sparse


def word_windows(ids: np.ndarray, words: np.ndarray, window: int) -> np.ndarray:
    """Whether gensim counts each of `words` (rows) in each window (columns) of a text of
    contiguous `ids` (windows of `window` tokens, one window for a shorter text)."""
    here = ids[None, :] == words[:, None]
    n = len(ids) - window + 1
    if n <= 1:
        return here.any(axis=1, keepdims=True)
    # step j >= 1: the token at j - 1 leaves (0), then the one at j + window - 1 enters (1);
    # -1: nothing happens to the word
    events = np.where(here[:, window:], 1, np.where(here[:, : n - 1], 0, -1))
    events = np.concatenate((here[:, :window].any(axis=1, keepdims=True), events), axis=1)
    last = np.maximum.accumulate(np.where(events >= 0, np.arange(n), 0), axis=1)
    return np.take_along_axis(events, last, axis=1) == 1


class WindowCounts(WordOccurrenceAccumulator):
    """`WordOccurrenceAccumulator` whose counts are taken text by text (same values)."""

    def accumulate(self, texts, window_size: int) -> WindowCounts:
        size = len(self.relevant_ids)
        pairs = np.zeros((size, size), dtype=np.int64)
        occurrences = np.zeros(size, dtype=np.int64)
        for ids in self._iter_texts(texts):
            self._num_docs += max(1, len(ids) - window_size + 1)
            words = np.unique(ids[ids != self._none_token])
            if not len(words):
                continue
            present = word_windows(ids, words, window_size).astype(np.int64)
            occurrences[words] += present.sum(axis=1)
            pairs[np.ix_(words, words)] += present @ present.T
        np.fill_diagonal(pairs, occurrences)
        self._occurrences = occurrences.astype(np.uint32)
        self._co_occurrences = sparse.csr_matrix(pairs.astype(np.uint32))
        return self


class WindowCoherenceModel(CoherenceModel):
    """gensim's `CoherenceModel` with `WindowCounts` for the sliding-window measures."""

    def estimate_probabilities(self, segmented_topics=None):
        if self.coherence not in SLIDING_WINDOW_SIZES or self.coherence == "c_w2v":
            return super().estimate_probabilities(segmented_topics)
        segmented_topics = segmented_topics or self.segment_topics()
        relevant = unique_ids_from_segments(segmented_topics)
        counts = WindowCounts(relevant, self.dictionary)
        self._accumulator = counts.accumulate(self.texts, self.window_size)
        return self._accumulator


def coherence_model(
    topic_sets: list[list[list[str]]],
    texts: list[list[str]],
    dictionary: Dictionary,
    measure: str,
    top_n: int,
) -> CoherenceModel:
    """`CoherenceModel.for_topics` (the word statistics of every model's topics estimated
    once) with `WindowCounts`."""
    longest = max(len(topic) for topics in topic_sets for topic in topics)
    model = WindowCoherenceModel(
        topics=[utils.flatten(topic_sets)],
        topn=len(utils.flatten(topic_sets)),
        texts=texts,
        dictionary=dictionary,
        coherence=measure,
        processes=1,
    )
    model.estimate_probabilities()
    model.topn = min(top_n, longest)
    return model
