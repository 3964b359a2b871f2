"""Keyness statistics against hand computations and a planted keyword."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.corpus.counts import count_terms
from analysis.sources.keyness import (
    KeynessSettings,
    adjust_p,
    compare_groups,
    keyness_scores,
    keyness_table,
    keyword_summary,
    top_keywords,
)

# A small table (terms: alpha, beta, gamma, delta). Target total 100, reference total 200.
TARGET = np.array([10, 5, 85, 0])
REFERENCE = np.array([5, 20, 171, 4])


def test_hand_computed_statistics_for_alpha():
    table = keyness_scores(TARGET, REFERENCE, TARGET + REFERENCE, prior_scale=0.01)
    alpha = table.iloc[0]
    # Dirichlet prior: alpha_w = 0.01 * 15 = 0.15, alpha_0 = 0.01 * 300 = 3.
    delta = math.log((10 + 0.15) / (100 + 3 - 10 - 0.15)) - math.log(
        (5 + 0.15) / (200 + 3 - 5 - 0.15)
    )
    z = delta / math.sqrt(1 / (10 + 0.15) + 1 / (5 + 0.15))
    assert alpha["log_odds"] == pytest.approx(delta, rel=1e-12)
    assert alpha["z"] == pytest.approx(z, rel=1e-12)
    # 2x2 table [[10, 5], [90, 195]]; expected [[5, 10], [95, 190]].
    g2 = 2 * (
        10 * math.log(10 / 5)
        + 5 * math.log(5 / 10)
        + 90 * math.log(90 / 95)
        + 195 * math.log(195 / 190)
    )
    assert alpha["g2"] == pytest.approx(g2, rel=1e-12)
    assert alpha["p"] == pytest.approx(math.erfc(math.sqrt(g2 / 2)), rel=1e-9)  # chi2, df=1
    # log ratio: log2((10 / 100) / (5 / 200)) = log2(4)
    assert alpha["log_ratio"] == pytest.approx(2.0)
    assert alpha["fpm_target"] == pytest.approx(10 / 100 * 1e6)
    assert alpha["fpm_reference"] == pytest.approx(5 / 200 * 1e6)


def test_underused_term_has_negative_g2_and_zero_count_gets_half():
    table = keyness_scores(TARGET, REFERENCE, TARGET + REFERENCE)
    beta, delta = table.iloc[1], table.iloc[3]
    assert beta["g2"] < 0 and beta["z"] < 0
    # delta: 0 in the target -> 0.5; log2((0.5 / 100) / (4 / 200)) = log2(0.25)
    assert delta["log_ratio"] == pytest.approx(-2.0)


def test_p_value_corrections_match_hand_values():
    p = np.array([0.01, 0.04, 0.03, 0.005])
    # BH: sorted .005,.01,.03,.04 -> .02,.02,.04,.04 (in input order below)
    assert adjust_p(p, "bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])
    # Holm: .005*4, .01*3, .03*2, .04*1 -> cumulative max .02,.03,.06,.06
    assert adjust_p(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    with pytest.raises(ValueError, match="bh"):
        adjust_p(p, "bonferroni")


def _planted_counts(seed: int = 3):
    rng = np.random.default_rng(seed)
    vocabulary = [f"w{i:02d}" for i in range(40)]
    pairs = []
    for group in ("A", "B", "C"):
        for _ in range(10):
            tokens = list(rng.choice(vocabulary, size=30))
            if group == "B":
                tokens += ["ceasefire"] * 3
            pairs.append((group, tokens))
    return count_terms(pairs)


def test_planted_term_tops_every_statistic():
    counts = _planted_counts()
    table = compare_groups(counts, "B", None, KeynessSettings(min_freq=3))
    assert table.iloc[0]["term"] == "ceasefire" and table.iloc[0]["rank"] == 1
    assert table.loc[table["g2"].idxmax(), "term"] == "ceasefire"
    assert table.loc[table["log_ratio"].idxmax(), "term"] == "ceasefire"
    assert table.iloc[0]["p_adj"] < 0.001
    for other in ("A", "C"):
        assert compare_groups(counts, other).iloc[0]["term"] != "ceasefire"


def test_pairwise_comparisons_are_antisymmetric():
    counts = _planted_counts()
    table = keyness_table(counts, KeynessSettings(comparisons="all"))
    assert set(table["comparison"]) == {
        "A vs rest", "B vs rest", "C vs rest",
        "A vs B", "A vs C", "B vs A", "B vs C", "C vs A", "C vs B",
    }  # fmt: skip
    ab = table[table["comparison"] == "A vs B"].set_index("term")
    ba = table[table["comparison"] == "B vs A"].set_index("term")
    assert np.allclose(ab["z"], -ba.loc[ab.index, "z"])
    assert np.allclose(ab["g2"], -ba.loc[ab.index, "g2"])


def test_min_freq_drops_rare_terms():
    counts = count_terms([("A", ["x", "x", "y"]), ("B", ["x", "z", "z", "z"])])
    table = compare_groups(counts, "A", settings=KeynessSettings(min_freq=3))
    assert sorted(table["term"]) == ["x", "z"]


def test_top_keywords_and_summary_name_the_planted_term():
    table = keyness_table(_planted_counts(), KeynessSettings(comparisons="rest"))
    top = top_keywords(table, n=3)
    assert top[top["group"] == "B"].iloc[0]["term"] == "ceasefire"
    assert "**B**: *ceasefire*" in keyword_summary(table, n=3)


def test_bad_settings_and_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="sources.min_freq"):
        KeynessSettings(min_freq=0)
    with pytest.raises(ValueError, match="group_by"):
        keyness_table(count_terms([("only", ["x"])]))
    with pytest.raises(KeyError, match="rows are"):
        compare_groups(_planted_counts(), "Z")


def test_auto_comparisons_skip_pairs_for_many_groups():
    few = keyness_table(_planted_counts())  # 3 groups: rest and pairs
    assert {"B vs rest", "B vs A"} <= set(few["comparison"])
    many = count_terms((f"g{i}", ["x", "y", f"t{i}"] * 2) for i in range(8))
    table = keyness_table(many, KeynessSettings(min_freq=1))
    assert set(table["reference"]) == {"rest"}
