"""The interactive topic map (in the spirit of LDAvis, Sievert & Shirley 2014) as one
self-contained HTML file: an intertopic distance map (classical scaling of Jensen–Shannon
distances, `analysis.topics.comparison.intertopic_map`) linked to the topic's term bars,
ranked by relevance under a λ slider, and to its most representative passages per source.

`topic_map_data` decides what goes in (plain numbers); `topic_map_view` pairs it with the
script in assets/topic_map.js. Topic ids are the fitted ones, as in every figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.output.html_view import HtmlView
from analysis.output.topic_browser import TopicView, topic_passages_view
from analysis.topics.model import term_relevance

LAMBDA_GRID = np.round(np.linspace(0.0, 1.0, 101), 2)  # the slider's steps


def candidate_terms(view: TopicView, n_terms: int) -> np.ndarray:
    """Ids of every term that is among a topic's `n_terms` most relevant at some λ of the
    slider (0.00, 0.01, ..., 1.00), plus the `n_terms` most frequent overall: the bars at
    every slider position are drawn from these, exactly."""
    size = view.term_probability.size
    keep = min(size, n_terms + 5)  # a margin for ties at the cut
    chosen: set[int] = set(np.argsort(-view.term_probability, kind="stable")[:keep].tolist())
    for lam in LAMBDA_GRID:
        relevance = term_relevance(view.topic_word, view.term_probability, float(lam))
        if keep < size:
            top = np.argpartition(-relevance, keep - 1, axis=1)[:, :keep]
        else:
            top = np.broadcast_to(np.arange(size), relevance.shape)
        chosen.update(np.unique(top).tolist())
    return np.array(sorted(chosen), dtype=int)


def topic_map_data(
    view: TopicView,
    topic_map: pd.DataFrame,
    lam: float = 0.6,
    n_terms: int = 20,
    per_source: int = 2,
    max_chars: int = 400,
) -> dict[str, Any]:
    """Everything the page shows: topics (id, label, x, y, prevalence), the candidate terms
    with p(w) and p(w|k), passages per topic, the total token count, the starting λ."""
    if not 0.0 <= lam <= 1.0:
        raise InputError(f"relevance lambda = {lam}: must lie in [0, 1]")
    if n_terms < 1:
        raise InputError(f"n_terms = {n_terms}: show at least one term")
    expected = list(range(view.num_topics))
    if sorted(topic_map["topic"].astype(int).tolist()) != expected:
        raise InputError(
            f"topic_map has topics {sorted(topic_map['topic'].tolist())}; expected {expected}: "
            "pass the intertopic_map of the same model"
        )
    rows = topic_map.set_index(topic_map["topic"].astype(int)).loc[expected]
    terms = candidate_terms(view, n_terms)
    passages = [
        topic_passages_view(view, k, per_source, max_chars).to_dict("records") for k in expected
    ]
    return {
        "lambda": float(lam),
        "n_terms": int(n_terms),
        "total_tokens": int(view.units["n_tokens"].sum()) if "n_tokens" in view.units else 0,
        "topics": [
            {
                "id": k,
                "label": view.labels[k],
                "x": float(rows.at[k, "x"]),
                "y": float(rows.at[k, "y"]),
                "prevalence": float(rows.at[k, "prevalence"]),
            }
            for k in expected
        ],
        "terms": [view.vocabulary[i] for i in terms],
        "term_probability": view.term_probability[terms],
        "topic_word": view.topic_word[:, terms],
        "passages": passages,
    }


def topic_map_view(
    view: TopicView,
    topic_map: pd.DataFrame,
    lam: float = 0.6,
    n_terms: int = 20,
    title: str = "Topic map",
) -> HtmlView:
    """The interactive topic map, ready to save (`run.save_view`) or show in a cell."""
    return HtmlView(title, topic_map_data(view, topic_map, lam, n_terms), "topic_map.js")
