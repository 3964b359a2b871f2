"""Actor, voice and tone figures from small tables."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.framing import actor_plots  # noqa: E402
from tests.framing.test_plots import check_network_text  # noqa: E402


def salience():
    return pd.DataFrame(
        {
            "group": ["A", "A", "B"],
            "actor": ["un", "israel", "un"],
            "name": ["United Nations", "Israel", "United Nations"],
            "camp": ["United Nations", "Israel", "United Nations"],
            "mentions": [5, 2, 3],
            "units": [3, 2, 2],
            "share_units": [0.6, 0.4, 0.5],
            "per_1000": [10.0, 4.0, 6.0],
        }
    )


def test_top_actors_orders_by_total_mentions():
    assert actor_plots.top_actors(salience(), 1) == ["un"]


def test_actor_figures():
    fig = actor_plots.plot_actor_salience(salience())
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["United Nations", "Israel"]
    co = pd.DataFrame({"group": ["A"], "actor_a": ["israel"], "actor_b": ["un"], "units": [2]})
    nets = actor_plots.plot_actor_networks(co, salience(), seed=1)
    assert [ax.get_title() for ax in nets.axes[:2]] == ["A", "B"]


def test_voice_and_tone_figures():
    shares = pd.DataFrame(
        {
            "group": ["A", "A", "B"],
            "camp": ["Israel", "Unidentified", "Russia"],
            "voices": [3, 1, 2],
            "anonymous": [2, 1, 0],
            "share": [0.75, 0.25, 1.0],
        }  # fmt: skip
    )
    fig = actor_plots.plot_voice_shares(shares)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["A\n(n = 4)", "B\n(n = 2)"]
    tone = pd.DataFrame(
        {
            "group": ["A", "B"],
            "actor": ["un", "un"],
            "name": "United Nations",
            "camp": "United Nations",
            "n_sentences": [4, 5],
            "mean_compound": [0.2, -0.1],
            "ci_low": [0.0, -0.3],
            "ci_high": [0.4, 0.1],
        }  # fmt: skip
    )
    assert actor_plots.plot_actor_tone(tone).axes[0].get_xlim() == (-1.0, 1.0)


def test_voice_share_interval_figure():
    intervals = pd.DataFrame(
        {"group": ["A", "A", "B"], "camp": ["X", "Y", "X"], "voices": [3, 1, 2],
         "share": [0.75, 0.25, 1.0], "ci_low": [0.5, 0.0, 1.0], "ci_high": [1.0, 0.5, 1.0]}
    )  # fmt: skip
    fig = actor_plots.plot_voice_share_intervals(intervals)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["X", "Y"]


def _texts(fig):
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    matplotlib.pyplot.close(fig)
    return texts


def test_a_corpus_naming_no_actor_gets_figures_that_say_so():
    empty = salience().iloc[0:0]
    cooccurrence = pd.DataFrame(columns=["group", "actor_a", "actor_b", "units"])
    for fig in (
        actor_plots.plot_actor_salience(empty),
        actor_plots.plot_actor_networks(cooccurrence, empty, seed=1),
    ):
        assert "No actors found" in _texts(fig)
    shares = pd.DataFrame(columns=["group", "camp", "voices", "anonymous", "share"])
    assert "No quoted or reported voices" in _texts(actor_plots.plot_voice_shares(shares))
    tone = pd.DataFrame(
        columns=["group", "actor", "name", "n_sentences", "mean_compound", "ci_low", "ci_high"]
    )
    assert "No actor is named in 3 or more" in _texts(actor_plots.plot_actor_tone(tone))
    assert "No actors found" not in _texts(actor_plots.plot_actor_salience(salience()))


def test_actor_network_labels_are_readable_and_clear_of_nodes():
    actors = [f"a{i}" for i in range(5)]
    sal = pd.DataFrame(
        {
            "group": ["A"] * 5 + ["B"] * 5,
            "actor": actors * 2,
            "name": [f"Actor with a long name {i}" for i in range(5)] * 2,
            "camp": ["United Nations", "Israel", "United States", "Russia", "Egypt"] * 2,
            "mentions": [9, 7, 5, 3, 2] * 2,
            "units": [5, 4, 3, 2, 1] * 2,
            "share_units": [0.9, 0.7, 0.5, 0.3, 0.2] * 2,
            "per_1000": 1.0,
        }
    )
    co = pd.DataFrame(
        {"group": ["A", "A", "B"], "actor_a": ["a0", "a1", "a2"], "actor_b": ["a1", "a2", "a3"],
         "units": [3, 2, 1]}
    )  # fmt: skip
    fig = actor_plots.plot_actor_networks(co, sal, seed=1)
    assert check_network_text(fig) == []
