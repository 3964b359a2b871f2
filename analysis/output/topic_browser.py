"""The topic browser: a fitted model's topics, their relevance-ranked terms (λ slider) and
their most representative passages per source.

`TopicView` holds the matrices (computed once); `topic_terms_view` and
`topic_passages_view` decide what is shown; `TopicBrowser` wires ipywidgets to them. Built
on the functions the figures use (`topic_terms_table`, `representative_passages`), with the
same topic ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.figure_style import ordered_groups
from analysis.output.concordance_explorer import WIDE_LABELS
from analysis.output.show import table_html
from analysis.topics.model import (
    TopicData,
    default_topic_labels,
    document_topic_matrix,
    representative_passages,
    topic_data,
    topic_terms,
    topic_terms_table,
    topic_word_matrix,
    vocabulary_of,
)

MAX_PASSAGES = 5  # passages per source and topic a view holds the texts of (slider's end)
TERM_COLUMNS = ["rank", "term", "relevance", "probability", "lift"]
PASSAGE_COLUMNS = ["group", "rank", "segment_id", "proportion", "text"]


@dataclass(frozen=True)
class TopicView:
    """What the topic browser reads from, computed once from a fitted model."""

    topic_word: np.ndarray  # K x V topic–term probabilities, topic ids as fitted
    term_probability: np.ndarray  # V marginal term probabilities of the modelled units
    vocabulary: list[str]  # V terms in dictionary id order
    doc_topic: np.ndarray  # N x K topic proportions of `units`
    units: pd.DataFrame  # segment_id, doc_id, group, position, text, ...
    labels: dict[int, str]  # topic id -> label

    @property
    def num_topics(self) -> int:
        return int(self.topic_word.shape[0])


def topic_view(
    fit: Any,
    corpus: Any,
    labels: dict[int, str] | None = None,
    data: TopicData | None = None,
    doc_topic: np.ndarray | None = None,
    max_passages: int = MAX_PASSAGES,
) -> TopicView:
    """Matrices of a `TopicModelFit` over a PreparedCorpus, exactly as the notebook computes
    them (`topic_data`, `document_topic_matrix` with the fit's seed). Pass the notebook's
    `data` and `doc_topic` to reuse them instead of recomputing (inference is slow on a
    large corpus). `labels` default to "T3: w1 w2 w3" from the relevance-ranked terms.
    Units without texts (the partitioned corpus) get the texts of the `max_passages` most
    representative units per source and topic, fetched by segment id; "" for the others."""
    data = data if data is not None else topic_data(corpus)
    topic_word = topic_word_matrix(fit.model)
    if topic_word.shape[1] != len(data.dictionary):
        raise InputError(
            f"the topic model knows {topic_word.shape[1]} terms but the corpus dictionary has "
            f"{len(data.dictionary)}: pass the corpus the model was fitted on"
        )
    if labels is None:
        labels = default_topic_labels(topic_terms(fit, data))
    missing = [k for k in range(topic_word.shape[0]) if k not in labels]
    if missing:
        raise InputError(f"labels: no label for topic(s) {missing}")
    if doc_topic is None:
        doc_topic = document_topic_matrix(fit.model, data.bow, fit.seed)
    if doc_topic.shape != (len(data.units), topic_word.shape[0]):
        raise InputError(
            f"doc_topic has shape {doc_topic.shape}; expected {len(data.units)} units x "
            f"{topic_word.shape[0]} topics (the document_topic_matrix of this model and data)"
        )
    return TopicView(
        topic_word=topic_word,
        term_probability=data.term_probabilities(),
        vocabulary=vocabulary_of(data.dictionary),
        doc_topic=doc_topic,
        units=data.units if "text" in data.units else passage_units(data, doc_topic, max_passages),
        labels=dict(labels),
    )


def passage_units(data: TopicData, doc_topic: np.ndarray, per_source: int) -> pd.DataFrame:
    """`data.units` with the texts of the `per_source` most representative units of every
    source and topic (the ones `topic_passages_view` can show), "" for the others."""
    groups = data.units["group"].astype(str).to_numpy()
    shown: set[int] = set()
    for group in ordered_groups(pd.Series(groups)):
        rows = np.flatnonzero(groups == group)
        for topic in range(doc_topic.shape[1]):
            order = np.lexsort((np.arange(len(rows)), -doc_topic[rows, topic]))[:per_source]
            shown.update(int(i) for i in rows[order])
    indices = sorted(shown)
    texts = np.full(len(groups), "", dtype=object)
    texts[indices] = data.unit_texts(indices)
    return data.units.assign(text=texts)


def _check_topic(view: TopicView, topic: int) -> None:
    if not 0 <= int(topic) < view.num_topics:
        raise InputError(f"topic {topic}: the model has topics 0..{view.num_topics - 1}")


def topic_terms_view(view: TopicView, topic: int, lam: float, top_n: int = 15) -> pd.DataFrame:
    """Top `top_n` terms of one topic by relevance at `lam` (1 = most probable, 0 = most
    specific): rank, term, relevance, probability, lift."""
    _check_topic(view, topic)
    if not 0.0 <= lam <= 1.0:
        raise InputError(f"relevance lambda = {lam}: must lie in [0, 1]")
    terms = topic_terms_table(
        view.topic_word[[int(topic)]], view.vocabulary, view.term_probability, lam, top_n
    )
    return terms[TERM_COLUMNS].reset_index(drop=True)


def topic_passages_view(
    view: TopicView, topic: int, per_source: int = 2, max_chars: int = 300
) -> pd.DataFrame:
    """The `per_source` units of each source with the highest proportion of `topic`:
    group, rank, segment_id, proportion, text; sources in figure order."""
    _check_topic(view, topic)
    if per_source < 1:
        raise InputError(f"per_source = {per_source}: show at least 1 passage per source")
    tables = []
    groups = view.units["group"].astype(str)
    for group in ordered_groups(groups):
        mask = (groups == group).to_numpy()
        passages = representative_passages(
            view.doc_topic[mask][:, [int(topic)]],
            view.units[mask].reset_index(drop=True),
            n_passages=per_source,
            max_chars=max_chars,
        )
        tables.append(passages)
    return pd.concat(tables, ignore_index=True)[PASSAGE_COLUMNS]


class TopicBrowser(widgets.VBox):
    """Topic menu, relevance λ slider and passages-per-source slider over a `TopicView`.

    `terms_table` and `passages_table` hold what is currently shown.
    """

    def __init__(
        self, view: TopicView, lam: float = 0.6, top_n: int = 15, per_source: int = 2
    ) -> None:
        self.view = view
        self.top_n = top_n
        self.topic = widgets.Dropdown(
            options=[(view.labels[k], k) for k in range(view.num_topics)],
            description="topic", style=WIDE_LABELS, layout={"width": "max-content"},
        )  # fmt: skip
        self.lam = widgets.FloatSlider(
            value=lam, min=0.0, max=1.0, step=0.05, description="relevance λ", style=WIDE_LABELS
        )
        self.per_source = widgets.IntSlider(
            value=per_source, min=1, max=max(MAX_PASSAGES, per_source),
            description="passages per source", style=WIDE_LABELS,
        )  # fmt: skip
        # Terms take the width of their table; passages the rest, wrapping their text.
        self.terms = widgets.HTML(
            layout=widgets.Layout(flex="0 0 auto", margin="0 1.5em 0 0", overflow="auto")
        )
        self.passages = widgets.HTML(  # beside the terms if 36em are left, else below them
            layout=widgets.Layout(flex="1 1 36em", min_width="min(36em, 100%)", overflow="auto")
        )
        self.terms_table = pd.DataFrame(columns=TERM_COLUMNS)
        self.passages_table = pd.DataFrame(columns=PASSAGE_COLUMNS)
        for control in (self.topic, self.lam, self.per_source):
            control.observe(self._on_change, names="value")
        super().__init__(
            [
                widgets.HBox(
                    [self.topic, self.lam, self.per_source],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                widgets.HBox(
                    [self.terms, self.passages],
                    layout=widgets.Layout(width="100%", flex_flow="row wrap"),
                ),
            ]
        )
        self.add_class("dl-topic-browser")  # for the browser tests and custom CSS
        self.terms.add_class("dl-terms")
        self.passages.add_class("dl-passages")
        self.refresh()

    def _on_change(self, _change: dict[str, Any]) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute terms and passages for the current controls and redraw."""
        topic = int(self.topic.value)
        self.terms_table = topic_terms_view(self.view, topic, self.lam.value, self.top_n)
        self.passages_table = topic_passages_view(self.view, topic, self.per_source.value)
        label = self.view.labels[topic]
        self.terms.value = table_html(
            self.terms_table,
            f"Top terms at λ = {self.lam.value:.2f}",
            max_rows=self.top_n,
        )
        self.passages.value = table_html(
            self.passages_table,
            f"Most representative passages of {label}, by source",
            max_rows=len(self.passages_table) or 1,
            precision=2,
        )


def topic_browser(
    model_result: Any,
    corpus: Any,
    labels: dict[int, str] | None = None,
    top_n: int = 15,
    per_source: int = 2,
    data: TopicData | None = None,
    doc_topic: np.ndarray | None = None,
) -> TopicBrowser:
    """Browse a fitted topic model (`analysis.topics.TopicModelFit`, or anything with
    `.model`, `.seed` and `.settings.relevance_lambda`) over the PreparedCorpus it was fitted
    on: pick a topic, move λ, read its passages source by source. `data` and `doc_topic`
    (as in the notebook) are reused instead of recomputed."""
    for attribute in ("model", "seed"):
        if not hasattr(model_result, attribute):
            raise TypeError(
                f"topic_browser: model_result has no .{attribute}; pass the TopicModelFit "
                "returned by analysis.topics.fit_topic_model"
            )
    settings = getattr(model_result, "settings", None)
    lam = float(getattr(settings, "relevance_lambda", 0.6))
    view = topic_view(model_result, corpus, labels, data, doc_topic, max(MAX_PASSAGES, per_source))
    return TopicBrowser(view, lam, top_n, per_source)
