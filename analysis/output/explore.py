"""Interactive exploration in JupyterLab: a concordance explorer, a topic browser, tables.

A scheduled run needs none of this; a researcher's first hour does. Each explorer is two
layers: a pure function that decides what to show and returns a DataFrame
(`concordance_view`, `topic_terms_view`, `topic_passages_view`), and a thin ipywidgets
panel that wires controls to it (`concordance_explorer`, `topic_browser`). The pure layer is
built on the same functions as the figures (`analysis.sources.concordance.concordance`,
`analysis.topics.topic_terms_table`, `analysis.topics.representative_passages`), so what
you read here is what the figures counted, with the same topic ids.

    from analysis.output.explore import concordance_explorer, topic_browser, show_table
    concordance_explorer(corpus)              # term box, source menu, window slider
    topic_browser(fit, corpus, labels)        # topic menu, relevance λ slider
    show_table(df)                            # a readable, bounded table
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from analysis.core.errors import InputError
from analysis.core.figure_style import ordered_groups
from analysis.corpus.patterns import TermError
from analysis.sources.concordance import concordance
from analysis.topics.model import (
    default_topic_labels,
    document_topic_matrix,
    representative_passages,
    term_probabilities,
    topic_data,
    topic_terms,
    topic_terms_table,
    topic_word_matrix,
    vocabulary_of,
)

ALL_SOURCES = "all sources"
KWIC_COLUMNS = ["group", "unit_id", "left", "match", "right"]
TERM_COLUMNS = ["rank", "term", "relevance", "probability", "lift"]
PASSAGE_COLUMNS = ["group", "rank", "segment_id", "proportion", "text"]

# ---------------------------------------------------------------- readable tables


def show_table(
    df: pd.DataFrame,
    max_rows: int = 20,
    precision: int = 3,
    caption: str | None = None,
    right_align: Sequence[str] = (),
) -> Styler:
    """A pandas Styler that reads well in a notebook: at most `max_rows` rows (the caption
    says how many were left out), floats to `precision` decimals, text left-aligned,
    wrapped and HTML-escaped, the default 0..n-1 index hidden. `right_align` names columns
    to right-align (e.g. the left context of a concordance line, so matches line up)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"show_table: expected a pandas DataFrame, got {type(df).__name__}")
    if max_rows < 1:
        raise InputError(f"show_table: max_rows = {max_rows}; must be at least 1")
    if precision < 0:
        raise InputError(f"show_table: precision = {precision}; must be >= 0")
    unknown = [c for c in right_align if c not in df.columns]
    if unknown:
        raise InputError(f"show_table: right_align names unknown column(s) {unknown}")
    shown = df.head(max_rows)
    notes = [caption] if caption else []
    if len(df) > max_rows:
        notes.append(f"first {max_rows:,} of {len(df):,} rows")
    styler = shown.style.format(precision=precision, na_rep="", escape="html")
    styler = styler.set_table_styles(
        [
            {"selector": "th", "props": "text-align: left; vertical-align: top;"},
            {"selector": "td", "props": "text-align: left; vertical-align: top;"},
            {"selector": "caption", "props": "caption-side: top; text-align: left;"},
        ]
    )
    text_columns = [c for c in shown.columns if not pd.api.types.is_numeric_dtype(shown[c])]
    if text_columns:
        styler = styler.set_properties(
            subset=text_columns, **{"white-space": "normal", "max-width": "40em"}
        )
    numbers = [c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])]
    if numbers or right_align:
        styler = styler.set_properties(
            subset=list(dict.fromkeys([*numbers, *right_align])), **{"text-align": "right"}
        )
    if isinstance(shown.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    if notes:
        styler = styler.set_caption("; ".join(notes))
    return styler


def _table_html(df: pd.DataFrame, message: str, **table_options: Any) -> str:
    """HTML for a widget pane: a one-line message, then the table (if it has rows)."""
    head = f"<p>{escape(message)}</p>" if message else ""
    if df.empty:
        return head
    return head + show_table(df, **table_options).to_html()


# ---------------------------------------------------------------- concordance


def concordance_view(
    units: pd.DataFrame,
    term: str,
    source: str = ALL_SOURCES,
    window: int = 8,
    id_column: str = "segment_id",
) -> pd.DataFrame:
    """KWIC lines for `term` in the units of one source (or all): group, unit_id, left,
    match, right, in corpus order. An empty term gives an empty table; a term the
    project's term syntax rejects raises `TermError` (a ValueError) saying why."""
    if not str(term).strip():
        return pd.DataFrame(columns=KWIC_COLUMNS)
    if source != ALL_SOURCES:
        groups = ordered_groups(units["group"])
        if source not in groups:
            raise InputError(
                f"source {source!r} is not a group of this corpus; choose one of "
                f"{[ALL_SOURCES, *groups]}"
            )
        units = units[units["group"].astype(str) == source]
    lines = concordance(units, str(term).strip(), window=window, id_column=id_column)
    return lines[KWIC_COLUMNS].reset_index(drop=True)


def _count_message(lines: pd.DataFrame, term: str, source: str) -> str:
    count = f"{len(lines):,} line{'s' if len(lines) != 1 else ''} for {term!r}"
    if source != ALL_SOURCES:
        return f"{count} in {source}"
    groups = lines["group"].nunique()
    return f"{count} across {groups} source{'s' if groups != 1 else ''}"


class ConcordanceExplorer(widgets.VBox):
    """Term box, source menu and window slider over `concordance_view`.

    `table` holds the lines currently shown, `message` what the status line says.
    """

    def __init__(
        self,
        units: pd.DataFrame,
        term: str = "",
        window: int = 8,
        id_column: str = "segment_id",
        max_rows: int = 30,
    ) -> None:
        self.units = units
        self.id_column = id_column
        self.max_rows = max_rows
        self.term = widgets.Text(
            value=term,
            description="term",
            placeholder="word, stem* or phrase",
            continuous_update=False,
        )
        self.source = widgets.Dropdown(
            options=[ALL_SOURCES, *ordered_groups(units["group"])], description="source"
        )
        self.window = widgets.IntSlider(
            value=window, min=0, max=max(25, window), description="window (words)"
        )
        self.status = widgets.HTML()
        self.lines = widgets.HTML()
        self.table = pd.DataFrame(columns=KWIC_COLUMNS)
        self.message = ""
        for control in (self.term, self.source, self.window):
            control.observe(self._on_change, names="value")
        super().__init__(
            [widgets.HBox([self.term, self.source, self.window]), self.status, self.lines]
        )
        self.refresh()

    def _on_change(self, _change: dict[str, Any]) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute the lines for the current controls and redraw."""
        term = self.term.value.strip()
        try:
            self.table = concordance_view(
                self.units, term, self.source.value, self.window.value, self.id_column
            )
        except TermError as err:
            self.table = pd.DataFrame(columns=KWIC_COLUMNS)
            self.message = str(err)
        else:
            self.message = (
                _count_message(self.table, term, self.source.value)
                if term
                else "Type a term: a word, a stem ending in * or a phrase."
            )
        self.status.value = f"<p>{escape(self.message)}</p>"
        self.lines.value = _table_html(self.table, "", max_rows=self.max_rows, right_align=["left"])


def concordance_explorer(
    corpus: Any,
    term: str = "",
    window: int = 8,
    unit: str = "segment",
    max_rows: int = 30,
) -> ConcordanceExplorer:
    """Interactive KWIC lines over a PreparedCorpus's segments (`unit="segment"`) or whole
    documents (`unit="document"`); `window` is in running words as in the figures
    (pass `run.params.sources.context_window` to start from the project's setting)."""
    if unit == "segment":
        return ConcordanceExplorer(corpus.segments, term, window, "segment_id", max_rows)
    if unit == "document":
        return ConcordanceExplorer(corpus.documents, term, window, "doc_id", max_rows)
    raise InputError(f"unit = {unit!r}: use 'segment' or 'document'")


# ---------------------------------------------------------------- topics


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


def topic_view(fit: Any, corpus: Any, labels: dict[int, str] | None = None) -> TopicView:
    """Matrices of a `TopicModelFit` over a PreparedCorpus, exactly as the notebook computes
    them (`topic_data`, `document_topic_matrix` with the fit's seed). `labels` default to
    "T3: w1 w2 w3" from the relevance-ranked terms."""
    data = topic_data(corpus)
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
    return TopicView(
        topic_word=topic_word,
        term_probability=term_probabilities(data.bow, len(data.dictionary)),
        vocabulary=vocabulary_of(data.dictionary),
        doc_topic=document_topic_matrix(fit.model, data.bow, fit.seed),
        units=data.units,
        labels=dict(labels),
    )


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
            options=[(view.labels[k], k) for k in range(view.num_topics)], description="topic"
        )
        self.lam = widgets.FloatSlider(
            value=lam, min=0.0, max=1.0, step=0.05, description="relevance λ"
        )
        self.per_source = widgets.IntSlider(
            value=per_source, min=1, max=max(5, per_source), description="per source"
        )
        self.terms = widgets.HTML(layout=widgets.Layout(width="30%"))
        self.passages = widgets.HTML(layout=widgets.Layout(width="70%"))
        self.terms_table = pd.DataFrame(columns=TERM_COLUMNS)
        self.passages_table = pd.DataFrame(columns=PASSAGE_COLUMNS)
        for control in (self.topic, self.lam, self.per_source):
            control.observe(self._on_change, names="value")
        super().__init__(
            [
                widgets.HBox([self.topic, self.lam, self.per_source]),
                widgets.HBox([self.terms, self.passages]),
            ]
        )
        self.refresh()

    def _on_change(self, _change: dict[str, Any]) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute terms and passages for the current controls and redraw."""
        topic = int(self.topic.value)
        self.terms_table = topic_terms_view(self.view, topic, self.lam.value, self.top_n)
        self.passages_table = topic_passages_view(self.view, topic, self.per_source.value)
        label = self.view.labels[topic]
        self.terms.value = _table_html(
            self.terms_table,
            f"Top terms at λ = {self.lam.value:.2f}",
            max_rows=self.top_n,
        )
        self.passages.value = _table_html(
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
) -> TopicBrowser:
    """Browse a fitted topic model (`analysis.topics.TopicModelFit`, or anything with
    `.model`, `.seed` and `.settings.relevance_lambda`) over the PreparedCorpus it was fitted
    on: pick a topic, move λ, read its passages source by source."""
    for attribute in ("model", "seed"):
        if not hasattr(model_result, attribute):
            raise TypeError(
                f"topic_browser: model_result has no .{attribute}; pass the TopicModelFit "
                "returned by analysis.topics.fit_topic_model"
            )
    settings = getattr(model_result, "settings", None)
    lam = float(getattr(settings, "relevance_lambda", 0.6))
    return TopicBrowser(topic_view(model_result, corpus, labels), lam, top_n, per_source)
