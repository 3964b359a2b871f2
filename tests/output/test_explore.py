"""Tests of analysis.output.explore: the pure views on hand-built corpora with known answers, and
the widgets driven through their controls (observe callbacks run without a browser)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from gensim.corpora import Dictionary

from analysis.corpus.patterns import TermError
from analysis.output.explore import (
    ALL_SOURCES,
    KWIC_COLUMNS,
    concordance_explorer,
    concordance_view,
    show_table,
    topic_browser,
    topic_passages_view,
    topic_terms_view,
    topic_view,
)
from analysis.topics.model import (
    TopicSettings,
    default_topic_labels,
    fit_topic_model,
    topic_data,
    topic_terms,
    topic_terms_table,
)

# ---------------------------------------------------------------- fixtures


def kwic_corpus() -> SimpleNamespace:
    """Three segments, two sources; "peace" occurs twice in s1, once in s2, never alone in s3."""
    segments = pd.DataFrame(
        {
            "segment_id": ["d1:p001", "d2:p001", "d3:p001"],
            "doc_id": ["d1", "d2", "d3"],
            "group": ["UN", "Wire", "UN"],
            "text": [
                "The peace process stalled in May. Talks on peace resumed later.",
                "A lasting peace requires trust.",
                "Peacekeeping forces stayed.",
            ],
        }
    )
    documents = segments.drop(columns="segment_id")
    return SimpleNamespace(segments=segments, documents=documents)


def topic_corpus() -> SimpleNamespace:
    """Planted: source Alpha writes only a-words, Beta only b-words, Mixed half and half;
    every unit also repeats "common" (frequent everywhere, so relevant only at λ near 1)."""
    rng = np.random.default_rng(3)
    vocab = {p: [f"{p}{i}" for i in range(10)] for p in "ab"}
    rows, tokens = [], []
    for i in range(36):
        group = ["Alpha", "Beta", "Mixed"][i % 3]
        if group == "Mixed":
            words = list(rng.choice(vocab["a"], 12)) + list(rng.choice(vocab["b"], 12))
        else:
            words = list(rng.choice(vocab["a" if group == "Alpha" else "b"], 24))
        words += ["common"] * 6
        doc_id = f"{group.lower()}"
        rows.append(
            {
                "segment_id": f"{doc_id}:p{i:03d}",
                "doc_id": doc_id,
                "group": group,
                "position": i,
                "text": " ".join(words),
            }
        )
        tokens.append([str(w) for w in words])
    segments = pd.DataFrame(rows)
    segments["tokens"] = tokens
    documents = pd.DataFrame(
        {"doc_id": ["alpha", "beta", "mixed"], "group": ["Alpha", "Beta", "Mixed"], "date": ""}
    )
    return SimpleNamespace(segments=segments, documents=documents, dictionary=Dictionary(tokens))


@pytest.fixture(scope="module")
def fitted():
    corpus = topic_corpus()
    data = topic_data(corpus)
    settings = TopicSettings(passes=20, iterations=100, relevance_lambda=0.6)
    fit = fit_topic_model(data.bow, data.dictionary, 2, settings, seed=5)
    return fit, corpus


def a_topic(view) -> int:
    """The topic whose most specific term is an a-word."""
    tops = [topic_terms_view(view, k, 0.0, 1)["term"].iloc[0] for k in range(2)]
    assert sorted(t[0] for t in tops) == ["a", "b"], tops
    return [t[0] for t in tops].index("a")


# ---------------------------------------------------------------- show_table


def test_show_table_limits_rows_formats_floats_and_hides_default_index():
    df = pd.DataFrame({"n": [1, 2, 3], "share": [0.123456, np.nan, 2.0], "text": list("xyz")})
    html = show_table(df, max_rows=2, precision=2, caption="Demo").to_html()
    assert "Demo; first 2 of 3 rows" in html
    assert ">0.12<" in html and "0.123" not in html
    assert ">nan<" not in html  # missing values shown empty
    assert ">z<" not in html  # the third row is cut
    assert "row_heading" not in html  # 0..n-1 index hidden
    assert "first" not in show_table(df).to_html()  # nothing cut, nothing said
    assert "a&lt;b&gt;" in show_table(pd.DataFrame({"t": ["a<b>"]})).to_html()  # text, not HTML
    named = df.set_index("text")
    assert "row_heading" in show_table(named).to_html()


def test_show_table_right_aligns_requested_columns():
    df = pd.DataFrame({"left": ["the long context"], "match": ["peace"]})
    styler = show_table(df, right_align=["left"])
    html = styler.to_html()
    right = html.split("text-align: right")[0].rsplit("}", 1)[-1]
    assert "row0_col0" in right and "row0_col1" not in right


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_rows": 0}, "max_rows"),
        ({"precision": -1}, "precision"),
        ({"right_align": ["x"]}, "x"),
    ],
)
def test_show_table_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        show_table(pd.DataFrame({"a": [1]}), **kwargs)
    with pytest.raises(TypeError, match="DataFrame"):
        show_table([1, 2])


# ---------------------------------------------------------------- concordance


def test_concordance_view_hand_computed_lines_and_source_filter():
    units = kwic_corpus().segments
    lines = concordance_view(units, "peace", window=2)
    assert list(lines.columns) == KWIC_COLUMNS
    assert lines[["unit_id", "left", "match", "right"]].values.tolist() == [
        ["d1:p001", "The", "peace", "process stalled"],
        ["d1:p001", "Talks on", "peace", "resumed later"],  # context ends with a word
        ["d2:p001", "A lasting", "peace", "requires trust"],
    ]
    assert len(concordance_view(units, "peace*", window=2)) == 4  # + Peacekeeping
    wire = concordance_view(units, "peace", source="Wire", window=2)
    assert wire["group"].tolist() == ["Wire"]
    assert concordance_view(units, "  ", window=2).empty
    with pytest.raises(ValueError, match="'Reuters' is not a group.*'UN', 'Wire'"):
        concordance_view(units, "peace", source="Reuters")
    with pytest.raises(TermError):
        concordance_view(units, "(peace")


def test_concordance_explorer_controls_drive_the_table():
    explorer = concordance_explorer(kwic_corpus(), window=3)
    assert list(explorer.source.options) == [ALL_SOURCES, "UN", "Wire"]
    assert explorer.table.empty and "Type a term" in explorer.message
    explorer.term.value = "peace"  # fires the observe callback, as typing does in the lab
    assert len(explorer.table) == 3
    assert explorer.message == "3 lines for 'peace' across 2 sources"
    assert "requires trust" in explorer.lines.value and "<table" in explorer.lines.value
    explorer.source.value = "Wire"
    assert explorer.table["unit_id"].tolist() == ["d2:p001"]
    assert explorer.message == "1 line for 'peace' in Wire"
    explorer.source.value = ALL_SOURCES
    explorer.window.value = 0
    assert (explorer.table["left"] == "").all() and (explorer.table["right"] == "").all()
    explorer.term.value = "(peace"
    assert explorer.table.empty and "term '(peace'" in explorer.message
    assert explorer.lines.value == ""


def test_concordance_explorer_over_documents_and_bad_unit():
    explorer = concordance_explorer(kwic_corpus(), term="trust", unit="document")
    assert explorer.table["unit_id"].tolist() == ["d2"]
    with pytest.raises(ValueError, match="unit = 'paragraph'"):
        concordance_explorer(kwic_corpus(), unit="paragraph")


# ---------------------------------------------------------------- topics


def test_topic_terms_view_is_the_figures_table_and_lambda_moves_common_terms(fitted):
    fit, corpus = fitted
    view = topic_view(fit, corpus)
    k = a_topic(view)
    probable = topic_terms_view(view, k, 1.0, 10)
    assert probable["term"].iloc[0] == "common"  # 20% of every unit
    assert probable["probability"].is_monotonic_decreasing
    specific = topic_terms_view(view, k, 0.0, 10)
    assert "common" not in set(specific["term"])  # lift ~1, below every a-word's ~2
    assert all(t.startswith("a") for t in specific["term"])
    # the same ranking as the table behind the topic-terms figure, same topic id
    figure_table = topic_terms_table(
        view.topic_word, view.vocabulary, view.term_probability, 0.6, 10
    )
    expected = figure_table[figure_table["topic"] == k].drop(columns="topic")
    pd.testing.assert_frame_equal(
        topic_terms_view(view, k, 0.6, 10), expected.reset_index(drop=True)
    )
    with pytest.raises(ValueError, match="topic 2: the model has topics 0..1"):
        topic_terms_view(view, 2, 0.6)
    with pytest.raises(ValueError, match="lambda"):
        topic_terms_view(view, k, 1.5)


def test_topic_passages_view_ranks_each_source_separately(fitted):
    fit, corpus = fitted
    view = topic_view(fit, corpus)
    k = a_topic(view)
    passages = topic_passages_view(view, k, per_source=2)
    assert passages["group"].tolist() == ["Alpha", "Alpha", "Beta", "Beta", "Mixed", "Mixed"]
    assert passages["rank"].tolist() == [1, 2] * 3
    by_group = passages.groupby("group")["proportion"].first()
    assert by_group["Alpha"] > 0.9 > by_group["Mixed"] > by_group["Beta"]
    assert by_group["Beta"] < 0.1
    # rank 1 of each source is that source's unit with the highest proportion of topic k
    theta = pd.Series(view.doc_topic[:, k], index=view.units["segment_id"])
    best = theta.groupby(view.units["group"].to_numpy()).idxmax()
    assert passages[passages["rank"] == 1]["segment_id"].tolist() == best.tolist()
    with pytest.raises(ValueError, match="per_source"):
        topic_passages_view(view, k, per_source=0)


def test_topic_view_rejects_a_model_of_another_corpus(fitted):
    fit, _ = fitted
    other = kwic_corpus()
    other.segments["tokens"] = [["x", "y"], ["y"], ["z"]]
    other.segments["position"] = [0, 0, 0]
    other.dictionary = Dictionary(other.segments["tokens"])
    with pytest.raises(ValueError, match="model knows 21 terms .* dictionary has 3"):
        topic_view(fit, other)


def test_topic_browser_controls_drive_terms_and_passages(fitted):
    fit, corpus = fitted
    browser = topic_browser(fit, corpus, top_n=5)
    labels = default_topic_labels(topic_terms(fit, topic_data(corpus)))
    assert list(browser.topic.options) == [(labels[0], 0), (labels[1], 1)]
    assert browser.lam.value == pytest.approx(0.6)  # the fit's relevance_lambda
    k = a_topic(browser.view)
    browser.topic.value = k
    browser.lam.value = 1.0
    assert browser.terms_table["term"].iloc[0] == "common"
    browser.lam.value = 0.0
    assert browser.terms_table["term"].str.startswith("a").all()
    assert browser.terms_table["term"].iloc[0] in browser.terms.value
    browser.topic.value = 1 - k
    assert browser.terms_table["term"].str.startswith("b").all()
    browser.per_source.value = 3
    assert len(browser.passages_table) == 9
    assert browser.passages_table["segment_id"].iloc[0] in browser.passages.value
    assert labels[1 - k].replace(":", "") in browser.passages.value.replace(":", "")


def test_topic_browser_takes_custom_labels_and_rejects_other_objects(fitted):
    fit, corpus = fitted
    browser = topic_browser(fit, corpus, labels={0: "zero", 1: "one"})
    assert [label for label, _ in browser.topic.options] == ["zero", "one"]
    with pytest.raises(ValueError, match=r"no label for topic\(s\) \[1\]"):
        topic_browser(fit, corpus, labels={0: "zero"})
    with pytest.raises(TypeError, match="TopicModelFit"):
        topic_browser(object(), corpus)
