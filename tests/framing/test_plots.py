"""Frame figures build from small tables with labelled axes (compute and draw separate)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.collections  # noqa: E402
import matplotlib.text  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from analysis.framing import plots as framing_plots  # noqa: E402
from analysis.framing.antmn import topic_network_frames  # noqa: E402
from analysis.framing.salience import frame_cooccurrence, frame_salience  # noqa: E402


def unit_frames():
    rng = np.random.default_rng(0)
    rows = [
        (f"u{i}", g, f, int(h), 100, int(h > 0))
        for i, g in enumerate(["A"] * 6 + ["B"] * 6)
        for f, h in (("conflict", rng.poisson(1)), ("morality", rng.poisson(0.5)))
    ]
    return pd.DataFrame(
        rows, columns=["segment_id", "group", "frame", "hits", "n_words", "present"]
    )


def test_frame_figures():
    salience = frame_salience(unit_frames(), 50, 1)
    labels = {"conflict": "Conflict", "morality": "Morality"}
    heat = framing_plots.plot_source_frame_heatmap(salience, "per_1000", labels)
    assert isinstance(heat, Figure)
    assert [t.get_text() for t in heat.axes[0].get_yticklabels()] == ["Conflict", "Morality"]
    cells = [t.get_text() for t in heat.axes[0].texts]
    expected = salience.query("measure == 'per_1000' and frame == 'conflict' and group == 'A'")
    assert f"{expected['estimate'].iloc[0]:.1f}" in cells
    ci = framing_plots.plot_frame_salience(salience, "share_present", labels)
    assert "interval" in ci.axes[0].get_xlabel()
    co = framing_plots.plot_frame_cooccurrence(frame_cooccurrence(unit_frames()), labels)
    assert isinstance(co, Figure)


def test_network_share_and_collocate_figures():
    doc_topics = pd.DataFrame(np.random.default_rng(1).dirichlet([1, 1, 1], 20))
    net = topic_network_frames(doc_topics, pd.Series(["A", "B"] * 10), seed=1)
    fig = framing_plots.plot_topic_network(net, seed=1)
    assert len(fig.axes[0].collections) == net.nodes["frame"].nunique()
    shares = framing_plots.plot_antmn_frame_shares(net.shares)
    assert shares.axes[0].get_xlabel().startswith("Mean share")
    collocates = pd.DataFrame(
        {
            "group": ["A", "B"],
            "term": "settlement*",
            "collocate": ["illegal", "new"],
            "log_dice": [13.0, 12.0],
        }  # fmt: skip
    )
    grid = framing_plots.plot_collocates(collocates, ["settlement*", "occupation"])
    assert len(grid.axes) == 4


# ---------------------------------------------------------------- text at printed size


def pixel_boxes(fig):
    """Draw the figure; the window extents of its visible texts and of its scatter markers
    (as the squares around their circles), in display pixels."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    hidden = {  # tick labels of axes drawn without axis (networks): never drawn
        id(t)
        for ax in fig.axes
        if not ax.axison
        for axis in (ax.xaxis, ax.yaxis)
        for t in axis.findobj(matplotlib.text.Text)
    }
    texts = [
        t
        for t in fig.findobj(matplotlib.text.Text)
        if t.get_visible() and t.get_text() and id(t) not in hidden
    ]
    markers = []
    for ax in fig.axes:
        for collection in ax.collections:
            if not isinstance(collection, matplotlib.collections.PathCollection):
                continue  # colour bars, lines: not markers
            offsets = collection.get_offset_transform().transform(collection.get_offsets())
            sizes = np.broadcast_to(collection.get_sizes(), (len(offsets),))
            for (x, y), area in zip(offsets, sizes, strict=True):
                r = np.sqrt(area) / 2 * fig.dpi / 72
                markers.append(Bbox([[x - r, y - r], [x + r, y + r]]))
    return renderer, texts, markers


def overlaps(a: Bbox, b: Bbox, slack: float = 0.5) -> bool:
    return (
        a.x0 < b.x1 - slack and b.x0 < a.x1 - slack and a.y0 < b.y1 - slack and b.y0 < a.y1 - slack
    )


def check_network_text(fig, min_size: float = framing_plots.LABEL_SIZE) -> list[str]:
    """Problems with the text of a network figure: too small, outside the figure, a label
    over a node, the legend over a node or a label."""
    renderer, texts, markers = pixel_boxes(fig)
    problems = []
    figure_box = fig.bbox
    for t in texts:
        box = t.get_window_extent(renderer)
        if t.get_fontsize() < min_size:
            problems.append(f"{t.get_text()!r} at {t.get_fontsize()} pt")
        if not figure_box.contains(box.x0 + 1, box.y0 + 1) or not figure_box.contains(
            box.x1 - 1, box.y1 - 1
        ):
            problems.append(f"{t.get_text()!r} outside the figure")
    labels = [t for t in texts if isinstance(t, matplotlib.text.Annotation)]
    for t in labels:
        box = t.get_window_extent(renderer)
        problems += [f"label {t.get_text()!r} over a node" for m in markers if overlaps(box, m)]
    for legend in [*fig.legends, *[ax.get_legend() for ax in fig.axes if ax.get_legend()]]:
        box = legend.get_window_extent(renderer)
        problems += ["legend over a node" for m in markers if overlaps(box, m)]
        problems += [
            f"legend over {t.get_text()!r}"
            for t in labels
            if overlaps(box, t.get_window_extent(renderer))
        ]
    return problems


def planted_network(n_topics: int = 6, edges: bool = True):
    rng = np.random.default_rng(4)
    half = n_topics // 2  # planted: topics 0..half-1 rise and fall together, and the rest
    alphas = [[5.0] * half + [1.0] * (n_topics - half), [1.0] * half + [5.0] * (n_topics - half)]
    doc_topics = pd.DataFrame([rng.dirichlet(alphas[i % 2]) for i in range(40)])
    labels = {k: f"T{k}: word{k} other{k} third{k}" for k in range(n_topics)}
    threshold = 0.0 if edges else 0.99
    return topic_network_frames(doc_topics, pd.Series(["A", "B"] * 20), 1, labels, threshold)


def test_topic_network_labels_are_readable_and_clear_of_nodes_and_legend():
    net = planted_network()
    assert len(net.edges) > 0
    fig = framing_plots.plot_topic_network(net, seed=1)
    assert check_network_text(fig) == []
    assert not any("No edges" in t.get_text() for t in fig.findobj(matplotlib.text.Text))


def test_a_topic_network_without_edges_says_so():
    net = planted_network(edges=False)
    assert net.edges.empty
    fig = framing_plots.plot_topic_network(net, seed=1)
    assert check_network_text(fig) == []
    assert "No edges" in fig.axes[0].get_title()


def test_the_checker_catches_a_tiny_label_and_a_legend_over_a_node():
    fig = framing_plots.plot_topic_network(planted_network(), seed=1)
    ax = fig.axes[0]
    x, y = ax.collections[0].get_offsets()[0]
    ax.annotate("tiny", (x, y), fontsize=5, ha="center", va="center")
    ax.legend(["x"], loc="center", bbox_to_anchor=(x, y), bbox_transform=ax.transData)
    problems = " ".join(check_network_text(fig))
    assert "'tiny' at 5" in problems and "label 'tiny' over a node" in problems
    assert "legend over a node" in problems


def test_cooccurrence_matrix_labels_do_not_overlap_each_other():
    frames = [f"frame{i}" for i in range(10)]
    rng = np.random.default_rng(2)
    rows = [(f"u{u}", "A", f, int(rng.integers(0, 3)), 100, 0) for u in range(30) for f in frames]
    units = pd.DataFrame(
        rows, columns=["segment_id", "group", "frame", "hits", "n_words", "present"]
    )
    units["present"] = (units["hits"] > 0).astype(int)
    labels = {f: f"A long frame label number {i}" for i, f in enumerate(frames)}
    fig = framing_plots.plot_frame_cooccurrence(frame_cooccurrence(units), labels)
    renderer, _, _ = pixel_boxes(fig)
    ax = fig.axes[0]
    for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
        boxes = [t.get_window_extent(renderer) for t in ticks]
        assert all(t.get_fontsize() >= framing_plots.LABEL_SIZE for t in ticks)
        assert not any(overlaps(a, b) for a, b in zip(boxes, boxes[1:], strict=False))
        assert all(fig.bbox.contains(b.x0 + 1, b.y0 + 1) for b in boxes)


def test_collocate_names_stay_in_their_own_panel_with_eight_sources():
    """Eight sources side by side: each collocate is named inside its own panel (at the
    tick labels' place the names ran over the panel on their left), in rank order, at a
    readable size, cut with "…" only when too long for the panel."""
    groups = [f"Outlet {c}" for c in "ABCDEFGH"]
    names = ["headache-inducing", "council", "percentagewise", "242", "accord", "settlers"]
    collocates = pd.DataFrame(
        [(g, "settlement*", name, 14.0 - i) for g in groups for i, name in enumerate(names)],
        columns=["group", "term", "collocate", "log_dice"],
    )
    fig = framing_plots.plot_collocates(collocates, ["settlement*"], groups)
    renderer, texts, _ = pixel_boxes(fig)
    for ax in fig.axes:
        panel = ax.get_window_extent(renderer)
        shown = [t for t in texts if t.axes is ax and t not in (ax.title, ax.yaxis.label)]
        shown = [t for t in shown if t not in ax.get_xticklabels()]
        assert [t.get_text().rstrip("…") for t in shown] == [
            name[: len(t.get_text().rstrip("…"))] for name, t in zip(names, shown, strict=True)
        ]
        assert shown[1].get_text() == "council" and shown[0].get_text() != names[0]  # cut
        for t in shown:
            box = t.get_window_extent(renderer)
            assert panel.x0 <= box.x0 and box.x1 <= panel.x1, t.get_text()
            assert t.get_fontsize() >= framing_plots.LABEL_SIZE


def test_heatmap_values_of_eight_sources_do_not_touch():
    """Two-digit values in eight columns: a single-column figure ran them into each other."""
    groups = [f"Outlet {c}" for c in "ABCDEFGH"]
    salience = pd.DataFrame(
        [(g, f, "per_1000", 10.0 + i + 0.55 * k, 9.0, 11.0) for i, g in enumerate(groups)
         for k, f in enumerate(["conflict", "economic_consequences", "human_interest"])],
        columns=["group", "frame", "measure", "estimate", "ci_low", "ci_high"],
    )  # fmt: skip
    fig = framing_plots.plot_source_frame_heatmap(salience)
    renderer, texts, _ = pixel_boxes(fig)
    values = [t for t in texts if t.axes is fig.axes[0] and t.get_text()[:1].isdigit()]
    assert len(values) == 24
    boxes = [t.get_window_extent(renderer).expanded(1.1, 1.0) for t in values]
    assert not any(overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_antmn_share_legend_sits_just_below_the_axis_label_for_any_number_of_sources():
    for n in (4, 12):
        shares = pd.DataFrame(
            [(f"Source {i:02d}", f"F{k}", 0.5) for i in range(n) for k in (1, 2)],
            columns=["group", "frame", "share"],
        )
        fig = framing_plots.plot_antmn_frame_shares(shares)
        renderer, _, _ = pixel_boxes(fig)
        label = fig.axes[0].xaxis.label.get_window_extent(renderer)
        legend = fig.legends[0].get_window_extent(renderer)
        gap_inches = (label.y0 - legend.y1) / fig.dpi
        assert 0 <= gap_inches < 0.25 and legend.y0 >= 0, (n, gap_inches)
