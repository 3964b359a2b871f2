"""Tests of analysis.output.topic_map: the page carries exactly the terms the bars need at
every slider position, the fitted topic ids, and the passages of each topic."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.output.topic_browser import TopicView
from analysis.output.topic_map import LAMBDA_GRID, candidate_terms, topic_map_data, topic_map_view
from analysis.topics.model import topic_terms_table


def small_view() -> TopicView:
    rng = np.random.default_rng(0)
    topic_word = rng.dirichlet(np.full(40, 0.3), size=3)
    term_probability = rng.dirichlet(np.full(40, 1.0))
    units = pd.DataFrame(
        {
            "segment_id": [f"d{i}:p001" for i in range(6)],
            "doc_id": [f"d{i}" for i in range(6)],
            "group": ["A", "B"] * 3,
            "position": 0,
            "text": [f"text {i}" for i in range(6)],
            "n_tokens": [10] * 6,
        }
    )
    doc_topic = rng.dirichlet(np.ones(3), size=6)
    labels = {k: f"T{k}" for k in range(3)}
    return TopicView(topic_word, term_probability, [f"w{i}" for i in range(40)], doc_topic,
                     units, labels)  # fmt: skip


def test_candidates_hold_the_top_terms_at_every_slider_step():
    view = small_view()
    chosen = {view.vocabulary[i] for i in candidate_terms(view, 5)}
    for lam in LAMBDA_GRID[::10]:
        table = topic_terms_table(view.topic_word, view.vocabulary, view.term_probability, lam, 5)
        assert set(table["term"]) <= chosen, lam
    assert len(chosen) < 40  # a subset, not the vocabulary


def test_page_data_keeps_topic_ids_positions_and_passages():
    view = small_view()
    topic_map = pd.DataFrame(
        {
            "topic": [2, 0, 1],
            "x": [0.3, -0.1, 0.0],
            "y": [0.0, 0.2, -0.2],
            "prevalence": [0.5, 0.3, 0.2],
        }
    )
    data = topic_map_data(view, topic_map, lam=0.6, n_terms=5)
    assert [t["id"] for t in data["topics"]] == [0, 1, 2]
    assert data["topics"][2]["x"] == 0.3 and data["topics"][0]["prevalence"] == 0.3
    assert data["total_tokens"] == 60
    ids = [view.vocabulary.index(t) for t in data["terms"]]
    assert np.allclose(np.asarray(data["topic_word"]), view.topic_word[:, ids])
    assert {p["group"] for p in data["passages"][1]} == {"A", "B"}
    page = topic_map_view(view, topic_map, n_terms=5).page({"notebook": "n"})
    embedded = json.loads(page.split('id="dl-data">')[1].split("</script>")[0])
    assert embedded["provenance"] == {"notebook": "n"} and embedded["n_terms"] == 5
    with pytest.raises(ValueError, match="expected \\[0, 1, 2\\]"):
        topic_map_data(view, topic_map.iloc[:2], 0.6)
    with pytest.raises(ValueError, match="lambda"):
        topic_map_data(view, topic_map, 1.5)
