"""Source-comparison figures: they draw what the tables say, and draw it the same way twice."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from analysis.core.figure_style import apply_style, group_palette
from analysis.corpus.counts import count_terms
from analysis.framing.plots import LABEL_SIZE
from analysis.sources import plots as source_plots
from analysis.sources import similarity_plots
from analysis.sources.divergence import group_divergence
from analysis.sources.keyness import KeynessSettings, keyness_table
from analysis.sources.similarity import DocumentSimilarity, document_similarity
from analysis.sources.style_profile import group_style_profile, load_stance_markers, style_units
from tests.framing.test_plots import overlaps


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
    heat = similarity_plots.plot_similarity_heatmap(result)
    image = heat.axes[1].images[0]
    assert np.allclose(image.get_array().data, result.similarity)
    plt.close(heat)
    tree = similarity_plots.plot_dendrogram(result)
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
    assert panel.get_xlabel() == source_plots.MEASURE_SHORT_LABELS[measure]
    assert fig.get_supxlabel() == source_plots.MEASURE_LABELS[measure]
    widths = [p.get_width() for p in panel.patches]
    assert all(np.isfinite(widths)) and max(widths) > 0  # exact: infinite odds drawn finite
    plt.close(fig)


# ---------------------------------------------------------------- figures at corpus scale


def planted_similarity(within: float, between: float, n: int = 2000, groups: int = 8, seed=0):
    """DocumentSimilarity of `n` documents in `groups` equal groups: cosines about `within`
    inside a group and `between` across groups (seeded noise), clustered as
    `document_similarity` clusters them."""
    rng = np.random.default_rng(seed)
    names = [f"Outlet {chr(65 + g)}" for g in range(groups)]
    labels = np.repeat(np.arange(groups), n // groups)
    base = np.where(labels[:, None] == labels[None, :], within, between)
    noise = rng.normal(0, between / 2, (n, n))
    similarity = np.clip(base + (noise + noise.T) / 2, 0.0, 1.0)
    np.fill_diagonal(similarity, 1.0)
    linkage = hierarchy.linkage(squareform(1.0 - similarity, checks=False), method="average")
    return DocumentSimilarity(
        doc_ids=tuple(f"doc{i:04d}" for i in range(n)),
        groups=tuple(names[g] for g in labels),
        similarity=similarity,
        linkage=linkage,
        leaf_order=tuple(int(i) for i in hierarchy.leaves_list(linkage)),
        n_documents=n,
    )


def text_boxes(fig, texts):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts]


def collisions(boxes) -> list[tuple[str, str]]:
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if overlaps(box_a, box_b)
    ]


def test_similarity_colours_span_the_pairs_of_distinct_documents_not_the_diagonal():
    result = planted_similarity(within=0.036, between=0.021)  # as at 100,000 documents
    pairs = result.similarity[np.triu_indices(2000, k=1)]
    fig = similarity_plots.plot_similarity_heatmap(result)
    image = fig.axes[1].images[0]
    low, high = image.get_clim()
    assert low == 0 and pairs.min() <= high <= pairs.max()
    assert high == pytest.approx(np.percentile(pairs, similarity_plots.SIMILARITY_SCALE_PERCENTILE))
    assert high < 0.1  # the diagonal of 1s does not set the scale
    assert np.array_equal(np.ma.getmaskarray(image.get_array()), np.eye(2000, dtype=bool))
    label = fig.axes[-1].get_ylabel()  # the colour bar
    assert f"{high:.2g}" in label and "percentile" in label
    plt.close(fig)


def test_similarity_scale_of_a_handful_of_documents():
    docs = {"a1": ["peace"] * 3, "a2": ["peace", "talks"], "b1": ["war", "talks"], "b2": ["war"]}
    result = document_similarity(count_terms(docs.items()), {d: d[0].upper() for d in docs})
    pairs = result.similarity[np.triu_indices(4, k=1)]
    fig = similarity_plots.plot_similarity_heatmap(result)
    low, high = fig.axes[1].images[0].get_clim()
    assert low == 0 and 0 < high <= pairs.max() < 1
    assert high == similarity_plots.similarity_scale(result.similarity)
    plt.close(fig)
    separate = np.eye(3)  # no two documents share a term: a 0-1 scale, not 0-0
    assert similarity_plots.similarity_scale(separate) == 1.0


def frequency_table(low: float, high: float) -> pd.DataFrame:
    """A keyness table of three groups whose term frequencies run from `low` to `high`."""
    frequency = np.unique(np.geomspace(low, high, 400).round())
    z = np.linspace(-8, 8, len(frequency))
    return pd.DataFrame(
        [
            (g, "rest", f"t{i}", zz, f // 2, f - f // 2)
            for g in "ABC"
            for i, (f, zz) in enumerate(zip(frequency, z, strict=True))
        ],
        columns=["group", "reference", "term", "z", "count_target", "count_reference"],
    )


FREQUENCY_RANGES = [
    (5, 200_000),
    (1, 10**7),
    (3, 22),
    (20_000, 900_000),
    (10**5, 10**7),
    (1, 10**9),
]


@pytest.mark.parametrize("low, high", FREQUENCY_RANGES)
@pytest.mark.parametrize("reference", ["rest", "A"])  # three panels side by side, or one
def test_fightin_words_frequency_ticks_do_not_run_together(low, high, reference):
    table = frequency_table(low, high)
    if reference == "A":
        table = table[table["group"] == "B"].assign(reference="A")
    fig = source_plots.plot_fightin_words(table, reference, n_labels=2)
    fig.canvas.draw()
    for ax in [ax for ax in fig.axes if ax.get_visible()]:
        x0, x1 = sorted(ax.get_xlim())
        ticks = [
            t
            for t in ax.xaxis.get_ticklabels(which="both")
            if t.get_text() and x0 <= t.get_position()[0] <= x1
        ]
        assert len(ticks) >= 2 + (high / low > 5), [t.get_text() for t in ticks]
        assert all(t.get_fontsize() >= LABEL_SIZE for t in ticks)
        assert collisions(text_boxes(fig, ticks)) == []
    plt.close(fig)


def test_keyness_bars_of_eight_groups_keep_their_text_apart():
    rng = np.random.default_rng(0)
    pairs = [(g, list(rng.choice([f"w{i}" for i in range(40)], 60)) + [f"only_{g}"] * 5)
             for g in "ABCDEFGH" for _ in range(3)]  # fmt: skip
    table = keyness_table(count_terms(pairs), KeynessSettings(comparisons="rest"))
    fig = source_plots.plot_keyness_bars(table, top_n=5)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 8
    labels = [ax.xaxis.label for ax in visible] + [ax.title for ax in visible]
    labels += [t for ax in visible for t in ax.get_yticklabels() + ax.get_xticklabels()]
    labels = [t for t in labels + fig.texts if t.get_text()]  # fig.texts: the shared label
    assert collisions(text_boxes(fig, labels)) == []
    assert fig.get_supxlabel() == source_plots.MEASURE_LABELS["log_odds"]
    plt.close(fig)


def test_dendrogram_of_thousands_of_documents_draws_its_top_clusters():
    result = planted_similarity(within=0.3, between=0.03)  # eight clean clusters
    p = similarity_plots.DENDROGRAM_CLUSTERS
    fig = similarity_plots.plot_dendrogram(result)
    tree_ax, strip = fig.axes[:2]
    links = sum(len(c.get_segments()) for c in tree_ax.collections)
    assert links == p - 1  # p leaves: p - 1 merges drawn, not 1,999
    labels = [t.get_text() for t in strip.get_xticklabels()]
    assert len(labels) == p
    sizes = [int(label.split(" doc")[0].replace(",", "")) for label in labels]
    assert sum(sizes) == 2000
    assert all(label.startswith("1 doc: ") or ": 100% Outlet " in label for label in labels)
    assert "top 30 clusters" in similarity_plots.dendrogram_leaf_note(result)
    ticks = strip.get_xticklabels()
    assert all(t.get_fontsize() >= LABEL_SIZE for t in ticks)
    assert collisions(text_boxes(fig, ticks)) == []
    plt.close(fig)
    first = _svg(similarity_plots.plot_dendrogram(result))
    assert first == _svg(similarity_plots.plot_dendrogram(result))
    docs = {"a1": ["peace"], "a2": ["peace", "talks"], "b1": ["war"], "b2": ["war", "gaza"]}
    small = document_similarity(count_terms(docs.items()), {d: d[0].upper() for d in docs})
    assert similarity_plots.dendrogram_leaf_note(small) == "leaves coloured by source."
