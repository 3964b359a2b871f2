"""Deductive frames: load a frame dictionary (YAML), find its terms in every unit, and keep
the evidence.

Every number downstream (salience, heatmaps, validation) is built from `frame_hits`, and
every hit carries the unit, the term that matched and its position, so `frame_evidence`
can show each one in context for a coder to audit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.params import Params
from analysis.core.paths import load_versioned_yaml, project_path
from analysis.corpus.kwic import WordIndex, span_contexts, word_index
from analysis.corpus.partition_map import reduce_segments
from analysis.corpus.patterns import MultiTermMatcher, TermError, TermMatcher, compile_terms
from analysis.corpus.prepare import PartitionedCorpus
from analysis.corpus.tokens import count_words
from analysis.corpus.validate import require_columns
from analysis.framing.partials import CAPPED_NOTE, CappedTable, first_rows, join_partials

UNIT_COLUMNS = ("segment_id", "doc_id", "group", "text")
FRAME_KINDS = ("generic", "domain")

HIT_COLUMNS = {
    "segment_id": "unit (segment) id",
    "doc_id": "document id",
    "group": "comparison group (source)",
    "frame": "frame id from the frame dictionary",
    "term": "dictionary term (pattern) that matched",
    "matched": "text that matched, as written in the unit",
    "start": "character offset of the match in the unit text",
    "end": "character offset just after the match",
}
EVIDENCE_COLUMNS = {
    **{k: HIT_COLUMNS[k] for k in ("segment_id", "doc_id", "group", "frame", "term")},
    "left": "up to 60 characters of text before the match",
    "match": "the matched text",
    "right": "up to 60 characters of text after the match",
}
UNIT_FRAME_COLUMNS = {
    "segment_id": "unit (segment) id",
    "doc_id": "document id",
    "group": "comparison group (source)",
    "frame": "frame id from the frame dictionary",
    "hits": "number of matches of the frame's terms in the unit",
    "n_words": "running words in the unit (denominator of per_1000)",
    "per_1000": "hits per 1,000 running words",
    "present": "1 if the frame has at least one hit in the unit, else 0",
}


@dataclass(frozen=True)
class Frame:
    """One frame of a dictionary: its terms, where they come from, what it means."""

    frame_id: str
    label: str
    kind: str
    description: str
    source: str
    terms: tuple[str, ...]
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrameDictionary:
    """A versioned set of frames read from one YAML file."""

    version: str
    path: str
    frames: tuple[Frame, ...]

    @property
    def frame_ids(self) -> list[str]:
        return [f.frame_id for f in self.frames]

    def labels(self) -> dict[str, str]:
        """Frame id -> human-readable label (for figures)."""
        return {f.frame_id: f.label for f in self.frames}

    def table(self) -> pd.DataFrame:
        """One row per frame: frame, label, kind, n_terms, description, source, version."""
        return pd.DataFrame(
            [
                {
                    "frame": f.frame_id,
                    "label": f.label,
                    "kind": f.kind,
                    "n_terms": len(f.terms),
                    "terms": "; ".join(f.terms),
                    "description": f.description,
                    "source": f.source,
                    "version": self.version,
                }
                for f in self.frames
            ]
        )


DICTIONARY_COLUMNS = {
    "frame": "frame id",
    "label": "frame label used in figures",
    "kind": "generic (Semetko & Valkenburg 2000) or domain frame",
    "n_terms": "number of terms (patterns) in the frame",
    "terms": "the frame's terms, separated by '; ' (trailing * = stem)",
    "description": "what the frame means",
    "source": "where the frame's terms come from",
    "version": "version of the frame dictionary file",
}


def load_frame_dictionary(path: str | Path) -> FrameDictionary:
    """Read and validate a frame dictionary YAML (see analysis/resources/frames.yaml)."""
    path = project_path(path)
    raw = load_versioned_yaml(path, "frames", "frame dictionary", "params.framing.frames_file")
    frames = tuple(_parse_frame(path, key, spec) for key, spec in raw["frames"].items())
    return FrameDictionary(version=str(raw["version"]), path=str(path), frames=frames)


def _parse_frame(path: Path, key: str, spec: object) -> Frame:
    where = f"{path}: frame {key!r}"
    if not isinstance(spec, dict):
        raise InputError(f"{where}: expected a mapping with terms, description and source")
    for field in ("description", "source"):
        if not str(spec.get(field) or "").strip():
            raise InputError(
                f"{where}: missing '{field}:' (say what it means / where terms come from)"
            )
    terms = spec.get("terms")
    if not isinstance(terms, list) or not terms:
        raise InputError(f"{where}: 'terms:' must be a non-empty list")
    kind = str(spec.get("kind", "domain"))
    if kind not in FRAME_KINDS:
        raise InputError(f"{where}: kind {kind!r} must be one of {list(FRAME_KINDS)}")
    exclude = spec.get("exclude") or []
    frame = Frame(
        frame_id=str(key),
        label=str(spec.get("label") or key),
        kind=kind,
        description=" ".join(str(spec["description"]).split()),
        source=" ".join(str(spec["source"]).split()),
        terms=tuple(str(t) for t in terms),
        exclude=tuple(str(t) for t in exclude),
    )
    try:
        frame_matcher(frame)
    except TermError as err:
        raise InputError(f"{where}: {err}") from None
    return frame


def frame_matcher(frame: Frame) -> TermMatcher:
    """One matcher for a frame's terms plus its exclusions (exclusions win when longer)."""
    return compile_terms(list(frame.terms) + list(frame.exclude))


def frame_hits(units: pd.DataFrame, dictionary: FrameDictionary) -> pd.DataFrame:
    """Every match of every frame in every unit (columns: HIT_COLUMNS), in unit order."""
    require_columns(units, UNIT_COLUMNS, "frame_hits(units)")
    frames = dictionary.frames
    matcher = MultiTermMatcher([frame_matcher(frame) for frame in frames])
    excluded = [set(frame.exclude) - set(frame.terms) for frame in frames]
    rows = []
    for seg, doc, group, text in units[list(UNIT_COLUMNS)].itertuples(index=False):
        for frame, skip, matches in zip(frames, excluded, matcher.find(text), strict=True):
            rows.extend(
                (seg, doc, group, frame.frame_id, m.term, m.matched, m.start, m.end)
                for m in matches
                if m.term not in skip
            )
    hits = pd.DataFrame(rows, columns=list(HIT_COLUMNS))
    order = {s: i for i, s in enumerate(units["segment_id"])}
    frame_order = {f: i for i, f in enumerate(dictionary.frame_ids)}
    keys = hits["segment_id"].map(order) * 10_000 + hits["frame"].map(frame_order)
    return (
        hits.assign(_k=keys)
        .sort_values(["_k", "start"], kind="stable")
        .drop(columns="_k")
        .reset_index(drop=True)
        .astype({"start": int, "end": int})
    )


def frame_evidence(
    units: pd.DataFrame,
    hits: pd.DataFrame,
    window: int = 10,
    indexes: Mapping[str, WordIndex] | None = None,
) -> pd.DataFrame:
    """Key word in context for every hit (EVIDENCE_COLUMNS): the audit trail of every figure
    (`indexes`: the `word_index` of each hit's unit by segment id, when already built)."""
    texts = dict(zip(units["segment_id"], units["text"].astype(str), strict=True))
    spans = hits[["segment_id", "start", "end"]].itertuples(index=False)
    contexts = span_contexts(texts, spans, window, indexes)
    evidence = hits[["segment_id", "doc_id", "group", "frame", "term"]].copy()
    evidence["left"] = [c[0] for c in contexts]
    evidence["match"] = [c[1] for c in contexts]
    evidence["right"] = [c[2] for c in contexts]
    return evidence.reset_index(drop=True)


def unit_frame_table(
    units: pd.DataFrame,
    hits: pd.DataFrame,
    dictionary: FrameDictionary,
    n_words: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One row per unit × frame (UNIT_FRAME_COLUMNS): hits, words, hits per 1,000, presence
    (`n_words`: each unit's `count_words`, when already counted)."""
    require_columns(units, UNIT_COLUMNS, "unit_frame_table(units)")
    base = units[["segment_id", "doc_id", "group"]].reset_index(drop=True)
    if n_words is None:
        n_words = [count_words(t) for t in units["text"].astype(str)]
    base["n_words"] = n_words
    frames = pd.DataFrame({"frame": dictionary.frame_ids})
    table = base.merge(frames, how="cross")
    counts = hits.groupby(["segment_id", "frame"]).size().rename("hits").reset_index()
    table = table.merge(counts, on=["segment_id", "frame"], how="left")
    table["hits"] = table["hits"].fillna(0).astype(int)
    words = table["n_words"].where(table["n_words"] > 0)
    table["per_1000"] = (1000.0 * table["hits"] / words).fillna(0.0)
    table["present"] = (table["hits"] > 0).astype(int)
    return table[list(UNIT_FRAME_COLUMNS)]


@dataclass(frozen=True)
class FrameCoding:
    """The dictionary and what it found: hits, evidence and the unit × frame table."""

    dictionary: FrameDictionary
    hits: pd.DataFrame
    evidence: pd.DataFrame
    units: pd.DataFrame


def code_frames(units: pd.DataFrame, frames_file: str | Path) -> FrameCoding:
    """Apply the frame dictionary in `frames_file` to every unit (one call per notebook step)."""
    dictionary = load_frame_dictionary(frames_file)
    hits = frame_hits(units, dictionary)
    return FrameCoding(
        dictionary=dictionary,
        hits=hits,
        evidence=frame_evidence(units, hits),
        units=unit_frame_table(units, hits, dictionary),
    )


def corpus_frames(corpus: PartitionedCorpus, params: Params) -> FrameCoding:
    """`code_frames` over the partitioned corpus, partition by partition on the scheduler:
    the unit × frame table whole; hits and evidence the first `framing.evidence_rows`
    per group and frame, in corpus order."""
    dictionary = load_frame_dictionary(params.framing.frames_file)
    context = (dictionary, params.framing.evidence_rows)
    parts = reduce_segments(
        corpus, partition_frames, join_partials, context, params, list(UNIT_COLUMNS),
        "frames",
    )  # fmt: skip
    return FrameCoding(dictionary, parts["hits"].rows, parts["evidence"].rows, parts["units"])


def partition_frames(units: pd.DataFrame, context: tuple[FrameDictionary, int]) -> dict:
    """One partition's unit × frame table and its capped hits and evidence."""
    dictionary, cap = context
    hits = frame_hits(units, dictionary)
    kept = first_rows(hits, ["group", "frame"], cap)
    units_text = list(zip(units["segment_id"], units["text"].astype(str), strict=True))
    shown = set(kept.rows["segment_id"])  # each unit with evidence is indexed once, and
    indexes = {seg: word_index(text) for seg, text in units_text if seg in shown}  # counted
    n_words = [len(indexes[s].starts) if s in indexes else count_words(t) for s, t in units_text]
    evidence = CappedTable(frame_evidence(units, kept.rows, indexes=indexes), kept.keys, cap)
    table = unit_frame_table(units, hits, dictionary, n_words)
    return {"hits": kept, "evidence": evidence, "units": table}


# Table schemas: the description and columns each table is saved with.
DICTIONARY_SCHEMA = {
    "description": (
        "The frame dictionary used in this run: one row per frame with its terms and their source."
    ),
    "columns": DICTIONARY_COLUMNS,
}

EVIDENCE_SCHEMA = {
    "description": (
        "Key word in context for every frame hit: unit, document, source, frame, matched "
        "term, left and right context." + CAPPED_NOTE.format(per="group and frame")
    ),
    "columns": EVIDENCE_COLUMNS,
}
