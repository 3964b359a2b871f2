"""How often the quotation extractor is right: scored against hand-annotated quotations.

The reference is a table of attributions annotated by hand (the seed gold standard,
`analysis/resources/gold/seed_quotations.csv`, or a researcher's own filled-in voices
sheet named in `framing.coded_quotes_file`). The rules, also in the gold folder's README:

- a found attribution matches a gold one of the same document when their spans (the found
  `statement`, the gold `quote`) share at least half of the words of the shorter span
  (words of `analysis.corpus.tokens.tokenize_words`, with repetition); one-to-one, best
  overlap first;
- quote precision = matched / found, recall = matched / gold, F1 their harmonic mean;
- speaker accuracy over matched pairs: the same actor id, or, for a gold speaker without
  actor id, no actor id and one of the gold camps (``|``-separated);
- anonymity precision and recall over matched pairs; kind accuracy (direct / reported,
  "according to" counting as reported).

`voice_share_intervals` puts the measured error into the voice shares: each bootstrap
replicate resamples a group's attributions, drops each with probability 1 - quote
precision (a false find) and gives each kept one, with probability 1 - speaker accuracy, a
camp drawn from the group's camp shares instead of its own (a wrong speaker, assumed to
fall on camps in proportion to their share). Missed quotations are assumed missing at
random: they widen nothing. The rates come from the researcher's annotated sample when
there is one, else from the seed gold standard (`seed_scores.json`, written by
`benchmarks/measures_benchmark.py` and checked by a test).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.paths import RESOURCES, load_researcher_csv, project_path
from analysis.corpus.tokens import tokenize_words
from analysis.framing.salience import group_rng

SEED_GOLD_FILE = RESOURCES / "gold" / "seed_quotations.csv"
SEED_SCORES_FILE = RESOURCES / "gold" / "seed_scores.json"
GOLD_COLUMNS = ("doc_id", "kind", "actor", "camp", "anonymous", "quote")
MIN_OVERLAP = 0.5

SHEET_COLUMNS = {
    "doc_id": "document id",
    "segment_id": "unit (segment) id",
    "kind": "the extractor's kind; coders write direct or reported",
    "speaker": "the extractor's speaker phrase; coders correct it",
    "actor": "speaker's actor id in the actors file ('' for unnamed people)",
    "camp": "speaker's camp ('Unidentified' when the text does not say; several with '|')",
    "anonymous": "1 if the speaker is an unnamed person or people, else 0",
    "quote": "the quoted words or the reported content, copied from the text",
    "context": "the sentence, for reading",
}
MATCH_COLUMNS = {
    "gold_row": "row of the gold table (0-based), or -1 for a found attribution with no match",
    "found_row": "row of the attribution table, or -1 for a gold attribution not found",
    "doc_id": "document id",
    "overlap": "shared words / words of the shorter span",
    "speaker_right": "1 if the speaker is right (see the rules), else 0; empty if unmatched",
    "gold_quote": "gold span",
    "found_statement": "found span",
}
SCORE_COLUMNS = {
    "doc_id": "document, or '(all)'",
    "gold": "attributions in the gold table",
    "found": "attributions the extractor found",
    "matched": "found attributions matching a gold one",
    "quote_precision": "matched / found",
    "quote_recall": "matched / gold",
    "quote_f1": "harmonic mean of quote precision and recall (0 when nothing matched)",
    "speaker_accuracy": "right speakers / matched",
    "anonymous_precision": "matched pairs anonymous in both / found anonymous",
    "anonymous_recall": "matched pairs anonymous in both / gold anonymous",
    "kind_accuracy": "matched pairs with the same kind (direct or reported) / matched",
}


def read_gold_quotations(path: str | Path = SEED_GOLD_FILE) -> pd.DataFrame:
    """Hand-annotated attributions (columns GOLD_COLUMNS at least), checked row by row."""
    table = load_researcher_csv(
        path, "annotated quotations", "framing.coded_quotes_file", tuple(GOLD_COLUMNS)
    )
    path = project_path(path)
    for i, row in table.iterrows():
        line = f"{path}, line {i + 2}"
        if row["kind"].strip().lower() not in ("direct", "reported"):
            raise InputError(f"{line}: kind = {row['kind']!r}; write direct or reported")
        if row["anonymous"].strip() not in ("0", "1"):
            raise InputError(f"{line}: anonymous = {row['anonymous']!r}; write 1 or 0")
        if not row["quote"].strip():
            raise InputError(f"{line}: empty quote; copy the quoted or reported words")
    table["kind"] = table["kind"].str.strip().str.lower()
    return table.assign(anonymous=table["anonymous"].astype(int))


def span_overlap(a: str, b: str) -> float:
    """Shared words (with repetition) / words of the shorter span; 0 for an empty span."""
    return _overlaps(a, b)[0]


def _overlaps(a: str, b: str) -> tuple[float, float]:
    """Shared words over the shorter and over the longer span (the second breaks ties)."""
    words_a, words_b = Counter(tokenize_words(a)), Counter(tokenize_words(b))
    sizes = sorted((sum(words_a.values()), sum(words_b.values())))
    shared = sum((words_a & words_b).values())
    return (shared / sizes[0], shared / sizes[1]) if sizes[0] else (0.0, 0.0)


def match_quotations(gold: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """One-to-one matches by span overlap within each document (MATCH_COLUMNS)."""
    rows = []
    for doc in sorted(set(gold["doc_id"]) | set(found["doc_id"])):
        g = gold.index[gold["doc_id"] == doc].tolist()
        f = found.index[found["doc_id"] == doc].tolist()
        pairs = sorted(
            ((*_overlaps(gold.at[i, "quote"], found.at[j, "statement"]), i, j)
             for i in g for j in f),
            key=lambda t: (-t[0], -t[1], t[2], t[3]),
        )  # fmt: skip
        used_g, used_f = set(), set()
        for overlap, _, i, j in pairs:
            if overlap >= MIN_OVERLAP and i not in used_g and j not in used_f:
                used_g.add(i)
                used_f.add(j)
                rows.append((i, j, doc, overlap, _speaker_right(gold.loc[i], found.loc[j])))
        rows += [(i, -1, doc, 0.0, np.nan) for i in g if i not in used_g]
        rows += [(-1, j, doc, 0.0, np.nan) for j in f if j not in used_f]
    table = pd.DataFrame(rows, columns=list(MATCH_COLUMNS)[:5])
    table["gold_quote"] = [gold.at[i, "quote"] if i >= 0 else "" for i in table["gold_row"]]
    table["found_statement"] = [
        found.at[j, "statement"] if j >= 0 else "" for j in table["found_row"]
    ]
    return table


def _speaker_right(gold: pd.Series, found: pd.Series) -> int:
    if str(gold["actor"]):
        return int(str(found["actor"]) == str(gold["actor"]))
    camps = {c.strip() for c in str(gold["camp"]).split("|")}
    return int(not str(found["actor"]) and str(found["camp"]) in camps)


def quotation_scores(gold: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """Quote P/R/F1, speaker accuracy, anonymity P/R and kind accuracy, per document and
    over all (SCORE_COLUMNS). `found` is an attribution table of `quoted_voices`."""
    gold, found = gold.reset_index(drop=True), found.reset_index(drop=True)
    matches = match_quotations(gold, found)
    rows = [_score_row(doc, part, gold, found) for doc, part in matches.groupby("doc_id")]
    rows.append(_score_row("(all)", matches, gold, found))
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))


def _score_row(doc: str, part: pd.DataFrame, gold: pd.DataFrame, found: pd.DataFrame) -> dict:
    pairs = part[(part["gold_row"] >= 0) & (part["found_row"] >= 0)]
    n_gold, n_found, n_matched = (
        (part["gold_row"] >= 0).sum(),
        (part["found_row"] >= 0).sum(),
        len(pairs),
    )
    g_anon = gold.loc[pairs["gold_row"], "anonymous"].to_numpy(int)
    f_anon = found.loc[pairs["found_row"], "anonymous"].to_numpy(int)
    g_kind = gold.loc[pairs["gold_row"], "kind"].to_numpy()
    f_kind = np.where(found.loc[pairs["found_row"], "kind"] == "direct", "direct", "reported")
    precision, recall = _ratio(n_matched, n_found), _ratio(n_matched, n_gold)
    both = int(((g_anon == 1) & (f_anon == 1)).sum())
    return {
        "doc_id": doc, "gold": int(n_gold), "found": int(n_found), "matched": int(n_matched),
        "quote_precision": precision, "quote_recall": recall,
        "quote_f1": _f1(precision, recall, n_matched),
        "speaker_accuracy": _ratio(pairs["speaker_right"].sum(), n_matched),
        "anonymous_precision": _ratio(both, int(f_anon.sum())),
        "anonymous_recall": _ratio(both, int(g_anon.sum())),
        "kind_accuracy": _ratio(int((g_kind == f_kind).sum()), n_matched),
    }  # fmt: skip


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def _f1(precision: float, recall: float, n_matched: int) -> float:
    if n_matched == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def voices_sheet(attributions: pd.DataFrame) -> pd.DataFrame:
    """The extractor's attributions as a sheet to correct by hand (SHEET_COLUMNS): coders fix
    speaker, actor, camp, anonymous, kind and quote, delete false rows and add missed ones,
    then name the file in framing.coded_quotes_file."""
    sheet = attributions.assign(
        kind=np.where(attributions["kind"] == "direct", "direct", "reported"),
        quote=attributions["statement"],
    )
    return sheet[list(SHEET_COLUMNS)].reset_index(drop=True)


INTERVAL_COLUMNS = {
    "group": "comparison group (source)",
    "camp": "camp of the quoted speaker",
    "voices": "attributions to the camp",
    "share": "voices / all attributions in the group",
    "ci_low": "lower bound of the 95% interval (resampling and the extractor's error)",
    "ci_high": "upper bound of that interval",
    "speaker_accuracy": "speaker accuracy used for the interval",
    "quote_precision": "quote precision used for the interval",
    "error_source": "where the error rates come from",
}


@dataclass(frozen=True)
class ExtractorScores:
    """Scores of the extractor against an annotated sample, with a note for the reader,
    and the error rates (speaker accuracy, quote precision) the voice intervals use."""

    scores: pd.DataFrame
    matches: pd.DataFrame
    note: str
    speaker_accuracy: float
    quote_precision: float
    error_source: str


def seed_error_rates() -> dict:
    """The extractor's overall scores on the seed gold standard (seed_scores.json)."""
    return json.loads(SEED_SCORES_FILE.read_text(encoding="utf-8"))


def seed_scores_record(scores: pd.DataFrame) -> str:
    """The overall row of a seed scoring as the JSON text of seed_scores.json."""
    overall = scores.iloc[-1]
    record = {k: round(float(overall[k]), 6) for k in list(SCORE_COLUMNS)[4:]}
    record.update({k: int(overall[k]) for k in ("gold", "found", "matched")})
    return json.dumps(record, indent=1, sort_keys=True) + "\n"


def voice_share_intervals(
    attributions: pd.DataFrame, errors: ExtractorScores, n_boot: int, seed: int
) -> pd.DataFrame:
    """Camp shares per group with intervals from resampling and the extractor's measured
    error (see the module docstring; INTERVAL_COLUMNS)."""
    accuracy, precision = (float(np.nan_to_num(x)) for x in
                           (errors.speaker_accuracy, errors.quote_precision))  # fmt: skip
    rows = []
    for group, part in attributions.groupby("group", sort=True):
        camps, codes = np.unique(part["camp"].to_numpy(str), return_inverse=True)
        rng = group_rng(seed, f"voices\x00{group}")
        observed = np.bincount(codes, minlength=len(camps))
        counts = rng.multinomial(len(codes), observed / len(codes), size=n_boot)
        kept_right = rng.binomial(counts, precision * accuracy)
        moved = rng.binomial(counts - kept_right, precision * (1 - accuracy) /
                             max(1 - precision * accuracy, 1e-12)).sum(axis=1)  # fmt: skip
        counts = kept_right + np.stack([rng.multinomial(m, observed / len(codes)) for m in moved])
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = counts / counts.sum(axis=1, keepdims=True)
        low, high = np.nanquantile(shares, [0.025, 0.975], axis=0)
        for k, camp in enumerate(camps):
            rows.append((group, camp, int(observed[k]), observed[k] / len(codes), low[k],
                         high[k], accuracy, precision, errors.error_source))  # fmt: skip
    return pd.DataFrame(rows, columns=list(INTERVAL_COLUMNS))


def score_extractor(attributions: pd.DataFrame, coded_quotes_file: str) -> ExtractorScores:
    """Score the attributions against `framing.coded_quotes_file` (only the documents it
    covers); without a file, empty tables and a note saying how to provide one."""
    if not str(coded_quotes_file).strip():
        seed = seed_error_rates()
        return ExtractorScores(
            pd.DataFrame(columns=list(SCORE_COLUMNS)),
            pd.DataFrame(columns=list(MATCH_COLUMNS)),
            "No annotated quotations (`framing.coded_quotes_file` is empty): the intervals "
            "of the voice shares use the extractor's error on the seed gold standard "
            f"(speaker accuracy {seed['speaker_accuracy']:.2f}, quote precision "
            f"{seed['quote_precision']:.2f}). To measure it on this corpus, correct the "
            "`frames-voices-sheet` table by hand and name the file in "
            "`framing.coded_quotes_file`.",
            seed["speaker_accuracy"],
            seed["quote_precision"],
            "seed gold standard",
        )
    gold = read_gold_quotations(coded_quotes_file)
    found = attributions[attributions["doc_id"].isin(set(gold["doc_id"]))].reset_index(drop=True)
    scores = quotation_scores(gold, found)
    overall = scores.iloc[-1]
    note = (
        f"On {overall['gold']} hand-annotated attributions in {gold['doc_id'].nunique()} "
        f"documents the extractor finds quotations with precision "
        f"{overall['quote_precision']:.2f}, recall {overall['quote_recall']:.2f} (F1 "
        f"{overall['quote_f1']:.2f}); the speaker is right for {overall['speaker_accuracy']:.0%}"
        f" of the matched ones; anonymous sourcing precision "
        f"{overall['anonymous_precision']:.2f}, recall {overall['anonymous_recall']:.2f}."
    )
    return ExtractorScores(
        scores,
        match_quotations(gold, found),
        note,
        float(overall["speaker_accuracy"]),
        float(overall["quote_precision"]),
        f"annotated sample ({coded_quotes_file})",
    )


# Table schemas: the description and columns each table is saved with.
SHEET_SCHEMA = {
    "description": (
        "The attributions as a sheet to correct by hand and name in framing.coded_quotes_file."
    ),
    "columns": SHEET_COLUMNS,
}

SCORE_SCHEMA = {
    "description": (
        "Quote precision, recall and F1, speaker accuracy and anonymity precision and recall "
        "of the extractor against the annotated quotations."
    ),
    "columns": SCORE_COLUMNS,
}

MATCH_SCHEMA = {
    "description": "Each annotated and each found attribution, matched by span overlap.",
    "columns": MATCH_COLUMNS,
}

INTERVAL_SCHEMA = {
    "description": (
        "Share of each camp among the attributions of each source, with 95% intervals from "
        "resampling and the extractor's measured error."
    ),
    "columns": INTERVAL_COLUMNS,
}
