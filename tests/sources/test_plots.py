"""Source-comparison figures: they draw what the tables say, and draw it the same way twice."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.core.figure_style import apply_style, group_palette
from analysis.corpus.counts import count_terms
from analysis.sources import plots as source_plots
from analysis.sources.divergence import group_divergence
from analysis.sources.keyness import KeynessSettings, keyness_table
from analysis.sources.similarity import document_similarity
from analysis.sources.style_profile import group_style_profile, load_stance_markers, style_units


@pytest.fixture(scope="module")
def keyness():
    rng = np.random.default_rng(0)
    vocabulary = [f"term_{i}" for i in range(30)]
    pairs = [
        (g, list(rng.choice(vocabulary, 40)) + (["planted"] * 4 if g == "B" else []))
        for g in ("A", "B", "C")
        for _ in range(6)
    ]
    return keyness_table(count_terms(pairs), KeynessSettings(comparisons="all"))


def _svg(fig: Figure) -> bytes:
    apply_style()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def test_keyness_bars_show_each_groups_top_terms(keyness):
    fig = source_plots.plot_keyness_bars(keyness, top_n=5)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in visible] == [
        "A vs rest", "B vs rest", "C vs rest",
    ]  # fmt: skip
    ticks = visible[1].get_yticklabels()
    top_label = max(ticks, key=lambda t: t.get_position()[1]).get_text()  # highest bar
    assert top_label == "planted"
    assert visible[1].patches[0].get_facecolor()[:3] == pytest.approx(
        plt.matplotlib.colors.to_rgb(group_palette("ABC")["B"])
    )
    plt.close(fig)


def test_fightin_words_labels_the_planted_term_and_is_reproducible(keyness):
    fig = source_plots.plot_fightin_words(keyness, n_labels=3)
    panel_b = [ax for ax in fig.axes if ax.get_title(loc="left") == "B vs rest"][0]
    assert "planted" in [t.get_text() for t in panel_b.texts]
    assert panel_b.get_xscale() == "log"
    plt.close(fig)
    first = _svg(source_plots.plot_fightin_words(keyness, n_labels=3))
    second = _svg(source_plots.plot_fightin_words(keyness, n_labels=3))
    assert first == second
    pair = source_plots.plot_fightin_words(keyness, reference="A")
    assert len([ax for ax in pair.axes if ax.get_visible()]) == 2  # B vs A and C vs A
    plt.close(pair)


def test_divergence_heatmap_annotates_intervals():
    pairs = [("A:0", ["x", "y"]), ("A:1", ["y"]), ("B:0", ["z"]), ("B:1", ["z", "x"])]
    table = group_divergence(
        count_terms(pairs), {k: k[0] for k, _ in pairs}, bootstrap_samples=20, seed=0
    )
    fig = source_plots.plot_divergence_heatmap(table)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 4 and sum(t.startswith("floor") for t in texts) == 2
    plt.close(fig)


def test_similarity_heatmap_and_dendrogram():
    docs = {"a1": ["peace"] * 3, "a2": ["peace", "talks"], "b1": ["war"], "b2": ["war", "gaza"]}
    result = document_similarity(count_terms(docs.items()), {d: d[0].upper() for d in docs})
    heat = source_plots.plot_similarity_heatmap(result)
    image = heat.axes[1].images[0]
    assert np.allclose(image.get_array(), result.similarity)
    plt.close(heat)
    tree = source_plots.plot_dendrogram(result)
    labels = {t.get_text() for t in tree.axes[0].get_xticklabels()}
    assert labels == set(docs)
    plt.close(tree)


def test_style_profile_small_multiples():
    units = pd.DataFrame(
        {
            "segment_id": ["a", "b", "c", "d"],
            "group": ["A", "A", "B", "B"],
            "text": ["We may act. We will.", "It is clear.", "The UN met.", "He said 3 things."],
        }
    )
    profile = group_style_profile(style_units(units, load_stance_markers()), bootstrap_samples=20)
    fig = source_plots.plot_style_profile(profile)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == profile["metric"].nunique()
    assert visible[0].get_xlabel() == "words per sentence"
    plt.close(fig)


@pytest.mark.parametrize("measure", ["g2", "exact"])
def test_keyness_bars_follow_the_ranking_measure(measure):
    rng = np.random.default_rng(0)
    pairs = [(g, list(rng.choice(["w1", "w2", "w3", "w4"], 30)) + (["planted"] * 4 if g == "B"
              else [])) for g in "ABC" for _ in range(4)]  # fmt: skip
    settings = KeynessSettings(comparisons="rest", measure=measure)
    table = keyness_table(count_terms(pairs), settings)
    fig = source_plots.plot_keyness_bars(table, top_n=3)
    panel = [ax for ax in fig.axes if ax.get_title(loc="left") == "B vs rest"][0]
    assert panel.get_xlabel() == source_plots.MEASURE_LABELS[measure]
    widths = [p.get_width() for p in panel.patches]
    assert all(np.isfinite(widths)) and max(widths) > 0  # exact: infinite odds drawn finite
    plt.close(fig)
