"""What the corpus holds, before any analysis: size per group, lengths, dates, cleaning.

These tables answer the first question a reviewer asks ("how much text, from whom, when,
and what did you throw away?") and back the figures of the corpus notebook.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.corpus.prepare import PartitionedCorpus


@dataclass(frozen=True)
class CorpusOverview:
    """What the corpus figures need, without the texts: the document table, one light row
    per unit (ids, group, words, content tokens), cleaning records and rejections."""

    documents: pd.DataFrame
    units: pd.DataFrame
    rejected: pd.DataFrame
    cleaning_report: pd.DataFrame
    cleaning_steps: pd.DataFrame
    fingerprint: str
    group_by: str

    @property
    def groups(self) -> list[str]:
        return sorted(self.documents["group"].unique())


def corpus_overview(corpus: PartitionedCorpus) -> CorpusOverview:
    """The overview of a prepared corpus, from its light tables (no text is read)."""
    return CorpusOverview(
        documents=corpus.documents().drop(columns=["chars_raw", "chars_removed"]),
        units=corpus.units(),
        rejected=corpus.rejected,
        cleaning_report=corpus.cleaning_report(),
        cleaning_steps=corpus.cleaning_steps(),
        fingerprint=corpus.fingerprint,
        group_by=corpus.group_by,
    )


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


def document_table(prepared: CorpusOverview) -> pd.DataFrame:
    """One row per analysed document with its size and number of segments."""
    docs = prepared.documents.copy()
    counts = prepared.units.groupby("doc_id").size()
    docs["n_segments"] = docs["doc_id"].map(counts).fillna(0).astype(int)
    for column in ("title", "date", "date_precision"):
        if column not in docs.columns:
            docs[column] = ""
    docs = docs[list(DOCUMENT_TABLE_COLUMNS)]
    return docs.sort_values(["group", "doc_id"], kind="stable").reset_index(drop=True)


def group_summary(prepared: CorpusOverview) -> pd.DataFrame:
    """Documents, segments, words and kept tokens per group; rejected documents counted too."""
    docs = prepared.documents
    units = prepared.units
    summary = pd.DataFrame(
        {
            "documents": docs.groupby("group").size(),
            "segments": units.groupby("group").size(),
            "words": docs.groupby("group")["n_words"].sum(),
            "vocabulary_tokens": units.groupby("group")["n_tokens"].sum(),
        }
    )
    summary = summary.fillna(0).astype(int).reset_index(names="group")
    summary = summary[list(GROUP_SUMMARY_COLUMNS)]
    return summary.sort_values("group", kind="stable").reset_index(drop=True)


def accounting(prepared: CorpusOverview) -> dict[str, int]:
    """Documents in = analysed + rejected: the counts every run reports."""
    analysed = len(prepared.documents)
    rejected = len(prepared.rejected)
    return {"documents_in": analysed + rejected, "analysed": analysed, "rejected": rejected}


def segment_lengths(prepared: CorpusOverview) -> pd.DataFrame:
    """Words per segment, with group: the distribution behind every per-unit statistic."""
    return prepared.units[["segment_id", "group", "n_words", "n_tokens"]]


def dated_documents(prepared: CorpusOverview) -> pd.DataFrame:
    """Documents with a date, as a start and end day that spans the date's precision."""
    docs = prepared.documents[prepared.documents["date"] != ""]
    rows = []
    for doc in docs.itertuples(index=False):
        start = pd.Timestamp(_pad(doc.date))
        precision = doc.date_precision if doc.date_precision != "unknown" else "day"
        end = {
            "day": start,
            "month": start + pd.offsets.MonthEnd(0),
            "year": start + pd.offsets.YearEnd(0),
        }.get(precision, start)
        rows.append({"doc_id": doc.doc_id, "group": doc.group, "start": start, "end": end,
                     "precision": precision})  # fmt: skip
    return pd.DataFrame(rows, columns=["doc_id", "group", "start", "end", "precision"])


def _pad(date: str) -> str:
    parts = date.split("-")
    return "-".join(parts + ["01"] * (3 - len(parts)))


def cleaning_by_rule(prepared: CorpusOverview) -> pd.DataFrame:
    """Per group and cleaning step: matches, characters removed and their share of the raw
    text (normalisation steps change characters without removing them)."""
    report = prepared.cleaning_report.groupby("group")["chars_raw"].sum()
    steps = prepared.cleaning_steps.merge(
        prepared.documents[["doc_id", "group"]], on="doc_id", how="inner"
    )
    table = steps.groupby(["group", "step"], as_index=False)[["matches", "chars_removed"]].sum()
    raw_chars = table["group"].map(report).astype("float64")
    table["percent_removed"] = 100 * table["chars_removed"].astype("float64") / raw_chars
    return table.sort_values(["group", "step"], kind="stable").reset_index(drop=True)


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
    groups = prepared.documents.groupby("group").size()
    singles = sorted(groups[groups == 1].index)
    text = (
        f"**{counts['documents_in']} documents in: {counts['analysed']} analysed, "
        f"{counts['rejected']} rejected**, in {len(groups)} groups by `{prepared.group_by}`, "
        f"cut into {len(prepared.units)} segments; corpus fingerprint "
        f"`{prepared.fingerprint[:12]}`."
    )
    if singles:
        text += (
            f" Groups with a single document ({', '.join(singles)}): every statement about "
            "them is a statement about that one text."
        )
    return text


def undated_count(prepared: CorpusOverview) -> int:
    """Documents without a date."""
    return int((prepared.documents["date"] == "").sum())


def composition_caption(prepared: CorpusOverview) -> str:
    counts = accounting(prepared)
    return (
        f"Documents, segments ({_unit_name(prepared)}) and words per group "
        f"({prepared.group_by}); {counts['analysed']} documents analysed, "
        f"{counts['rejected']} rejected."
    )


def length_caption(prepared: CorpusOverview, level: str) -> str:
    what = _unit_name(prepared) if level == "segment" else "documents"
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


def timeline_caption(prepared: CorpusOverview) -> str:
    undated = undated_count(prepared)
    period = timeline_period(dated_documents(prepared))
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
        f"(rules: {len(prepared.cleaning_steps['step'].unique())} steps fired)."
    )


def _unit_name(prepared: CorpusOverview) -> str:
    ids = prepared.units["segment_id"]
    letter = ids.iloc[0].rsplit(":", 1)[-1][:1] if len(ids) else "p"
    return {"d": "whole documents", "p": "paragraphs", "s": "sentence windows"}[letter]
