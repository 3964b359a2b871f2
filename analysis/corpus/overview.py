"""What the corpus holds, before any analysis: size per group, lengths, dates, cleaning.

These tables answer the first question a reviewer asks ("how much text, from whom, when,
and what did you throw away?") and back the figures of the corpus notebook. The overview
reads the prepared corpus's light tables part by part and keeps what grows with the groups
(sums per group and cleaning step) and, per unit and document, only numbers (lengths,
dates): a million documents take tens of MiB. The per-document tables themselves are
written part by part (`document_table`, `cleaning_report_table`: `TableParts`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from analysis.core.table_parts import TableParts
from analysis.corpus.prepare import PartitionedCorpus


@dataclass(frozen=True)
class CorpusOverview:
    """What the corpus figures need, in memory that grows with the groups, not the texts:
    the group summary, the words (and content tokens) of every unit and document with its
    group, the dates of the dated documents, and the cleaning per group and step."""

    corpus: PartitionedCorpus
    summary: pd.DataFrame
    unit_lengths: pd.DataFrame
    document_lengths: pd.DataFrame
    dated: pd.DataFrame
    undated: int
    cleaning: pd.DataFrame
    steps_fired: int
    unit_name: str

    @property
    def groups(self) -> list[str]:
        return list(self.summary["group"])

    @property
    def fingerprint(self) -> str:
        return self.corpus.fingerprint

    @property
    def group_by(self) -> str:
        return self.corpus.group_by

    @property
    def rejected(self) -> pd.DataFrame:
        return self.corpus.rejected


DOCUMENT_READ = ["doc_id", "group", "date", "date_precision", "n_words"]
UNIT_READ = ["segment_id", "group", "n_words", "n_tokens"]
SUM_COLUMNS = ["documents", "segments", "words", "vocabulary_tokens", "chars_raw"]
CLEANING_COLUMNS = ["group", "step", "matches", "chars_removed", "percent_removed"]
PRECISIONS = ("day", "month", "year")


def corpus_overview(corpus: PartitionedCorpus) -> CorpusOverview:
    """The overview of a prepared corpus, from its light tables read part by part (no text
    is read, no table of the whole corpus is held)."""
    fold = _OverviewFold(corpus)
    parts = tqdm(corpus.parts, desc="overview", unit=" partitions", mininterval=1.0,
                 disable=len(corpus.parts) < 2)  # fmt: skip
    for part in parts:
        fold.add(corpus, part)
    return fold.overview(corpus)


class _OverviewFold:
    """The overview's totals, filled part by part: sums per group and cleaning step, and
    the per-unit and per-document numbers in arrays allocated once for the whole corpus
    (a million documents then leave no heap of per-part frames behind)."""

    def __init__(self, corpus: PartitionedCorpus) -> None:
        n_units, n_docs = corpus.n_segments, corpus.n_documents  # the rows of the parts
        self.codes: dict[str, int] = {}
        self.units = _Columns(n_units, group="int32", n_words="int32", n_tokens="int32")
        self.documents = _Columns(n_docs, group="int32", n_words="int32")
        self.dated = _Columns(
            n_docs, group="int32", start="datetime64[s]", end="datetime64[s]", precision="int8"
        )
        self.sums: dict[str, np.ndarray] = {}
        self.cleaning: dict[tuple[str, str], np.ndarray] = {}
        self.steps: set[str] = set()
        self.first_unit = ""

    def add(self, corpus: PartitionedCorpus, part: str) -> None:
        docs = corpus.part_table("documents", part, DOCUMENT_READ)
        units = corpus.part_table("units", part, UNIT_READ)
        report = corpus.part_table("cleaning", part, ["group", "chars_raw"])
        steps = corpus.part_table("steps", part, ["doc_id", "step", "matches", "chars_removed"])
        self._add_sums(docs, units, report)
        self._add_cleaning(steps, docs)
        self.units.put(group=self._codes(units["group"]), n_words=units["n_words"],
                       n_tokens=units["n_tokens"])  # fmt: skip
        self.documents.put(group=self._codes(docs["group"]), n_words=docs["n_words"])
        dated = docs[docs["date"] != ""]
        start, end, precision = _date_spans(dated["date"], dated["date_precision"])
        self.dated.put(group=self._codes(dated["group"]), start=start, end=end,
                       precision=precision)  # fmt: skip
        if not self.first_unit and len(units):
            self.first_unit = str(units["segment_id"].iloc[0])

    def _codes(self, groups: pd.Series) -> np.ndarray:
        for group in groups.unique():
            self.codes.setdefault(str(group), len(self.codes))
        return groups.astype(str).map(self.codes).to_numpy(np.int32)

    def _add_sums(self, docs: pd.DataFrame, units: pd.DataFrame, report: pd.DataFrame) -> None:
        sums = pd.DataFrame(
            {
                "documents": docs.groupby("group").size(),
                "segments": units.groupby("group").size(),
                "words": docs.groupby("group")["n_words"].sum(),
                "vocabulary_tokens": units.groupby("group")["n_tokens"].sum(),
                "chars_raw": report.groupby("group")["chars_raw"].sum(),
            }
        )
        for group, row in sums.fillna(0).astype("int64").iterrows():
            self.sums[str(group)] = self.sums.get(str(group), 0) + row[SUM_COLUMNS].to_numpy()

    def _add_cleaning(self, steps: pd.DataFrame, docs: pd.DataFrame) -> None:
        self.steps.update(steps["step"].astype(str))
        steps = steps.merge(docs[["doc_id", "group"]], on="doc_id", how="inner")
        sums = steps.groupby(["group", "step"])[["matches", "chars_removed"]].sum()
        for (group, step), row in sums.astype("int64").iterrows():
            key = (str(group), str(step))
            self.cleaning[key] = self.cleaning.get(key, 0) + row.to_numpy()

    def overview(self, corpus: PartitionedCorpus) -> CorpusOverview:
        names = sorted(self.codes)
        recode = np.zeros(len(self.codes), np.int32)
        for position, name in enumerate(names):
            recode[self.codes[name]] = position
        dated = self.dated.frame(names, recode)
        dated["precision"] = pd.Categorical.from_codes(dated["precision"], PRECISIONS)
        return CorpusOverview(
            corpus=corpus,
            summary=_group_summary(self.sums),
            unit_lengths=self.units.frame(names, recode),
            document_lengths=self.documents.frame(names, recode),
            dated=dated,
            undated=self.documents.filled - self.dated.filled,
            cleaning=_cleaning_by_rule(self.cleaning, self.sums),
            steps_fired=len(self.steps),
            unit_name=_unit_name(self.first_unit),
        )


class _Columns:
    """Numeric columns of a known most rows, filled in order."""

    def __init__(self, rows: int, **dtypes: str) -> None:
        self.arrays = {name: np.empty(rows, dtype) for name, dtype in dtypes.items()}
        self.filled = 0

    def put(self, **values: pd.Series | np.ndarray) -> None:
        n = len(next(iter(values.values())))
        for name, column in values.items():
            self.arrays[name][self.filled : self.filled + n] = np.asarray(column)
        self.filled += n

    def frame(self, groups: list[str], recode: np.ndarray) -> pd.DataFrame:
        """The filled rows; `group` as a categorical of the sorted group names."""
        columns = {name: array[: self.filled] for name, array in self.arrays.items()}
        columns["group"] = pd.Categorical.from_codes(recode[columns["group"]], groups)
        return pd.DataFrame(columns, copy=False)


def _date_spans(dates: pd.Series, precisions: pd.Series) -> tuple[pd.Series, ...]:
    """Start and end day of each date that span its precision (an unknown one: the day),
    and the precision's code in `PRECISIONS`."""
    dashes = dates.str.count("-").to_numpy()
    padding = np.select([dashes == 0, dashes == 1], ["-01-01", "-01"], "")
    start = pd.to_datetime(dates + padding, format="%Y-%m-%d")
    precision = precisions.where(precisions != "unknown", "day")
    end = start.where(precision != "month", start + pd.offsets.MonthEnd(0))
    end = end.where(precision != "year", start + pd.offsets.YearEnd(0))
    return start, end, pd.Categorical(precision, PRECISIONS).codes


REJECTED_COLUMNS = {
    "location": "file or row the document came from",
    "doc_id": "document id (as far as it could be read)",
    "reason": "why it could not be analysed, and what to do",
}
CLEANING_REPORT_COLUMNS = {
    "doc_id": "document id",
    "group": "comparison group",
    "chars_raw": "characters in the raw file (after decoding)",
    "chars_removed": "characters removed by cleaning",
    "chars_remaining": "characters left for analysis",
    "removed": "each cleaning step that changed the text: matches and characters removed",
}
DOCUMENT_TABLE_COLUMNS = {
    "doc_id": "document id",
    "group": "comparison group (corpus.group_by)",
    "title": "short title, where the corpus gives one",
    "date": "date as far as known (ISO 8601, partial)",
    "date_precision": "precision of the date: day, month, year or unknown",
    "n_words": "words in the cleaned text",
    "n_chars": "characters in the cleaned text",
    "n_segments": "segments (units of analysis) cut from the document",
}
GROUP_SUMMARY_COLUMNS = {
    "group": "comparison group (corpus.group_by)",
    "documents": "documents analysed",
    "segments": "segments (units of analysis)",
    "words": "words in the cleaned texts",
    "vocabulary_tokens": "content tokens (stop words removed; before the topic model's pruning)",
}


def document_table(prepared: CorpusOverview) -> TableParts:
    """One row per analysed document with its size and number of segments, in corpus
    order, read part by part (a table that grows with the corpus)."""
    corpus = prepared.corpus

    def frames() -> Iterator[pd.DataFrame]:
        for part in corpus.parts:
            docs = corpus.part_table("documents", part)
            units = corpus.part_table("units", part, ["doc_id"])
            yield _document_rows(docs, units["doc_id"].value_counts())

    return TableParts(frames, pd.DataFrame({c: [] for c in DOCUMENT_TABLE_COLUMNS}))


def _document_rows(docs: pd.DataFrame, segments: pd.Series) -> pd.DataFrame:
    docs = docs.assign(n_segments=docs["doc_id"].map(segments).fillna(0).astype("int64"))
    for column in ("title", "date", "date_precision"):
        if column not in docs.columns:
            docs[column] = ""
    return docs[list(DOCUMENT_TABLE_COLUMNS)]


def cleaning_report_table(prepared: CorpusOverview) -> TableParts:
    """The cleaning report (`CLEANING_REPORT_COLUMNS`), one row per document, part by part."""
    parts = prepared.corpus.iter_table
    return TableParts(
        lambda: parts("cleaning", list(CLEANING_REPORT_COLUMNS)),
        pd.DataFrame({c: [] for c in CLEANING_REPORT_COLUMNS}),
    )


def _group_summary(sums: dict[str, np.ndarray]) -> pd.DataFrame:
    """`GROUP_SUMMARY_COLUMNS` per group that has analysed documents (not a group whose
    documents cleaning emptied: those count only in the raw characters)."""
    table = pd.DataFrame.from_dict(sums, orient="index", columns=SUM_COLUMNS, dtype="int64")
    table = table[table["documents"] > 0].reset_index(names="group")
    table = table[list(GROUP_SUMMARY_COLUMNS)].astype({"group": object})
    return table.sort_values("group", kind="stable").reset_index(drop=True)


def accounting(prepared: CorpusOverview) -> dict[str, int]:
    """Documents in = analysed + rejected: the counts every run reports."""
    analysed = int(prepared.summary["documents"].sum())
    rejected = len(prepared.rejected)
    return {"documents_in": analysed + rejected, "analysed": analysed, "rejected": rejected}


def _cleaning_by_rule(
    sums: dict[tuple[str, str], np.ndarray], group_sums: dict[str, np.ndarray]
) -> pd.DataFrame:
    """Per group and cleaning step: matches, characters removed and their share of the raw
    text (normalisation steps change characters without removing them)."""
    keys = sorted(sums)
    table = pd.DataFrame(
        {
            "group": pd.Series([g for g, _ in keys], dtype=object),
            "step": pd.Series([step for _, step in keys], dtype=object),
            "matches": pd.Series([int(sums[k][0]) for k in keys], dtype="int64"),
            "chars_removed": pd.Series([int(sums[k][1]) for k in keys], dtype="int64"),
        }
    )
    raw = table["group"].map(lambda g: group_sums[g][SUM_COLUMNS.index("chars_raw")])
    table["percent_removed"] = 100 * table["chars_removed"] / raw.astype("float64")
    return table


DOCUMENT_TABLE_SCHEMA = {
    "description": "Every analysed document: group, date and its precision, length, segments.",
    "columns": DOCUMENT_TABLE_COLUMNS,
}
GROUP_SUMMARY_SCHEMA = {
    "description": "Documents, segments, words and kept tokens per comparison group.",
    "columns": GROUP_SUMMARY_COLUMNS,
}
REJECTED_SCHEMA = {
    "description": "Documents that were read in but could not be analysed, with the reason.",
    "columns": REJECTED_COLUMNS,
}
CLEANING_REPORT_SCHEMA = {
    "description": "Per document: what each cleaning rule removed and how many characters remain.",
    "columns": CLEANING_REPORT_COLUMNS,
}


def accounting_note(prepared: CorpusOverview) -> str:
    """One sentence that makes the document count add up: in = analysed + rejected."""
    counts = accounting(prepared)
    groups = prepared.summary.set_index("group")["documents"]
    singles = sorted(groups[groups == 1].index)
    text = (
        f"**{counts['documents_in']} documents in: {counts['analysed']} analysed, "
        f"{counts['rejected']} rejected**, in {len(groups)} groups by `{prepared.group_by}`, "
        f"cut into {prepared.summary['segments'].sum()} segments; corpus fingerprint "
        f"`{prepared.fingerprint[:12]}`."
    )
    if singles:
        text += (
            f" Groups with a single document ({', '.join(singles)}): every statement about "
            "them is a statement about that one text."
        )
    return text


def composition_caption(prepared: CorpusOverview) -> str:
    counts = accounting(prepared)
    return (
        f"Documents, segments ({prepared.unit_name}) and words per group "
        f"({prepared.group_by}); {counts['analysed']} documents analysed, "
        f"{counts['rejected']} rejected."
    )


def length_caption(prepared: CorpusOverview, level: str) -> str:
    what = prepared.unit_name if level == "segment" else "documents"
    return (
        f"Words per {level} by group ({what}); each point is one {level}, boxes show the "
        "quartiles and median."
    )


# Above this many dated documents the timeline counts documents per period: one marker
# per document would merge into solid lines that read as month or year spans.
TIMELINE_MAX_MARKERS = 2000
# (period, pandas frequency of its bins, longest span in days drawn per that period)
TIMELINE_PERIODS = (("week", "W-MON", 2 * 366), ("month", "MS", 25 * 366), ("year", "YS", None))


def timeline_period(dated: pd.DataFrame) -> str:
    """The period the timeline counts documents per ('week', 'month' or 'year': at most
    about 100 weeks or 300 months), or '' when it draws each document."""
    if len(dated) <= TIMELINE_MAX_MARKERS:
        return ""
    days = (dated["end"].max() - dated["start"].min()).days
    return next(name for name, _, most in TIMELINE_PERIODS if most is None or days <= most)


def timeline_caption(dated: pd.DataFrame, undated: int) -> str:
    """What the timeline of `dated` (`CorpusOverview.dated`) draws, and what it leaves out."""
    period = timeline_period(dated)
    if period:
        coarser = {"week": "the month or year", "month": "the year"}.get(period)
        spread = (
            f" A date known only to {coarser} is spread evenly over its days." if coarser else ""
        )
        return (
            f"Documents per {period} by group (one row per group, same scale).{spread} "
            f"{undated} undated document(s) are not shown."
        )
    return (
        "Document dates by group; points are dates known to the day, bars span the month or "
        f"year when only that is known. {undated} undated document(s) are not shown."
    )


def cleaning_caption(prepared: CorpusOverview) -> str:
    return (
        "Characters removed by each cleaning step as a share of each group's raw text "
        f"(rules: {prepared.steps_fired} steps fired)."
    )


def _unit_name(segment_id: str) -> str:
    """What a unit is, from a segment id's last part ("doc:d0", "doc:p3", "doc:s12")."""
    letter = segment_id.rsplit(":", 1)[-1][:1] if segment_id else "p"
    return {"d": "whole documents", "p": "paragraphs", "s": "sentence windows"}[letter]
