"""Validation by people: word- and topic-intrusion tests (Chang et al. 2009; R's oolong).

**Word intrusion.** One item per topic: its `n_top` most probable words and one intruder,
a word that is rare in the topic (in its less probable half) but among the top words of
another topic, shuffled. A coder who understands the topic spots the intruder. The
topic's *model precision* is the share of coders who did.

**Topic intrusion.** One item per sampled unit: its text, its three most probable topics
and one intruder topic, each shown by its label, shuffled. The *topic log odds* of an
answer is log theta(intruder) - log theta(chosen): 0 when the coder picks the intruder,
more negative the more the chosen topic matters to the unit.

The sheets for coders and the answer keys are separate tables; items, options and their
order are drawn from `run.seed`, so the next run with the same parameters writes the same
key and scores a filled sheet against it. A filled sheet is the exported sheet with the
`answer` column filled in (the option number 1..n) and, optionally, `coder`; without a
coder column the file name stands for the coder. Intervals are percentile bootstraps
over items (`analysis.stats.bootstrap`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.paths import load_researcher_csv, project_path
from analysis.stats.bootstrap import percentile_interval, resampled_sums

WORD_OPTIONS = 6  # n_top = 5 top words + 1 intruder, as oolong
TOPIC_OPTIONS = 4  # 3 top topics + 1 intruder


@dataclass(frozen=True)
class IntrusionTest:
    """A sheet for coders (no answers) and its key, for one kind of test."""

    kind: str  # "word" or "topic"
    sheet: pd.DataFrame  # item, option_1..option_n, answer (empty), coder (empty)
    key: pd.DataFrame  # item, topic/segment_id, intruder (option number), per-option facts


def word_intrusion_test(
    topic_word: np.ndarray, vocabulary: Sequence[str], seed: int, n_top: int = WORD_OPTIONS - 1
) -> IntrusionTest:
    """One word-intrusion item per topic (module docstring)."""
    rng = np.random.default_rng(seed)
    k, v = topic_word.shape
    if k < 2 or v < n_top + 2:
        raise InputError("word intrusion needs at least 2 topics and a larger vocabulary")
    order = np.argsort(-topic_word, axis=1, kind="stable")
    top_sets = [set(order[t, : n_top * 2].tolist()) for t in range(k)]
    sheet_rows, key_rows = [], []
    for topic in rng.permutation(k):
        top = order[topic, :n_top].tolist()
        low_half = set(order[topic, v // 2 :].tolist())
        candidates = sorted(set().union(*(top_sets[t] for t in range(k) if t != topic)) & low_half)
        if not candidates:
            candidates = order[topic, v // 2 :].tolist()
        intruder = int(rng.choice(candidates))
        words = top + [intruder]
        shown = rng.permutation(len(words))
        item = f"W{len(sheet_rows) + 1:02d}"
        sheet_rows.append(
            {"item": item, **{f"option_{i + 1}": vocabulary[words[j]] for i, j in enumerate(shown)}}
        )
        key_rows.append(
            {
                "item": item,
                "topic": int(topic),
                "intruder": int(np.flatnonzero(shown == n_top)[0]) + 1,
                "intruder_term": vocabulary[intruder],
            }
        )
    return IntrusionTest("word", _blank(pd.DataFrame(sheet_rows)), pd.DataFrame(key_rows))


def topic_intrusion_test(
    doc_topic: np.ndarray,
    units: pd.DataFrame,
    labels: dict[int, str],
    n_items: int,
    seed: int,
    max_chars: int = 600,
    texts: Callable[[list[int]], list[str]] | None = None,
) -> IntrusionTest:
    """Topic-intrusion items for `n_items` sampled units (module docstring); `texts` gives
    the texts of the units at some row numbers (default: the `text` column)."""
    rng = np.random.default_rng(seed)
    n, k = doc_topic.shape
    if k < TOPIC_OPTIONS:
        raise InputError(f"topic intrusion needs at least {TOPIC_OPTIONS} topics (K = {k})")
    chosen = np.sort(rng.choice(n, min(n_items, n), replace=False))
    rows = [int(i) for i in chosen]
    fetched = texts(rows) if texts is not None else [str(units["text"].iloc[i]) for i in rows]
    text_of = dict(zip(rows, fetched, strict=True))
    sheet_rows, key_rows = [], []
    for number, unit in enumerate(chosen, start=1):
        order = np.argsort(-doc_topic[unit], kind="stable")
        top = order[: TOPIC_OPTIONS - 1].tolist()
        intruder = int(
            rng.choice(order[TOPIC_OPTIONS - 1 :][len(order[TOPIC_OPTIONS - 1 :]) // 2 :])
        )
        topics = top + [intruder]
        shown = rng.permutation(TOPIC_OPTIONS)
        item = f"T{number:02d}"
        text = " ".join(text_of[int(unit)].split())[:max_chars]
        sheet_rows.append(
            {
                "item": item,
                "text": text,
                **{
                    f"option_{i + 1}": labels.get(topics[j], f"T{topics[j]}")
                    for i, j in enumerate(shown)
                },
            }
        )
        key_rows.append(
            {
                "item": item,
                "segment_id": units["segment_id"].iloc[unit],
                "intruder": int(np.flatnonzero(shown == TOPIC_OPTIONS - 1)[0]) + 1,
                **{
                    f"theta_{i + 1}": float(doc_topic[unit, topics[j]]) for i, j in enumerate(shown)
                },
                **{f"topic_{i + 1}": int(topics[j]) for i, j in enumerate(shown)},
            }
        )
    return IntrusionTest("topic", _blank(pd.DataFrame(sheet_rows)), pd.DataFrame(key_rows))


def _blank(sheet: pd.DataFrame) -> pd.DataFrame:
    sheet["answer"] = ""
    sheet["coder"] = ""
    return sheet


def read_coded_sheet(path: str | Path, test: IntrusionTest) -> pd.DataFrame:
    """A coder's filled sheet as item, coder, answer (int), checked against the key: the
    items and options must be those of this run's sheet."""
    option_columns = [c for c in test.sheet.columns if c.startswith("option_")]
    coded = load_researcher_csv(
        path,
        "coded intrusion sheet",
        "topics.intrusion_coded_files",
        ("item", "answer", *option_columns),
    )
    path = project_path(path)
    expected = test.sheet.set_index("item")[option_columns]
    rows = []
    for row_number, row in enumerate(coded.itertuples(index=False), start=2):
        if row.item not in expected.index:
            raise InputError(
                f"{path}, row {row_number}: item {row.item!r} is not in this run's "
                f"{test.kind}-intrusion sheet"
            )
        if [getattr(row, c) for c in option_columns] != expected.loc[row.item].tolist():
            raise InputError(
                f"{path}, row {row_number}: the options of item {row.item} differ from this run's "
                "sheet; was it exported by a run with other parameters or another seed?"
            )
        answer = str(row.answer).strip()
        if not answer:
            continue  # not coded
        if answer not in {str(i) for i in range(1, len(option_columns) + 1)}:
            raise InputError(
                f"{path}, row {row_number}: answer {answer!r}: give an option number "
                f"1..{len(option_columns)}"
            )
        coder = str(getattr(row, "coder", "") or "").strip() or path.stem
        rows.append({"item": row.item, "coder": coder, "answer": int(answer)})
    return pd.DataFrame(rows, columns=["item", "coder", "answer"])


def score_answers(answers: pd.DataFrame, test: IntrusionTest) -> pd.DataFrame:
    """Per answer: correct (picked the intruder) and, for topic intrusion, log odds."""
    scored = answers.merge(test.key, on="item", how="left", validate="many_to_one")
    scored["correct"] = scored["answer"] == scored["intruder"]
    if test.kind == "topic":
        theta = scored[[f"theta_{i}" for i in range(1, TOPIC_OPTIONS + 1)]].to_numpy()
        rows = np.arange(len(scored))
        chosen = theta[rows, scored["answer"].to_numpy() - 1]
        intruder = theta[rows, scored["intruder"].to_numpy() - 1]
        scored["log_odds"] = np.log(intruder) - np.log(chosen)
    return scored


def intrusion_scores(
    scored: pd.DataFrame, kind: str, n_boot: int, seed: int, level: float = 0.95
) -> pd.DataFrame:
    """Model precision (and topic log odds) per coder and overall, with percentile
    bootstrap intervals over items: coder, measure, estimate, ci_low, ci_high, n_items."""
    measures = [("model_precision", "correct")] + (
        [("topic_log_odds", "log_odds")] if kind == "topic" else []
    )
    rng = np.random.default_rng(seed)
    rows = []
    groups = [(c, g) for c, g in scored.groupby("coder", sort=True)] + [("all coders", scored)]
    for coder, group in groups:
        by_item = group.groupby("item", sort=True)
        for measure, column in measures:
            sums = by_item[column].sum().to_numpy(dtype=float)
            counts = by_item[column].count().to_numpy(dtype=float)
            num, den = resampled_sums([sums, counts], n_boot, rng)
            low, high = percentile_interval(num / den, level)
            rows.append(
                {
                    "test": kind,
                    "coder": coder,
                    "measure": measure,
                    "estimate": float(sums.sum() / counts.sum()),
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "n_items": len(sums),
                    "n_answers": int(counts.sum()),
                }
            )
    return pd.DataFrame(rows)


def intrusion_tests(
    topic_word: np.ndarray,
    vocabulary: Sequence[str],
    doc_topic: np.ndarray,
    units: pd.DataFrame,
    labels: dict[int, str],
    n_items: int,
    seed: int,
    texts: Callable[[list[int]], list[str]] | None = None,
) -> dict[str, IntrusionTest]:
    """The run's tests: word intrusion always, topic intrusion when K >= 4 (`texts` as in
    `topic_intrusion_test`)."""
    tests = {"word": word_intrusion_test(topic_word, vocabulary, seed)}
    if doc_topic.shape[1] >= TOPIC_OPTIONS and n_items > 0:
        tests["topic"] = topic_intrusion_test(
            doc_topic, units, labels, n_items, seed + 1, texts=texts
        )
    return tests


def coded_intrusion_scores(
    tests: dict[str, IntrusionTest],
    coded_files: Sequence[str | Path],
    n_boot: int,
    seed: int,
    level: float = 0.95,
) -> pd.DataFrame:
    """Scores of every filled sheet in `coded_files` (a sheet with a text column is a
    topic-intrusion sheet), per test and coder and overall; empty without files."""
    answers: dict[str, list[pd.DataFrame]] = {}
    for path in (project_path(p) for p in coded_files):
        header = pd.read_csv(path, nrows=0).columns if Path(path).is_file() else []
        kind = "topic" if "text" in header else "word"
        if kind not in tests:
            raise InputError(
                f"{path}: a topic-intrusion sheet, but this run has no such test (K < 4)"
            )
        answers.setdefault(kind, []).append(read_coded_sheet(path, tests[kind]))
    parts = []
    for kind, frames in answers.items():
        coded = pd.concat(frames, ignore_index=True)
        if len(coded):
            parts.append(
                intrusion_scores(score_answers(coded, tests[kind]), kind, n_boot, seed, level)
            )
    columns = list(SCORES_SCHEMA["columns"])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def intrusion_note(scores: pd.DataFrame, coded_files: Sequence[str]) -> str:
    """Markdown: how to use the sheets, or what the coders' answers say."""
    if scores.empty:
        return (
            "**Validation by people.** No coded sheet is named yet. Give a copy of each sheet "
            "(`topics-word-intrusion`, `topics-topic-intrusion`) to a coder, without the key "
            "files; have them write the number of the odd option in `answer`; name the filled "
            "files in `topics.intrusion_coded_files` and run again with the same parameters."
        )
    lines = [f"**Validation by people** ({len(coded_files)} coded sheet(s)):"]
    for row in scores.itertuples(index=False):
        lines.append(
            f"- {row.test} intrusion, {row.coder}: {row.measure.replace('_', ' ')} "
            f"{row.estimate:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}] ({row.n_answers} answers)"
        )
    lines.append(
        "Chance is 1/6 (word) and 1/4 (topic) for precision; log odds near 0 mean coders "
        "agree with the model about which topics a text contains."
    )
    return "\n".join(lines)


def sheet_schema(test: IntrusionTest) -> dict:
    """Schema (description, columns) of a test's coder sheet."""
    what = "words of one topic" if test.kind == "word" else "topics of one text"
    columns = {"item": "item id", "text": "the unit's text (shortened)"}
    columns.update(
        {
            c: f"option {c.split('_')[1]}: one of the {what}, or the intruder"
            for c in test.sheet.columns
            if c.startswith("option_")
        }
    )
    columns.update(
        {
            "answer": "to fill in: number of the option that does not belong",
            "coder": "to fill in: coder name (default: the file name)",
        }
    )
    return {
        "description": f"{test.kind.capitalize()}-intrusion sheet for a coder: which option does "
        "not belong? The answers are in the separate key; do not show it to coders.",
        "columns": {c: columns[c] for c in test.sheet.columns},
    }


def key_schema(test: IntrusionTest) -> dict:
    """Schema (description, columns) of a test's answer key."""
    columns = {
        "item": "item id",
        "topic": "topic tested (0..K-1)",
        "segment_id": "unit shown",
        "intruder": "number of the intruding option",
        "intruder_term": "the intruding word",
    }
    for c in test.key.columns:
        if c.startswith("theta_"):
            columns[c] = f"proportion of option {c.split('_')[1]}'s topic in the unit"
        elif c.startswith("topic_"):
            columns[c] = f"topic id of option {c.split('_')[1]}"
    return {
        "description": f"Answer key of the {test.kind}-intrusion sheet (keep it from coders).",
        "columns": {c: columns[c] for c in test.key.columns},
    }


SCORES_SCHEMA = {
    "description": "Human validation of the topics: model precision (share of answers that "
    "found the intruding word or topic) and topic log odds, per coder and overall, with "
    "bootstrap intervals over items.",
    "columns": {
        "test": "word or topic intrusion",
        "coder": "coder (or all coders pooled)",
        "measure": "model_precision or topic_log_odds",
        "estimate": "share correct, or mean log odds (0 = perfect, negative = worse)",
        "ci_low": "2.5% bootstrap percentile over items",
        "ci_high": "97.5% bootstrap percentile over items",
        "n_items": "items answered",
        "n_answers": "answers counted",
    },
}
