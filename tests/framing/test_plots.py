"""Frame figures build from small tables with labelled axes (compute and draw separate)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

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
