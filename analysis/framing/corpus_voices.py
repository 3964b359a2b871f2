"""Who speaks, over the partitioned corpus: `analysis.framing.quotations` run partition by
partition on the scheduler, with an ordered reduce.

Speakers are resolved within a document, and a document's units are all in one partition,
so every partition's attributions are those of the whole-corpus run. Shares, the summary and
the voice intervals are computed from the light table of every attribution (ids, group,
kind, actor, camp, anonymous); the tables with text (attributions, anonymity markers) keep
the first `framing.evidence_rows` rows per group, in corpus order; the extractor is scored
on every attribution of the documents of `framing.coded_quotes_file`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.core.params import Params
from analysis.corpus.partition_map import reduce_segments
from analysis.corpus.prepare import PartitionedCorpus
from analysis.framing.actors import ActorGazetteer
from analysis.framing.partials import CAPPED_NOTE, first_rows, join_partials
from analysis.framing.quotation_scoring import SHEET_SCHEMA, read_gold_quotations
from analysis.framing.quotations import (
    ATTRIBUTION_SCHEMA,
    MARKER_SCHEMA,
    anonymity_markers,
    attributions,
    sourcing_summary,
    voice_shares,
)

SPEAKER_COLUMNS = ["segment_id", "doc_id", "group", "kind", "actor", "camp", "anonymous",
                   "resolved"]  # fmt: skip


@dataclass(frozen=True)
class VoiceContext:
    """What each partition's task needs: the gazetteer, the cap, the annotated documents."""

    gazetteer: ActorGazetteer
    cap: int
    scored_docs: frozenset[str]


@dataclass(frozen=True)
class CorpusVoices:
    """`quotations.Voices` of the whole corpus: `attributions` and `markers` capped,
    `speakers` every attribution without text, `scored` every attribution (with text) of
    the annotated documents."""

    attributions: pd.DataFrame
    shares: pd.DataFrame
    markers: pd.DataFrame
    summary: pd.DataFrame
    speakers: pd.DataFrame
    scored: pd.DataFrame


def corpus_voices(
    corpus: PartitionedCorpus, gazetteer: ActorGazetteer, params: Params
) -> CorpusVoices:
    """Attributions, camp shares, anonymity markers and per-group summary of the corpus."""
    framing = params.framing
    context = VoiceContext(
        gazetteer, framing.evidence_rows, annotated_docs(framing.coded_quotes_file)
    )
    parts = reduce_segments(
        corpus, partition_voices, join_partials, context, params,
        ["segment_id", "doc_id", "group", "text"], "quoted voices",
    )  # fmt: skip
    speakers, markers = parts["speakers"], parts["marker_units"]
    return CorpusVoices(
        attributions=parts["attributions"].rows,
        shares=voice_shares(speakers),
        markers=parts["markers"].rows,
        summary=sourcing_summary(speakers, markers, corpus.groups),
        speakers=speakers,
        scored=parts["scored"],
    )


def annotated_docs(coded_quotes_file: str) -> frozenset[str]:
    """The documents of the annotated quotations file (none without a file)."""
    if not str(coded_quotes_file).strip():
        return frozenset()
    return frozenset(read_gold_quotations(coded_quotes_file)["doc_id"])


def partition_voices(units: pd.DataFrame, context: VoiceContext) -> dict:
    """One partition's attributions and markers: light rows of all, capped rows with text."""
    found = attributions(units, context.gazetteer)
    markers = anonymity_markers(units)
    return {
        "speakers": found[SPEAKER_COLUMNS],
        "attributions": first_rows(found, ["group"], context.cap),
        "scored": found[found["doc_id"].isin(context.scored_docs)].reset_index(drop=True),
        "marker_units": markers[["segment_id", "doc_id", "group"]],
        "markers": first_rows(markers, ["group"], context.cap),
    }


CAPPED_ATTRIBUTION_SCHEMA = {
    "description": ATTRIBUTION_SCHEMA["description"] + CAPPED_NOTE.format(per="group"),
    "columns": ATTRIBUTION_SCHEMA["columns"],
}
CAPPED_MARKER_SCHEMA = {
    "description": MARKER_SCHEMA["description"] + CAPPED_NOTE.format(per="group"),
    "columns": MARKER_SCHEMA["columns"],
}
CAPPED_SHEET_SCHEMA = {
    "description": SHEET_SCHEMA["description"] + CAPPED_NOTE.format(per="group"),
    "columns": SHEET_SCHEMA["columns"],
}
