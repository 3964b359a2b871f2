"""Style profile of each source: length, lexical diversity, readability and stance.

Measured on running text (segments.text and documents.text), not on the stop-word-free
tokens. Words are `analysis.corpus.tokens.tokenize_words` tokens (typographic apostrophes
read as plain ones). Each unit (segment) gets raw counts; a group's value is a ratio of
sums over its units (e.g. words per sentence = all words / all sentences), and its
percentile interval comes from resampling the group's units with replacement.

Definitions (documented because every one of them is a choice):

* **Sentences**: `analysis.corpus.sentences` (the rule-based splitter every stage uses),
  keeping the sentences that hold at least one word.
* **MTLD** (McCarthy & Jarvis 2010): the mean length of word sequences that keep a
  type-token ratio above 0.72. Reading forwards, a factor ends when the running TTR falls
  to 0.72 or below (``<=``); the leftover counts as a partial factor
  (1 - TTR) / (1 - 0.72); MTLD = tokens / factors; the value reported is the mean of the
  forward and backward passes. For a group, factors are added over its units (factors do
  not run across unit boundaries) and MTLD = all tokens / all factors, per direction;
  this pools short units without dividing by zero.
* **Flesch reading ease** = 206.835 - 1.015 (words / sentences) - 84.6 (syllables / words).
  Syllables by heuristic: groups of consecutive vowels (a, e, i, o, u, y), minus a silent
  final "e" (but not "-le"), minus a silent "-ed" (not after t or d) or "-es" (not after
  s, x, z, ch, sh), at least one per word; a number counts as one syllable per digit group.
* **Hedges, boosters, modal verbs, first-person plural**: counts of the versioned lists in
  ``analysis/resources/stance_markers.yaml`` (hedges and boosters after Hyland 2005), per
  1,000 words; "US" in capitals is not the pronoun "us", and "May" in a date is not a modal.
* **Quoted text**: share of words inside double quotation marks ("...", “...”, «...»);
  single quotes are left out because they double as apostrophes and scare quotes.
* **Numbers and dates** per 1,000 words: a date is a month name with a day or a year
  next to it ("15 January", "January 15, 2017", "March 2016"), a month name alone (except
  "May"), or a numeric date ("2017-01-15", "15/01/2017"); a number is any other token of
  digits (years standing alone are numbers).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.core.errors import InputError
from analysis.core.params import Params
from analysis.core.paths import RESOURCES
from analysis.corpus.tokens import WORD_PATTERN, normalise_quotes
from analysis.sources.style_counts import (
    count_markers,
    count_sentences,
    count_syllables,
    date_spans,
    mtld_factors_of_ids,
    mtld_from,
    quoted_words,
    token_ids,
    words_inside,
    words_of,
)
from analysis.stats.bootstrap import percentile_interval, resampled_sums

STANCE_MARKERS_FILE = RESOURCES / "stance_markers.yaml"

# metric -> (axis label with unit, short description)
STYLE_METRICS: dict[str, tuple[str, str]] = {
    "sentence_length": ("words per sentence", "mean sentence length"),
    "segment_length": ("words per segment", "mean segment length"),
    "document_length": ("words per document", "mean document length"),
    "mtld": ("MTLD (words)", "lexical diversity (MTLD)"),
    "flesch_reading_ease": ("Flesch reading ease", "readability (higher = easier)"),
    "hedges_per_1000": ("hedges per 1,000 words", "hedges (Hyland 2005)"),
    "boosters_per_1000": ("boosters per 1,000 words", "boosters (Hyland 2005)"),
    "modals_per_1000": ("modal verbs per 1,000 words", "modal verbs"),
    "we_per_1000": ("first-person plural per 1,000 words", "we, us, our"),
    "quoted_share": ("% of words in quotation marks", "share of quoted text"),
    "numbers_per_1000": ("numbers per 1,000 words", "numbers"),
    "dates_per_1000": ("dates per 1,000 words", "dates"),
}

STYLE_UNIT_COLUMNS = {
    "unit_id": "segment (or document) id",
    "group": "group (source) of the unit",
    "words": "running words (tokenize_words)",
    "sentences": "sentences (regular-expression splitter)",
    "syllables": "syllables by the documented heuristic",
    "mtld_factors_forward": "MTLD factors reading forwards, partial factor included",
    "mtld_factors_backward": "MTLD factors reading backwards, partial factor included",
    "mtld": "MTLD of the unit alone (NaN when it holds no complete or partial factor)",
    "hedges": "hedge markers",
    "boosters": "booster markers",
    "modals": "modal verbs",
    "we": "first-person plural forms",
    "quoted_words": "words inside double quotation marks",
    "numbers": "number tokens outside dates",
    "dates": "date expressions",
}

STYLE_PROFILE_COLUMNS = {
    "group": "group (source)",
    "metric": "style metric (see analysis.sources.style_profile.STYLE_METRICS)",
    "label": "metric with its unit of measurement",
    "value": "value for the whole group (ratio of sums over its units)",
    "ci_low": "lower bound of the percentile bootstrap interval over units",
    "ci_high": "upper bound of the percentile bootstrap interval over units",
    "ci_level": "coverage of the interval",
    "n_units": "units resampled (segments; documents for document_length)",
    "markers_version": "version of stance_markers.yaml used",
}


@dataclass(frozen=True)
class StanceMarkers:
    """Word lists for hedges, boosters, modal verbs and first-person plural."""

    hedges: tuple[tuple[str, ...], ...]
    boosters: tuple[tuple[str, ...], ...]
    modals: tuple[tuple[str, ...], ...]
    first_person_plural: tuple[tuple[str, ...], ...]
    version: str = ""


def load_stance_markers(path: str | Path = STANCE_MARKERS_FILE) -> StanceMarkers:
    """Read the marker lists; every multi-word marker becomes a tuple of tokens."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: stance marker file not found") from None
    lists = {}
    for name in ("hedges", "boosters", "modals", "first_person_plural"):
        entries = (raw or {}).get(name)
        if not isinstance(entries, list) or not entries:
            raise InputError(f"{path}: '{name}' must be a non-empty list of words or phrases")
        lists[name] = tuple(
            sorted({tuple(words_of(str(entry).lower())) for entry in entries}, key=str)
        )
    return StanceMarkers(**lists, version=str((raw or {}).get("version", "")))


def unit_style(text: str, markers: StanceMarkers) -> dict[str, float]:
    """Raw style counts of one unit of running text."""
    text = normalise_quotes(str(text))
    words = words_of(text)  # the WORD_PATTERN matches: quotes are already normalised
    lower = list(map(str.lower, words))
    dates = date_spans(text)
    starts = [m.start() for m in WORD_PATTERN.finditer(text)] if dates else []
    in_dates = {j for r in words_inside(starts, dates) for j in r}
    counts = Counter(lower)
    outside_dates, outside_counts = lower, counts
    if in_dates:
        outside_dates = [w for j, w in enumerate(lower) if j not in in_dates]
        outside_counts = Counter(outside_dates)
    pronoun_tokens, pronoun_counts = lower, counts
    if "US" in words:
        pronoun_tokens = [
            "U.S." if word == "US" else w for w, word in zip(lower, words, strict=True)
        ]
        pronoun_counts = Counter(pronoun_tokens)
    ids = token_ids(lower, counts)
    forward, backward = mtld_factors_of_ids(ids), mtld_factors_of_ids(ids[::-1])
    digit_words = sum(map(str.isdigit, map(itemgetter(0), words)))
    return {
        "words": len(words),
        "sentences": count_sentences(text),
        "syllables": sum(map(count_syllables, words)),
        "mtld_factors_forward": forward,
        "mtld_factors_backward": backward,
        "mtld": mtld_from(len(lower), forward, backward),
        "hedges": count_markers(outside_dates, markers.hedges, outside_counts),
        "boosters": count_markers(lower, markers.boosters, counts),
        "modals": count_markers(outside_dates, markers.modals, outside_counts),
        "we": count_markers(pronoun_tokens, markers.first_person_plural, pronoun_counts),
        "quoted_words": quoted_words(text),
        "numbers": digit_words - sum(words[j][0].isdigit() for j in in_dates),
        "dates": len(dates),
    }


def style_units(
    units: pd.DataFrame, markers: StanceMarkers, id_column: str = "segment_id"
) -> pd.DataFrame:
    """One row of raw style counts per unit (columns: STYLE_UNIT_COLUMNS)."""
    missing = [c for c in (id_column, "group", "text") if c not in units.columns]
    if missing:
        raise InputError(
            f"style profile: the units table lacks column(s) {missing}; pass "
            "PreparedCorpus.segments (or documents with id_column='doc_id')"
        )
    rows = [
        {"unit_id": str(uid), "group": str(group), **unit_style(text, markers)}
        for uid, group, text in zip(units[id_column], units["group"], units["text"], strict=True)
    ]
    return pd.DataFrame(rows, columns=list(STYLE_UNIT_COLUMNS))


# --- group profile with bootstrap -----------------------------------------------------


def _group_metrics(sums: dict[str, np.ndarray], n_units: np.ndarray) -> dict[str, np.ndarray]:
    """Group-level metrics from column sums (arrays: one value per bootstrap replicate)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        words, sentences = sums["words"], sums["sentences"]
        per_thousand = {
            f"{name}_per_1000": 1000 * sums[name] / words
            for name in ("hedges", "boosters", "modals", "we", "numbers", "dates")
        }
        return {
            "sentence_length": words / sentences,
            "segment_length": words / n_units,
            "mtld": (words / sums["mtld_factors_forward"] + words / sums["mtld_factors_backward"])
            / 2,
            "flesch_reading_ease": 206.835
            - 1.015 * words / sentences
            - 84.6 * sums["syllables"] / words,
            **per_thousand,
            "quoted_share": 100 * sums["quoted_words"] / words,
        }


# The counts a group's metrics are ratios of: every per-unit column but the ids and MTLD.
_SUMMED = tuple(c for c in STYLE_UNIT_COLUMNS if c not in ("unit_id", "group", "mtld"))


def _bootstrap_group(
    table: pd.DataFrame, samples: int, rng: np.random.Generator
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    values = table[list(_SUMMED)].to_numpy(dtype=float)
    n = len(values)
    point = _group_metrics(
        {c: values[:, i].sum() for i, c in enumerate(_SUMMED)}, np.asarray(float(n))
    )
    (resampled,) = resampled_sums([values], samples, rng)  # samples x columns
    boot = _group_metrics(
        {c: resampled[:, i] for i, c in enumerate(_SUMMED)}, np.full(samples, float(n))
    )
    return {k: float(v) for k, v in point.items()}, boot


def group_style_profile(
    unit_table: pd.DataFrame,
    document_lengths: pd.DataFrame | None = None,
    bootstrap_samples: int = 500,
    seed: int = 0,
    ci_level: float = 0.95,
    markers_version: str = "",
) -> pd.DataFrame:
    """Tidy profile (group, metric, value, interval) from `style_units` rows.

    ``document_lengths`` (columns group, words), if given, adds mean document length with
    an interval from resampling documents.
    """
    if unit_table.empty:
        raise InputError("style profile: no units to profile")
    if not 0 < ci_level < 1:
        raise InputError(f"ci_level must be between 0 and 1, got {ci_level}")
    rng = np.random.default_rng(seed)
    rows = []
    for group, table in unit_table.groupby("group", sort=True):
        point, boot = _bootstrap_group(table, bootstrap_samples, rng)
        for metric, value in point.items():
            low, high = _interval(boot[metric], ci_level)
            rows.append((group, metric, value, low, high, len(table)))
    if document_lengths is not None:
        for group, table in document_lengths.groupby("group", sort=True):
            lengths = table["words"].to_numpy(dtype=float)
            draws = rng.integers(0, len(lengths), size=(bootstrap_samples, len(lengths)))
            low, high = _interval(lengths[draws].mean(axis=1), ci_level)
            rows.append((group, "document_length", lengths.mean(), low, high, len(lengths)))
    profile = pd.DataFrame(
        rows, columns=["group", "metric", "value", "ci_low", "ci_high", "n_units"]
    )
    order = {m: i for i, m in enumerate(STYLE_METRICS)}
    profile = profile.assign(
        label=profile["metric"].map(lambda m: STYLE_METRICS[m][0]),
        ci_level=ci_level,
        markers_version=markers_version,
        _order=profile["metric"].map(order),
    ).sort_values(["_order", "group"], kind="stable")
    return profile[list(STYLE_PROFILE_COLUMNS)].reset_index(drop=True)


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return float("nan"), float("nan")
    low, high = percentile_interval(finite, level)
    return float(low), float(high)


@dataclass(frozen=True, eq=False)
class StyleProfile:
    """Per-unit counts and the per-group profile with intervals."""

    units: pd.DataFrame
    groups: pd.DataFrame


def style_profile(
    segments: pd.DataFrame,
    documents: pd.DataFrame,
    params: Params | None = None,
    markers: StanceMarkers | None = None,
) -> StyleProfile:
    """Style profile of each group from PreparedCorpus segments and documents.

    Bootstrap size and confidence level from ``params.sources``, seed from ``params.run``.
    """
    params = params or Params()
    markers = markers or load_stance_markers()
    units = style_units(segments, markers, "segment_id")
    return StyleProfile(units, style_groups(units, document_words(documents), params, markers))


def style_groups(
    units: pd.DataFrame, doc_words: pd.DataFrame, params: Params, markers: StanceMarkers
) -> pd.DataFrame:
    """The group profile of `style_units` rows and `document_words`, bootstrap settings
    from ``params.sources``, seed from ``params.run``."""
    sources = params.sources
    return group_style_profile(
        units, doc_words, sources.bootstrap_samples, params.run.seed, sources.ci_level,
        markers.version,
    )  # fmt: skip


def document_words(documents: pd.DataFrame) -> pd.DataFrame:
    """Group and running words of each document (columns group, words)."""
    words = [len(words_of(t)) for t in documents["text"]]
    return pd.DataFrame({"group": documents["group"].astype(str), "words": words})


# Table schemas: the description and columns each table is saved with.
STYLE_PROFILE_SCHEMA = {
    "description": (
        "One row per group and style metric: pooled value with percentile bootstrap interval "
        "over segments (documents for document length)."
    ),
    "columns": STYLE_PROFILE_COLUMNS,
}

STYLE_UNIT_SCHEMA = {
    "description": "One row per segment: the raw counts the style profile is pooled from.",
    "columns": STYLE_UNIT_COLUMNS,
}
