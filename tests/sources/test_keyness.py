"""Keyness statistics against hand computations and a planted keyword."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from analysis.core.params import build_params
from analysis.corpus.counts import count_terms
from analysis.sources.keyness import (
    KeynessSettings,
    adjust_p,
    compare_groups,
    corpus_keyness_counts,
    keyness_counts,
    keyness_scores,
    keyness_table,
    keyword_summary,
    top_keywords,
)
from tests.sources.partitioned import seed_corpora

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


# quanteda's own test table: d1 = "b b b b b b b a a a", d2 = "a a a a a a a b b".
def test_chi2_matches_scipy_without_and_with_yates():
    from scipy.stats import chi2_contingency

    table = keyness_scores(np.array([3, 7]), np.array([7, 2]), np.array([10, 9]))
    plain = chi2_contingency([[3, 7], [7, 2]], correction=False).statistic
    yates = chi2_contingency([[3, 7], [7, 2]], correction=True).statistic
    # "a" is under-used by d1: negative sign; expected counts < 5, so Yates applies.
    assert table.loc[0, "chi2"] == pytest.approx(-plain, rel=1e-12)
    assert table.loc[0, "chi2_yates"] == pytest.approx(-yates, rel=1e-12)
    assert table.loc[1, "chi2_yates"] == pytest.approx(yates, rel=1e-12)
    # hand computation: N (|ad - bc| - N/2)^2 / (r1 r2 c1 c2) = 19 (|6 - 49| - 9.5)^2 / ...
    assert abs(table.loc[0, "chi2_yates"]) == pytest.approx(
        19 * (43 - 9.5) ** 2 / (10 * 9 * 10 * 9), rel=1e-12
    )


def test_quanteda_yates_only_when_an_expected_count_is_small():
    from scipy.stats import chi2_contingency

    # All expected counts >= 5: quanteda applies no correction, scipy would.
    table = keyness_scores(np.array([40, 60]), np.array([20, 80]), np.array([60, 140]))
    plain = chi2_contingency([[40, 20], [60, 80]], correction=False).statistic
    assert table.loc[0, "chi2_yates"] == pytest.approx(plain, rel=1e-12)
    assert table.loc[0, "chi2"] == pytest.approx(plain, rel=1e-12)


def test_exact_measure_matches_fisher_and_the_conditional_odds_ratio():
    from scipy.stats import fisher_exact
    from scipy.stats.contingency import odds_ratio

    a, b = np.array([10, 5, 85, 0]), np.array([5, 20, 171, 4])
    table = keyness_scores(a, b, a + b, exact=True)
    for i in range(4):
        cells = [[a[i], b[i]], [100 - a[i], 200 - b[i]]]
        assert table.loc[i, "p_exact"] == pytest.approx(fisher_exact(cells).pvalue, rel=1e-12)
        expected = odds_ratio(cells, kind="conditional").statistic
        assert table.loc[i, "exact_or"] == pytest.approx(expected, rel=1e-9)
    # the conditional MLE (what R's fisher.test reports) is not the sample odds ratio 4.33
    assert table.loc[0, "exact_or"] == pytest.approx(4.31, abs=0.01)
    assert table.loc[3, "exact_or"] == 0.0


@pytest.mark.parametrize(
    ("measure", "column", "test"),
    [("g2", "g2", "g2"), ("log_ratio", "log_ratio", "g2"), ("chi2", "chi2", "chi2"),
     ("chi2_yates", "chi2_yates", "chi2_yates"), ("exact", "exact_or", "exact")],
)  # fmt: skip
def test_every_measure_ranks_the_planted_term_first(measure, column, test):
    table = compare_groups(_planted_counts(), "B", None, KeynessSettings(measure=measure))
    assert table.iloc[0]["term"] == "ceasefire"
    assert (table["score"] == table[column]).all() and set(table["measure"]) == {measure}
    assert set(table["test"]) == {test}
    assert table["score"].is_monotonic_decreasing
    assert table.iloc[0]["p_adj"] < 0.01
    with pytest.raises(ValueError, match="sources.measure"):
        KeynessSettings(measure="pmi")


def test_keyness_counts_keep_stop_words_only_when_asked():
    segments = pd.DataFrame(
        {"group": ["A", "B"], "text": ["We will rebuild; we've won.", "They will not."],
         "tokens": [["rebuild", "we've", "won"], []]}
    )  # fmt: skip
    default = keyness_counts(segments, build_params({}))
    assert default.vocabulary == ("rebuild", "we've", "won")
    every = keyness_counts(segments, build_params({"sources": {"stopwords": "none"}}))
    assert every.vocabulary == ("not", "rebuild", "they", "we", "we've", "will", "won")
    assert every.row("A").tolist() == [0, 1, 0, 1, 1, 1, 1]


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    return seed_corpora(tmp_path_factory)


@pytest.mark.parametrize("stopwords", ["preprocess", "none"])
def test_corpus_counts_on_five_partitions_equal_the_corpus_in_memory(corpora, stopwords):
    one, many = corpora
    segments = one.corpus.in_memory().segments
    params = [dataclasses.replace(p.params, sources=dataclasses.replace(
        p.params.sources, stopwords=stopwords)) for p in (one, many)]  # fmt: skip
    expected = keyness_counts(segments, params[0])
    assert expected.matrix.sum() > 1000
    for prepared, chosen in zip((one, many), params, strict=True):
        counts = corpus_keyness_counts(prepared.corpus, chosen)
        assert counts.labels == expected.labels
        assert counts.vocabulary == expected.vocabulary
        assert np.array_equal(counts.matrix.toarray(), expected.matrix.toarray())
    pd.testing.assert_frame_equal(keyness_table(counts), keyness_table(expected), check_exact=True)
