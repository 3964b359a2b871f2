"""The quotation extractor scored against the hand gold standard of the seed texts."""

import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.core.params import build_params
from analysis.core.paths import PROJECT_ROOT, RESOURCES
from analysis.corpus.prepare import partitioned_corpus
from analysis.framing.actors import load_actor_gazetteer
from analysis.framing.quotation_scoring import (
    SEED_GOLD_FILE,
    match_quotations,
    quotation_scores,
    read_gold_quotations,
    score_extractor,
    span_overlap,
    voices_sheet,
)
from analysis.framing.quotations import quoted_voices


def _gold(rows):
    return pd.DataFrame(rows, columns=["doc_id", "kind", "actor", "camp", "anonymous", "quote"])


def _found(rows):
    return pd.DataFrame(rows, columns=["doc_id", "kind", "actor", "camp", "anonymous",
                                       "statement"])  # fmt: skip


def test_span_overlap_counts_words_of_the_shorter_span():
    assert span_overlap("the talks failed", "Mills said the talks failed today.") == 1.0
    assert span_overlap("a b c d", "a b x y z") == 0.5
    assert span_overlap("", "anything") == 0.0


def test_scores_by_hand():
    gold = _gold([
        ("d", "direct", "mills", "United States", 0, "We will resume engagement"),
        ("d", "reported", "", "Israel", 1, "Israel will refuse to work with the UN"),
        ("d", "reported", "lavrov", "Russia", 0, "Russia supports the initiative"),
    ])  # fmt: skip
    found = _found([
        ("d", "direct", "mills", "United States", 0, "We will resume engagement"),
        ("d", "reported", "", "Israel", 0,
         "An official said Israel will refuse to work with the UN"),
        ("d", "reported", "un", "United Nations", 0, "The weather was fine"),
        ("e", "reported", "", "Unidentified", 1, "Something in another document"),
    ])  # fmt: skip
    scores = quotation_scores(gold, found).set_index("doc_id")
    overall = scores.loc["(all)"]
    assert (overall["gold"], overall["found"], overall["matched"]) == (3, 4, 2)
    assert overall["quote_precision"] == pytest.approx(2 / 4)
    assert overall["quote_recall"] == pytest.approx(2 / 3)
    assert overall["quote_f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert overall["speaker_accuracy"] == 1.0  # mills by id; the official by camp
    assert overall["anonymous_recall"] == 0.0 and pd.isna(overall["anonymous_precision"])
    assert scores.loc["e", "quote_f1"] == 0.0  # nothing matched: F1 is 0, not empty
    matches = match_quotations(gold, found)
    assert sorted(matches.loc[matches["gold_row"] == -1, "found_row"]) == [2, 3]


def test_one_to_one_matching_prefers_the_best_overlap():
    gold = _gold([("d", "direct", "", "X", 0, "peace now"), ("d", "direct", "", "X", 0,
                  "peace now and forever")])  # fmt: skip
    found = _found([("d", "direct", "", "X", 0, "peace now and forever")])
    matches = match_quotations(gold, found)
    assert matches.loc[matches["found_row"] == 0, "gold_row"].tolist() == [1]


def test_a_bad_annotation_file_is_an_input_error(tmp_path):
    path = tmp_path / "coded.csv"
    path.write_text("doc_id,kind,actor,camp,anonymous,quote\nd,quoted,,X,1,words\n")
    with pytest.raises(InputError, match=r"line 2: kind = 'quoted'"):
        read_gold_quotations(path)
    with pytest.raises(InputError, match="missing column"):
        path.write_text("doc_id,quote\nd,words\n")
        read_gold_quotations(path)


@pytest.fixture(scope="module")
def seed_voices(tmp_path_factory):
    params = build_params({"run": {"cache_dir": str(tmp_path_factory.mktemp("cache"))}})
    corpus = partitioned_corpus(params).in_memory()
    return quoted_voices(corpus.segments, load_actor_gazetteer(RESOURCES / "actors.yaml"))


def test_the_extractor_meets_its_targets_on_the_seed_gold_standard(seed_voices):
    gold = read_gold_quotations(SEED_GOLD_FILE)
    assert len(gold) == 55 and set(gold["kind"]) == {"direct", "reported"}
    overall = quotation_scores(gold, seed_voices.attributions).iloc[-1]
    assert overall["quote_f1"] >= 0.85
    assert overall["speaker_accuracy"] >= 0.85
    assert overall["anonymous_precision"] >= 0.9 and overall["anonymous_recall"] >= 0.9


def test_the_gold_spans_are_in_the_seed_texts():
    gold = read_gold_quotations(SEED_GOLD_FILE)
    manifest = pd.read_csv(PROJECT_ROOT / "seeds" / "manifest.csv", dtype=str)
    files = dict(zip(manifest["doc_id"], manifest["file"], strict=True))
    for row in gold.itertuples():
        text = (PROJECT_ROOT / "seeds" / files[row.doc_id]).read_text(encoding="utf-8")
        assert " ".join(row.quote.split()) in " ".join(text.split()), row.gold_id


def test_a_researchers_sheet_round_trips_into_the_scores(seed_voices, tmp_path):
    sheet = voices_sheet(seed_voices.attributions)
    path = tmp_path / "coded_quotes.csv"
    sheet.to_csv(path, index=False)
    scored = score_extractor(seed_voices.attributions, str(path))
    overall = scored.scores.iloc[-1]
    assert overall["quote_f1"] == 1.0 and overall["speaker_accuracy"] == 1.0
    assert "precision 1.00" in scored.note
    assert score_extractor(seed_voices.attributions, "").scores.empty


def test_seed_scores_file_equals_a_fresh_scoring(seed_voices):
    from analysis.framing.quotation_scoring import SEED_SCORES_FILE, seed_scores_record

    scores = quotation_scores(read_gold_quotations(SEED_GOLD_FILE), seed_voices.attributions)
    assert SEED_SCORES_FILE.read_text(encoding="utf-8") == seed_scores_record(scores), (
        "rerun benchmarks/measures_benchmark.py to update seed_scores.json"
    )


def _errors(accuracy, precision):
    from analysis.framing.quotation_scoring import ExtractorScores

    return ExtractorScores(pd.DataFrame(), pd.DataFrame(), "", accuracy, precision, "test")


def test_voice_intervals_widen_with_the_extractor_error():
    from analysis.framing.quotation_scoring import voice_share_intervals

    table = pd.DataFrame({"group": ["A"] * 20 + ["B"] * 5,
                          "camp": ["X"] * 15 + ["Y"] * 5 + ["X"] * 5})  # fmt: skip
    exact = voice_share_intervals(table, _errors(1.0, 1.0), 2000, 3).set_index(["group", "camp"])
    noisy = voice_share_intervals(table, _errors(0.6, 0.8), 2000, 3).set_index(["group", "camp"])
    assert exact.loc[("A", "X"), "share"] == 0.75 and exact.loc[("A", "X"), "voices"] == 15
    assert (exact.loc[("B", "X"), "ci_low"], exact.loc[("B", "X"), "ci_high"]) == (1.0, 1.0)
    # resampling only: about 0.75 +- 1.96 sqrt(0.75 * 0.25 / 20) = [0.56, 0.94]
    assert exact.loc[("A", "X"), "ci_low"] == pytest.approx(0.55, abs=0.06)
    assert exact.loc[("A", "X"), "ci_high"] == pytest.approx(0.95, abs=0.06)
    width = lambda t: t.loc[("A", "X"), "ci_high"] - t.loc[("A", "X"), "ci_low"]  # noqa: E731
    assert width(noisy) > width(exact)
    again = voice_share_intervals(table, _errors(0.6, 0.8), 2000, 3).set_index(["group", "camp"])
    pd.testing.assert_frame_equal(again, noisy)
