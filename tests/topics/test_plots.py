"""Tests of analysis.topics.plots: figures show the given ids, labels and values."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis.topics.comparison import TimePrevalence, intertopic_map
from analysis.topics.plots import (
    HEATMAP_MAX_ROWS,
    document_heatmap_caption,
    heatmap_units_per_row,
    plot_convergence,
    plot_difference,
    plot_document_topic_heatmap,
    plot_intertopic_map,
    plot_k_sweep,
    plot_prevalence,
    plot_prevalence_effects,
    plot_prevalence_over_time,
    plot_topic_terms,
)

LABELS = {0: "T0: peace talks", 1: "Humanitarian aid", 2: "T2: vote council"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def tick_texts(axis) -> list[str]:
    return [t.get_text().replace("\n", " ") for t in axis.get_ticklabels()]


def prevalence_table() -> pd.DataFrame:
    rows = []
    for group, n_docs in (("A", 3), ("B", 1)):
        for topic in range(3):
            estimable = n_docs > 1
            rows.append(
                {
                    "group": group,
                    "topic": topic,
                    "prevalence": 0.2 + 0.1 * topic,
                    "ci_low": 0.1 + 0.1 * topic if estimable else np.nan,
                    "ci_high": 0.3 + 0.1 * topic if estimable else np.nan,
                    "unit_ci_low": 0.15 + 0.1 * topic,
                    "unit_ci_high": 0.25 + 0.1 * topic,
                    "n_documents": n_docs,
                    "n_units": 9,
                    "interval": "documents" if estimable else "not estimable: 1 document",
                }
            )
    return pd.DataFrame(rows)


def test_k_sweep_figure_has_five_panels_and_marks_the_choice():
    summary = pd.DataFrame(
        {
            "k": [2, 3, 4],
            "c_v_mean": [0.4, 0.5, 0.45],
            "c_v_sd": [0.01, 0.02, 0.03],
            "npmi_mean": [0.0, 0.1, 0.05],
            "npmi_sd": [0.01, 0.01, 0.01],
            "exclusivity_mean": [0.6, 0.7, 0.8],
            "exclusivity_sd": [0.01, 0.01, 0.01],
            "heldout_per_word_ll_mean": [-7.0, -6.5, -6.6],
            "heldout_per_word_ll_sd": [0.1, 0.1, 0.1],
            "stability": [0.9, 0.8, 0.5],
            "ari": [0.95, 0.4, 0.2],
        }
    )
    fig = plot_k_sweep(summary, chosen_k=3)
    assert len(fig.axes) == 5
    assert all(ax.get_xlabel() == "Number of topics K" for ax in fig.axes)
    agreement = fig.axes[4].lines
    assert agreement[0].get_ydata().tolist() == [0.9, 0.8, 0.5]
    assert agreement[1].get_ydata().tolist() == [0.95, 0.4, 0.2]
    assert fig.axes[2].get_title().startswith("Exclusivity")
    assert any(list(line.get_xdata()) == [3, 3] for line in fig.axes[0].lines)


def test_effects_figure_draws_intervals_and_open_markers_for_single_documents():
    rows = []
    for group, n_docs in (("A", 3), ("B", 1)):
        for topic in range(3):
            low, high = (0.1, 0.3) if n_docs > 1 else (np.nan, np.nan)
            rows.append(
                {
                    "topic": topic,
                    "group": group,
                    "estimand": "proportion",
                    "estimate": 0.2,
                    "ci_low": low,
                    "ci_high": high,
                    "n_documents": n_docs,
                }
            )
    fig = plot_prevalence_effects(pd.DataFrame(rows), LABELS)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["A (n = 3 docs)", "B (1 doc: no interval)"]
    assert tick_texts(fig.axes[0].yaxis) == [LABELS[0], LABELS[1], LABELS[2]]


def test_terms_figure_names_frex_terms():
    terms = pd.DataFrame(
        {
            "topic": [0, 0, 1, 1],
            "rank": [1, 2, 1, 2],
            "term": ["a", "b", "c", "d"],
            "probability": [0.5, 0.3, 0.6, 0.2],
        }
    )
    frex = terms.assign(term=["fa", "fb", "fc", "fd"])
    fig = plot_topic_terms(terms, LABELS, frex=frex)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "FREX: fa, fb" in texts and "FREX: fc, fd" in texts


def test_prevalence_figure_uses_labels_in_topic_order_and_open_markers_for_single_docs():
    fig = plot_prevalence(prevalence_table(), LABELS)
    ax = fig.axes[0]
    ticks = ax.get_yticks()
    labels = tick_texts(ax.yaxis)
    assert [labels[i] for i in np.argsort(-ticks)] == [LABELS[0], LABELS[1], LABELS[2]]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["A (n = 3 docs)", "B (1 doc: no interval; dotted = units resampled)"]
    open_markers = [line for line in ax.lines if line.get_markerfacecolor() == "white"]
    assert len(open_markers) == 1 and len(open_markers[0].get_xdata()) == 3
    assert "prevalence" in ax.get_xlabel().lower()


def test_difference_figure_has_one_panel_per_group():
    table = prevalence_table().rename(columns={"prevalence": "difference"})
    table["excludes_zero"] = False
    fig = plot_difference(table, LABELS)
    assert [ax.get_title() for ax in fig.axes] == ["A vs rest (3 docs)", "B vs rest (1 doc)"]
    many = pd.concat([table.assign(group=g) for g in "ABCDEF"], ignore_index=True)
    fig = plot_difference(many, LABELS)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 6 and len(fig.axes) == 8  # two rows of four panels


def test_heatmap_orders_units_by_group_and_shows_all_topics():
    theta = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    units = pd.DataFrame(
        {"doc_id": ["b1", "a1", "a1"], "group": ["B", "A", "A"], "position": [0, 1, 0]}
    )
    fig = plot_document_topic_heatmap(theta, units, LABELS)
    image = fig.axes[0].images[0].get_array()
    # order: A/a1/p0 (row 2), A/a1/p1 (row 1), B/b1/p0 (row 0)
    assert np.allclose(image, theta[[2, 1, 0]])
    assert tick_texts(fig.axes[0].yaxis) == ["A", "B"]
    assert len(fig.axes[0].get_xticks()) == 3


def test_intertopic_map_circle_area_is_proportional_to_prevalence():
    phi = np.array([[0.7, 0.2, 0.1], [0.1, 0.7, 0.2], [0.2, 0.1, 0.7]])
    topic_map = intertopic_map(phi, np.array([0.5, 0.25, 0.25]))
    fig = plot_intertopic_map(topic_map, LABELS)
    sizes = fig.axes[0].collections[0].get_sizes()
    assert sizes[0] == pytest.approx(2 * sizes[1])
    assert {t.get_text() for t in fig.axes[0].texts} == {
        "T0: peace talks",
        "Humanitarian aid",
        "T2: vote council",
    }


def test_over_time_and_terms_and_convergence_figures():
    table = pd.DataFrame(
        {
            "period": [2000, 2000, 2010, 2010],
            "topic": [0, 1, 0, 1],
            "prevalence": [0.6, 0.4, 0.3, 0.7],
        }
    )
    fig = plot_prevalence_over_time(TimePrevalence(table, "decade", True, ""), LABELS)
    assert len(fig.axes[0].lines) == 2 and fig.axes[0].get_xlabel() == "Decade"
    with pytest.raises(ValueError, match="nothing to draw"):
        plot_prevalence_over_time(TimePrevalence(pd.DataFrame(), "", False, "no dates"), LABELS)
    terms = pd.DataFrame(
        {
            "topic": [0, 0, 1, 1],
            "rank": [1, 2, 1, 2],
            "term": ["security_council", "vote", "aid", "gaza"],
            "probability": [0.3, 0.2, 0.4, 0.1],
        }
    )
    fig = plot_topic_terms(terms, LABELS)
    ticks, names = fig.axes[0].get_yticks(), tick_texts(fig.axes[0].yaxis)
    assert names[int(np.argmax(ticks))] == "security council"  # rank 1 on top
    assert fig.axes[1].get_title(loc="left") == "Humanitarian aid"
    conv = pd.DataFrame({"pass": [1, 2, 3], "per_word_bound": [-9.0, -8.0, -7.9]})
    assert plot_convergence(conv).axes[0].lines[0].get_ydata().tolist() == [-9.0, -8.0, -7.9]


def test_over_time_ticks_are_whole_periods():
    years = np.repeat(np.arange(2000, 2020), 2)
    table = pd.DataFrame({"period": years, "topic": [0, 1] * 20, "prevalence": 0.5})
    fig = plot_prevalence_over_time(TimePrevalence(table, "year", True, ""), LABELS)
    fig.canvas.draw()
    ticks = tick_texts(fig.axes[0].xaxis)
    assert ticks == [str(y) for y in range(2000, 2020, 2)]  # whole years, every second one
    decades = table.head(20).assign(period=np.repeat(np.arange(1900, 2000, 10), 2))
    fig = plot_prevalence_over_time(TimePrevalence(decades, "decade", True, ""), LABELS)
    fig.canvas.draw()
    assert tick_texts(fig.axes[0].xaxis) == [str(y) for y in range(1900, 2000, 10)]


def test_heatmap_of_many_units_shows_means_of_runs_within_each_source():
    n_a, n_b = 600, 400
    theta = np.array([[1.0, 0.0] if i % 3 == 0 else [0.0, 1.0] for i in range(n_a)]
                     + [[0.0, 1.0]] * n_b)  # fmt: skip
    units = pd.DataFrame({"doc_id": [f"a{i:04d}" for i in range(n_a)]
                          + [f"b{i:04d}" for i in range(n_b)],
                          "group": ["A"] * n_a + ["B"] * n_b, "position": 0})  # fmt: skip
    assert heatmap_units_per_row(len(units), 2) == 3
    fig = plot_document_topic_heatmap(theta, units, LABELS)
    image = np.asarray(fig.axes[0].images[0].get_array())
    assert len(image) <= HEATMAP_MAX_ROWS
    assert len(image) == 200 + 134  # runs of 3 units, never across a source
    assert np.allclose(image[:200], [1 / 3, 2 / 3])  # each A run: one unit of topic 0 in three
    assert np.allclose(image[200:], [0.0, 1.0])
    (separator,) = fig.axes[0].lines
    assert separator.get_ydata()[0] == 199.5
    assert separator.get_color() == "white" and separator.get_path_effects()  # dark edges
    assert "mean of 3 units" in fig.axes[0].get_ylabel()
    assert "each row is the mean of 3 consecutive units" in document_heatmap_caption(units)
    assert document_heatmap_caption(units.head(3)).startswith("Topic proportions of every unit")
