"""Quoted voices of the partitioned corpus equal those of its segments; text tables capped."""

from __future__ import annotations

import pandas as pd

from analysis.core.params import build_params
from analysis.framing.actors import load_actor_gazetteer
from analysis.framing.corpus_voices import (
    CAPPED_ATTRIBUTION_SCHEMA,
    SPEAKER_COLUMNS,
    corpus_voices,
)
from analysis.framing.quotation_scoring import (
    SEED_GOLD_FILE,
    score_extractor,
    voice_share_intervals,
)
from analysis.framing.quotations import quoted_voices
from tests.framing.conftest import first_per


def _reference(seed_runs, seed_segments):
    gazetteer = load_actor_gazetteer(seed_runs["one"][1].framing.actors_file)
    return gazetteer, quoted_voices(seed_segments, gazetteer)


def test_voices_of_the_partitioned_corpus_equal_those_of_its_segments(seed_runs, seed_segments):
    gazetteer, reference = _reference(seed_runs, seed_segments)
    errors = score_extractor(reference.attributions, "")
    intervals = voice_share_intervals(reference.attributions, errors, 200, 3)
    for corpus, params in seed_runs.values():
        voices = corpus_voices(corpus, gazetteer, params)
        for name in ("attributions", "shares", "markers", "summary"):
            pd.testing.assert_frame_equal(getattr(voices, name), getattr(reference, name))
        pd.testing.assert_frame_equal(voices.speakers, reference.attributions[SPEAKER_COLUMNS])
        got = voice_share_intervals(voices.speakers, errors, 200, 3)
        pd.testing.assert_frame_equal(got, intervals)
        assert voices.scored.empty  # no annotated file, nothing to score


def test_the_extractor_is_scored_on_every_attribution_of_the_annotated_documents(
    seed_runs, seed_segments
):
    gazetteer, reference = _reference(seed_runs, seed_segments)
    expected = score_extractor(reference.attributions, str(SEED_GOLD_FILE))
    corpus, params = seed_runs["many"]
    scored = build_params(
        {
            "run": {"cache_dir": params.run.cache_dir, "batch_rows": 1,
                    "scheduler": "processes", "workers": 2},
            "framing": {"coded_quotes_file": str(SEED_GOLD_FILE), "evidence_rows": 1},
        }
    )  # fmt: skip
    voices = corpus_voices(corpus, gazetteer, scored)
    got = score_extractor(voices.scored, str(SEED_GOLD_FILE))
    assert expected.scores.iloc[-1]["gold"] > 0
    pd.testing.assert_frame_equal(got.scores, expected.scores)
    pd.testing.assert_frame_equal(got.matches, expected.matches)


def test_attributions_and_markers_keep_the_first_rows_per_group(
    seed_runs, seed_segments, capped_run
):
    gazetteer, reference = _reference(seed_runs, seed_segments)
    corpus, params = capped_run
    voices = corpus_voices(corpus, gazetteer, params)
    expected = first_per(reference.attributions, ["group"], 2)
    pd.testing.assert_frame_equal(voices.attributions, expected)
    pd.testing.assert_frame_equal(voices.markers, first_per(reference.markers, ["group"], 2))
    pd.testing.assert_frame_equal(voices.summary, reference.summary)  # every row counted
    pd.testing.assert_frame_equal(voices.shares, reference.shares)
    assert "framing.evidence_rows" in CAPPED_ATTRIBUTION_SCHEMA["description"]
