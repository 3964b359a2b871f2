"""Keyness: which terms set one source apart from the rest, or from another source.

Three statistics, side by side in one tidy table, because they answer different questions:

* **Weighted log-odds ratio with an informative Dirichlet prior** (Monroe, Colaresi & Quinn
  2008, "Fightin' Words", eqs. 16-22) and its z-score, the ranking statistic. The prior
  is the whole corpus (all groups of the count matrix, even in a two-group comparison)
  scaled by ``prior_scale``: alpha_w = prior_scale * y_w and alpha_0 = prior_scale * N, so
  that rare terms are shrunk towards the corpus rate instead of topping the list::

      delta_w = ln((y_wt + a_w) / (n_t + a_0 - y_wt - a_w))
              - ln((y_wr + a_w) / (n_r + a_0 - y_wr - a_w))
      var(delta_w) ~ 1 / (y_wt + a_w) + 1 / (y_wr + a_w);   z_w = delta_w / sqrt(var)

* **Dunning's log-likelihood G2** on the full 2x2 table (term / other terms x target /
  reference), G2 = 2 * sum O ln(O / E), signed negative when the term is relatively more
  frequent in the reference (as quanteda does). p-values from chi-squared with 1 degree of
  freedom, adjusted for the number of terms tested in that comparison by
  Benjamini-Hochberg (false discovery rate; default) or Holm (family-wise error).
* **Log ratio** (Hardie 2014), the effect size: log2 of the ratio of relative frequencies,
  with 0.5 put in place of a zero count.
* **Pearson's chi2** of the same 2x2 table as quanteda's ``textstat_keyness`` computes it,
  signed like G2: without correction (``chi2``) and with quanteda's Yates correction
  (``chi2_yates``: |ad - bc| is reduced by N/2 only when |ad - bc| >= N/2 and an expected
  count is below 5). And quanteda's ``"exact"`` measure: Fisher's exact test, its
  conditional maximum-likelihood odds ratio (R's ``fisher.test`` estimate) and two-sided
  p-value; one test per term, so it is computed only when it is the chosen measure.

``sources.measure`` chooses the statistic that ranks the terms (``rank``, ``score``); the
p-value ``p`` (and ``p_adj``) is that of the measure's test (``test``: G2 for log_odds, g2
and log_ratio, which have no test of their own or share G2's).

Counts (`keyness_counts`) come from ``segments.tokens`` (lower-cased, stop words removed,
phrases joined with "_"): every content token of every unit, with none of the topic
model's vocabulary pruning (preprocess.min_df / max_df / keep_n); ``sources.min_freq``
alone drops rare terms. With ``sources.stopwords: none`` every running word counts (the
`tokenize_words` words, lower-cased, with preprocess.min_token_length and normalize but
no stop-word list and no phrases), as quanteda's ``tokens`` -> ``dfm`` does, so that
tables such as its inaugural example (will, your, while, everyone) can be reproduced.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from analysis.core.errors import InputError
from analysis.core.params import Params
from analysis.corpus.counts import (
    TermCounts,
    added_term_counts,
    count_terms,
    segment_term_counts,
)
from analysis.corpus.partition_map import reduce_segments
from analysis.corpus.prepare import PartitionedCorpus
from analysis.corpus.tokens import content_tokens, tokenize_words

Correction = Literal["bh", "holm"]
Comparisons = Literal["rest", "pairs", "all", "auto"]
Measure = Literal["log_odds", "g2", "log_ratio", "chi2", "chi2_yates", "exact"]
# The column that holds each measure's score, and the test whose p-value goes with it.
MEASURE_COLUMN = {"log_odds": "z", "g2": "g2", "log_ratio": "log_ratio", "chi2": "chi2",
                  "chi2_yates": "chi2_yates", "exact": "exact_or"}  # fmt: skip
MEASURE_TEST = {"log_odds": "g2", "g2": "g2", "log_ratio": "g2", "chi2": "chi2",
                "chi2_yates": "chi2_yates", "exact": "exact"}  # fmt: skip
# With "auto", every pair of groups is compared only up to this many groups (the table grows
# with the square of the number of groups: 11 presidents give 110 pairwise comparisons).
AUTO_PAIRS_MAX_GROUPS = 6

KEYNESS_COLUMNS = {
    "group": "target group (source) whose distinctive terms are scored",
    "comparison": "'<target> vs rest' or '<target> vs <other group>'",
    "reference": "the reference: 'rest' (all other groups together) or another group",
    "term": "term from segments.tokens (phrases joined with '_')",
    "count_target": "occurrences of the term in the target group",
    "count_reference": "occurrences of the term in the reference",
    "fpm_target": "frequency per million tokens in the target group",
    "fpm_reference": "frequency per million tokens in the reference",
    "log_odds": "log-odds ratio with informative Dirichlet prior (Monroe et al. 2008), natural log",
    "z": "z-score of log_odds (positive: characteristic of the target)",
    "g2": "Dunning log-likelihood G2 of the 2x2 table, negative when used more in the reference",
    "chi2": "Pearson chi2 of the 2x2 table, no correction, signed like g2 (quanteda 'none')",
    "chi2_yates": "chi2 with quanteda's Yates correction (only if an expected count < 5)",
    "exact_or": "Fisher exact test: conditional MLE odds ratio (only when measure is exact)",
    "p": "p-value of the test named in `test` (G2 and chi2: chi-squared, 1 df; exact: Fisher)",
    "test": "the test behind p: g2, chi2, chi2_yates or exact",
    "p_adj": "p corrected for the number of terms tested in this comparison (see correction)",
    "correction": "multiple-testing correction: bh (Benjamini-Hochberg) or holm",
    "log_ratio": "log ratio (Hardie 2014): log2 of relative-frequency ratio, 0.5 for zero counts",
    "measure": "the ranking measure (sources.measure)",
    "score": "the ranking measure's value (z, g2, log_ratio, chi2, chi2_yates or exact_or)",
    "rank": "rank by score within the comparison (1 = most characteristic of the target)",
}


@dataclass(frozen=True)
class KeynessSettings:
    """Keyness options (from params.sources)."""

    min_freq: int = 3
    prior_scale: float = 0.01
    correction: Correction = "bh"
    comparisons: Comparisons = "auto"
    measure: Measure = "log_odds"

    def __post_init__(self) -> None:
        if self.measure not in MEASURE_COLUMN:
            raise InputError(
                f"sources.measure must be one of {list(MEASURE_COLUMN)}, got {self.measure!r}"
            )
        if self.min_freq < 1:
            raise InputError(f"sources.min_freq must be at least 1, got {self.min_freq}")
        if not self.prior_scale > 0:
            raise InputError(f"sources.prior_scale must be positive, got {self.prior_scale}")
        if self.correction not in ("bh", "holm"):
            raise InputError(f"sources.correction must be 'bh' or 'holm', got {self.correction!r}")
        if self.comparisons not in ("rest", "pairs", "all", "auto"):
            raise InputError(
                "sources.comparisons must be 'rest', 'pairs', 'all' or 'auto', "
                f"got {self.comparisons!r}"
            )

    @classmethod
    def from_params(cls, params: Any) -> KeynessSettings:
        """Read params.sources, with the defaults above for any setting it lacks."""
        section = params.sources
        return cls(
            min_freq=getattr(section, "min_freq", cls.min_freq),
            prior_scale=getattr(section, "prior_scale", cls.prior_scale),
            correction=getattr(section, "correction", cls.correction),
            comparisons=getattr(section, "comparisons", cls.comparisons),
            measure=getattr(section, "measure", cls.measure),
        )


def keyness_counts(segments: pd.DataFrame, params: Any) -> TermCounts:
    """Term counts per group for keyness: `segments.tokens` whole (``sources.stopwords:
    preprocess``) or every running word of the unit texts (``none``; see the module doc)."""
    if _stopwords(params) == "preprocess":
        return segment_term_counts(segments)
    words = _running_words(segments, params)
    return count_terms(zip(segments["group"].astype(str), words, strict=True))


def corpus_keyness_counts(corpus: PartitionedCorpus, params: Params) -> TermCounts:
    """`keyness_counts` of the whole corpus, counted partition by partition on the scheduler
    and added in partition order (`added_term_counts`: sparse, a few MB per partial sum
    where per-group Counters took a hundred)."""
    columns = ["group", "tokens"] if _stopwords(params) == "preprocess" else ["group", "text"]
    return reduce_segments(
        corpus, keyness_counts, added_term_counts, params, params, columns, "keyness counts"
    )


def _stopwords(params: Any) -> str:
    choice = params.sources.stopwords
    if choice not in ("preprocess", "none"):
        raise InputError(f"sources.stopwords must be 'preprocess' or 'none', got {choice!r}")
    return choice


def _running_words(segments: pd.DataFrame, params: Any) -> list[list[str]]:
    """Every running word of each unit's text (`tokenize_words`, no stop-word list)."""
    pre = params.preprocess
    return [
        content_tokens(tokenize_words(str(t), pre.lowercase), frozenset(),
                       pre.min_token_length, pre.normalize)
        for t in segments["text"]
    ]  # fmt: skip


def keyness_scores(
    target: np.ndarray,
    reference: np.ndarray,
    prior: np.ndarray,
    prior_scale: float = 0.01,
    exact: bool = False,
    totals: tuple[float, float, float] | None = None,
) -> pd.DataFrame:
    """Log-odds, z, G2, chi2 (plain and Yates), G2's p and log ratio for every term of two
    count vectors; with `exact`, Fisher's odds ratio and p (columns exact_or, p_exact).

    ``prior`` is the whole-corpus count of each term; the totals n_t, n_r and the prior's
    are the sums of the vectors, unless ``totals`` gives them (for a subset of the terms).
    """
    a = np.asarray(target, dtype=float)
    b = np.asarray(reference, dtype=float)
    y = np.asarray(prior, dtype=float)
    n_t, n_r, y_total = totals if totals is not None else (a.sum(), b.sum(), y.sum())
    if n_t == 0 or n_r == 0:
        raise InputError("keyness: the target and the reference must both contain tokens")
    alpha = prior_scale * y
    alpha0 = prior_scale * y_total
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = np.log((a + alpha) / (n_t + alpha0 - a - alpha)) - np.log(
            (b + alpha) / (n_r + alpha0 - b - alpha)
        )
        z = log_odds / np.sqrt(1.0 / (a + alpha) + 1.0 / (b + alpha))
    g2 = log_likelihood_g2(a, b, n_t, n_r)
    chi2, chi2_yates = pearson_chi2(a, b, n_t, n_r, yates=False), pearson_chi2(a, b, n_t, n_r)
    table = pd.DataFrame(
        {
            "count_target": a.astype(np.int64),
            "count_reference": b.astype(np.int64),
            "fpm_target": a / n_t * 1e6,
            "fpm_reference": b / n_r * 1e6,
            "log_odds": log_odds,
            "z": z,
            "g2": g2,
            "chi2": chi2,
            "chi2_yates": chi2_yates,
            "exact_or": np.nan,
            "p": stats.chi2.sf(np.abs(g2), df=1),
            "p_chi2": stats.chi2.sf(np.abs(chi2), df=1),
            "p_chi2_yates": stats.chi2.sf(np.abs(chi2_yates), df=1),
            "p_exact": np.nan,
            "log_ratio": log_ratio(a, b, n_t, n_r),
        }
    )
    if exact:
        table["exact_or"], table["p_exact"] = fisher_exact_test(a, b, n_t, n_r)
    return table


def pearson_chi2(
    a: np.ndarray, b: np.ndarray, n_t: float, n_r: float, yates: bool = True
) -> np.ndarray:
    """Signed Pearson chi2 of [[a, b], [n_t - a, n_r - b]] as quanteda's textstat_keyness:
    N (|ad - bc| - N delta)^2 / ((a+b)(c+d)(a+c)(b+d)), positive when a exceeds its expected
    count; delta = 0.5 (Yates) only if |ad - bc| >= N/2 and an expected count is below 5."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    c, d = n_t - a, n_r - b
    n = n_t + n_r
    cross = np.abs(a * d - b * c)
    margins = [(a + b, a + c), (a + b, b + d), (a + c, c + d), (c + d, b + d)]
    small = np.any([x * y / n < 5 for x, y in margins], axis=0)
    delta = np.where(yates & (cross >= n / 2) & small, 0.5, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = n * (cross - n * delta) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    value = np.nan_to_num(value, nan=0.0)
    return np.where(a > (a + b) * (a + c) / n, value, -value)


def fisher_exact_test(
    a: np.ndarray, b: np.ndarray, n_t: float, n_r: float
) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's exact test of each term's 2x2 table, as R's fisher.test (quanteda "exact"):
    the conditional maximum-likelihood odds ratio and the two-sided p-value."""
    odds, p = np.empty(len(a)), np.empty(len(a))
    for i, (x, y) in enumerate(zip(np.asarray(a, int), np.asarray(b, int), strict=True)):
        table = [[x, y], [int(n_t) - x, int(n_r) - y]]
        odds[i] = stats.contingency.odds_ratio(table, kind="conditional").statistic
        p[i] = stats.fisher_exact(table).pvalue
    return odds, p


def log_likelihood_g2(a: np.ndarray, b: np.ndarray, n_t: float, n_r: float) -> np.ndarray:
    """Signed G2 of the 2x2 tables [[a, b], [n_t - a, n_r - b]] (0 ln 0 = 0)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    total = n_t + n_r
    observed = [a, b, n_t - a, n_r - b]
    expected = [
        n_t * (a + b) / total,
        n_r * (a + b) / total,
        n_t * (total - a - b) / total,
        n_r * (total - a - b) / total,
    ]
    g2 = np.zeros_like(a)
    for o, e in zip(observed, expected, strict=True):
        with np.errstate(divide="ignore", invalid="ignore"):
            g2 += np.where(o > 0, o * np.log(o / e), 0.0)
    g2 = np.maximum(2.0 * g2, 0.0)
    return np.where(a / n_t >= b / n_r, g2, -g2)


def log_ratio(a: np.ndarray, b: np.ndarray, n_t: float, n_r: float) -> np.ndarray:
    """Hardie's log ratio: log2((a / n_t) / (b / n_r)), 0.5 in place of a zero count."""
    a = np.where(np.asarray(a) == 0, 0.5, a).astype(float)
    b = np.where(np.asarray(b) == 0, 0.5, b).astype(float)
    return np.log2((a / n_t) / (b / n_r))


def adjust_p(p: np.ndarray, method: Correction = "bh") -> np.ndarray:
    """Benjamini-Hochberg (FDR) or Holm (FWER) adjusted p-values, in the input order."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "bh":
        scaled = ranked * m / np.arange(1, m + 1)
        adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    elif method == "holm":
        adjusted = np.maximum.accumulate(ranked * (m - np.arange(m)))
    else:
        raise InputError(f"unknown p-value correction {method!r}: use 'bh' or 'holm'")
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def compare_groups(
    counts: TermCounts,
    target: str,
    reference: str | None = None,
    settings: KeynessSettings | None = None,
) -> pd.DataFrame:
    """Keyness of `target` against another group, or against all other groups (None)."""
    settings = settings or KeynessSettings()
    target_counts = counts.row(target)
    if reference is None:
        reference_counts = counts.term_totals - target_counts
        reference_name = "rest"
    else:
        if reference == target:
            raise InputError(f"keyness: cannot compare {target!r} with itself")
        reference_counts = counts.row(reference)
        reference_name = reference
    kept = target_counts + reference_counts >= settings.min_freq
    n_t, n_r = target_counts.sum(), reference_counts.sum()
    table = keyness_scores(
        target_counts[kept],
        reference_counts[kept],
        counts.term_totals[kept],
        settings.prior_scale,
        exact=settings.measure == "exact",
        totals=(n_t, n_r, counts.term_totals.sum()),
    )
    table.insert(0, "term", np.asarray(counts.vocabulary, dtype=object)[kept])
    test = MEASURE_TEST[settings.measure]
    if test != "g2":
        table["p"] = table[f"p_{test}"]
    table = table.assign(
        test=test,
        p_adj=adjust_p(table["p"].to_numpy(), settings.correction),
        correction=settings.correction,
        measure=settings.measure,
        score=table[MEASURE_COLUMN[settings.measure]],
    )
    table = table.sort_values(["score", "term"], ascending=[False, True], kind="stable")
    table = table.assign(
        group=target,
        comparison=f"{target} vs {reference_name}",
        reference=reference_name,
        rank=np.arange(1, len(table) + 1),
    )
    return table[list(KEYNESS_COLUMNS)].reset_index(drop=True)


def keyness_table(counts: TermCounts, settings: KeynessSettings | None = None) -> pd.DataFrame:
    """Every group against the rest and/or every ordered pair of groups, in one table.

    ``comparisons="auto"`` means "all" up to AUTO_PAIRS_MAX_GROUPS groups, else "rest".
    """
    settings = settings or KeynessSettings()
    comparisons = settings.comparisons
    if comparisons == "auto":
        comparisons = "all" if len(counts.labels) <= AUTO_PAIRS_MAX_GROUPS else "rest"
    if len(counts.labels) < 2:
        raise InputError(
            f"keyness needs at least two groups; the corpus has {len(counts.labels)} "
            f"({', '.join(counts.labels)}): choose another corpus.group_by"
        )
    parts = []
    if comparisons in ("rest", "all"):
        parts += [compare_groups(counts, g, None, settings) for g in counts.labels]
    if comparisons in ("pairs", "all"):
        parts += [
            compare_groups(counts, t, r, settings)
            for t, r in itertools.permutations(counts.labels, 2)
        ]
    return pd.concat(parts, ignore_index=True)


def top_keywords(table: pd.DataFrame, n: int = 15, reference: str = "rest") -> pd.DataFrame:
    """The n highest-ranked terms that favour the target, per group, for one kind of
    reference (score above 1 for the exact odds ratio, above 0 for the other measures)."""
    neutral = np.where(table["measure"] == "exact", 1.0, 0.0) if "measure" in table else 0.0
    score = table["score"] if "score" in table else table["z"]
    chosen = table[(table["reference"] == reference) & (score > neutral)]
    return (
        chosen.sort_values(["group", "rank"], kind="stable")
        .groupby("group", sort=True)
        .head(n)
        .reset_index(drop=True)
    )


def keyword_summary(table: pd.DataFrame, n: int = 5, alpha: float = 0.05) -> str:
    """Markdown naming each group's top keywords against the rest, with how many are significant."""
    top = top_keywords(table, n)
    measure = str(table["measure"].iloc[0]) if len(table) else "log_odds"
    label = MEASURE_COLUMN[measure]
    lines = [f"Top {n} keywords of each group against all other groups (by {measure}):", ""]
    for group, rows in top.groupby("group", sort=True):
        words = ", ".join(
            f"*{t.replace('_', ' ')}* ({label} = {v:.1f})"
            for t, v in zip(rows["term"], rows["score"], strict=True)
        )
        significant = int((rows["p_adj"] < alpha).sum())
        test = str(rows["test"].iloc[0]).replace("g2", "G2")
        lines.append(
            f"- **{group}**: {words}; {significant} of {len(rows)} with adjusted {test} p "
            f"< {alpha}."
        )
    return "\n".join(lines)


# Table schemas: the description and columns each table is saved with.
KEYNESS_SCHEMA = {
    "description": (
        "One row per term and comparison (a group against the rest, or against another "
        "group): counts, frequencies per million, log-odds z, G2, chi2, adjusted p, log "
        "ratio, rank."
    ),
    "columns": KEYNESS_COLUMNS,
}
