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
    assert [ax.get_title() for ax in fig.axes] == ["X", "Y"]  # one panel per camp
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["A", "B"]


def test_voice_share_panels_fit_each_camp_so_small_shares_are_readable():
    groups = [f"Outlet {g}" for g in "ABCDEFGH"]
    small = [0.005 + 0.003 * i for i in range(8)]
    intervals = pd.DataFrame(
        {"group": groups * 2, "camp": ["Unidentified"] * 8 + ["United States"] * 8,
         "voices": [6000] * 8 + [100] * 8, "share": [1 - s for s in small] + small,
         "ci_low": [1 - s - 0.004 for s in small] + [s - 0.002 for s in small],
         "ci_high": [1 - s + 0.004 for s in small] + [s + 0.002 for s in small]}
    )  # fmt: skip
    fig = actor_plots.plot_voice_share_intervals(intervals)
    unidentified, states = fig.axes[:2]
    assert unidentified.get_title() == "Unidentified" and states.get_title() == "United States"
    low, high = states.get_xlim()
    assert low == 0 and high < 0.04  # the 8 outlets spread over the panel, not a 3% strip
    assert unidentified.get_xlim()[0] > 0.9  # and the near-1 shares over theirs
    assert fig.legends[0].get_title().get_text() == "Source"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == groups


def test_every_camp_gets_its_own_colour_the_same_in_every_figure():
    camps = list(actor_plots.reference_camps()) + ["Unidentified"]
    assert len(camps) == 17
    colours = actor_plots.camp_colours(camps)
    assert len(set(colours.values())) == len(camps)  # all distinct
    assert colours["Unidentified"] == "#999999"
    assert actor_plots.camp_colours(["Media", "Israel"]) == {
        "Media": colours["Media"], "Israel": colours["Israel"], "Unidentified": "#999999"
    }  # fmt: skip
    other = actor_plots.camp_colours(["Custom camp", "Israel", "Unidentified"])
    assert other["Custom camp"] not in (other["Israel"], "#999999")


def test_voice_share_bars_of_nine_camps_have_nine_colours():
    camps = ["United Nations", "Palestinians", "Israel", "Russia", "United States",
             "African Union", "Arab League", "Media", "Unidentified"]  # fmt: skip
    shares = pd.DataFrame(
        {
            "group": "A",
            "camp": camps,
            "voices": range(9, 0, -1),
            "anonymous": 0,
            "share": [v / 45 for v in range(9, 0, -1)],
        }
    )
    fig = actor_plots.plot_voice_shares(shares)
    legend = fig.axes[0].get_legend()
    colours = [tuple(h.get_facecolor()) for h in legend.legend_handles]
    assert len(set(colours)) == 9
    assert [t.get_text() for t in legend.get_texts()][-1] == "Unidentified"
    net = actor_plots.plot_actor_networks(
        pd.DataFrame(columns=["group", "actor_a", "actor_b", "units"]),
        shares.assign(actor=camps, name=camps, mentions=range(9, 0, -1), units=1,
                      share_units=0.5, per_1000=1.0),
        seed=1,
    )  # fmt: skip
    net_colours = {t.get_text(): tuple(h.get_facecolor()[0])
                   for t, h in zip(net.legends[0].get_texts(), net.legends[0].legend_handles,
                                   strict=True)}  # fmt: skip
    assert "other camps" not in net_colours and len(set(net_colours.values())) == 9
    voice_colours = dict(zip([t.get_text() for t in legend.get_texts()], colours, strict=True))
    assert all(net_colours[c] == voice_colours[c] for c in camps)  # same camp, same colour


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
