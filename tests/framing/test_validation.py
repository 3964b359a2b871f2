"""Validation: Krippendorff's alpha against published values, P/R/F1 by hand, sampling."""

import numpy as np
import pandas as pd
import pytest

from analysis.framing.validation import (
    coding_sample,
    coding_template,
    dictionary_agreement,
    krippendorff_alpha_nominal,
    majority_codes,
    read_coded_sample,
    reliability_table,
    validate_dictionary,
)

N = np.nan


def test_alpha_wikipedia_example():
    # Wikipedia "Krippendorff's alpha", computational example (also sample.py of the
    # `krippendorff` package): 3 coders, 15 units, missing values; nominal alpha = 0.691.
    data = [
        [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
        [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
        [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4],
    ]
    assert krippendorff_alpha_nominal(data) == pytest.approx(0.691358, abs=1e-6)


def test_alpha_krippendorff_2011_examples():
    # Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability": section A, binary
    # data, two observers: alpha = 1 - 19 * 4 / (14 * 6) = 0.095.
    binary = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert krippendorff_alpha_nominal(binary) == pytest.approx(1 - 19 * 4 / (14 * 6))
    # Section C, nominal data, four observers, missing data: alpha = 0.743.
    four = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
    ]
    assert krippendorff_alpha_nominal(four) == pytest.approx(0.743, abs=5e-4)


def test_alpha_perfect_and_undefined():
    assert krippendorff_alpha_nominal([[0, 1, 1], [0, 1, 1]]) == 1.0
    assert np.isnan(krippendorff_alpha_nominal([[1, 1], [1, 1]]))  # a single category


def coded():
    # 4 units, one frame, 3 coders; the majority is 1, 1, 0, 0 (u4 unanimous 0).
    votes = {"u1": (1, 1, 0), "u2": (1, 1, 1), "u3": (0, 0, 1), "u4": (0, 0, 0)}
    rows = [
        (u, "f", coder, v) for u, vs in votes.items() for coder, v in zip("abc", vs, strict=True)
    ]
    return pd.DataFrame(rows, columns=["segment_id", "frame", "coder", "present"])


def dictionary_units():
    present = {"u1": 1, "u2": 0, "u3": 1, "u4": 0}  # TP u1, FN u2, FP u3, TN u4
    return pd.DataFrame(
        {"segment_id": list(present), "frame": "f", "present": list(present.values())}
    )


def test_precision_recall_f1_by_hand():
    table = dictionary_agreement(dictionary_units(), coded(), "majority")
    row = table[table["frame"] == "f"].iloc[0]
    assert (row["tp"], row["fp"], row["fn"], row["tn"]) == (1, 1, 1, 1)
    assert row["precision"] == 0.5 and row["recall"] == 0.5 and row["f1"] == 0.5
    per_coder = dictionary_agreement(dictionary_units(), coded(), "coder").set_index(
        ["reference", "frame"]
    )
    c = per_coder.loc[("c", "f")]  # coder c: 0, 1, 1, 0 -> TP u3, FP u1, FN u2, TN u4
    assert (c["tp"], c["fp"], c["fn"], c["tn"]) == (1, 1, 1, 1)


def test_majority_drops_ties():
    two = coded()[coded()["coder"] != "c"]
    two.loc[(two["segment_id"] == "u1") & (two["coder"] == "b"), "present"] = 0
    assert majority_codes(two)["segment_id"].tolist() == ["u2", "u3", "u4"]


def test_reliability_table_uses_the_coincidence_alpha():
    table = reliability_table(dictionary_units(), coded()).set_index("frame")
    matrix = coded().pivot(index="coder", columns="segment_id", values="present").to_numpy(float)
    assert table.loc["f", "alpha_coders"] == pytest.approx(krippendorff_alpha_nominal(matrix))
    pair = np.array([[1, 0, 1, 0], [1, 1, 0, 0]], dtype=float)  # dictionary, majority
    assert table.loc["f", "alpha_dictionary_majority"] == pytest.approx(
        krippendorff_alpha_nominal(pair)
    )


def test_read_coded_sample_validates_rows(tmp_path):
    path = tmp_path / "coded.csv"
    path.write_text("unit_id,frame,present,coder\nu1,f,yes,a\nu1,f,0,b\n", encoding="utf-8")
    table = read_coded_sample(path, ["f"], ["u1"])
    assert table["present"].tolist() == [1, 0]
    path.write_text("segment_id,frame,present,coder\nu1,f,maybe,a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2.*present"):
        read_coded_sample(path, ["f"])
    path.write_text("segment_id,frame,present,coder\nu1,g,1,a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown frame"):
        read_coded_sample(path, ["f"])


def test_validate_dictionary_from_file_and_without(tmp_path):
    empty = validate_dictionary(dictionary_units(), "", ["f"])
    assert empty.agreement.empty and "coded_sample_file" in empty.note
    path = tmp_path / "coded.csv"
    coded().to_csv(path, index=False)
    result = validate_dictionary(dictionary_units(), str(path), ["f"])
    assert "precision 0.50" in result.note


def test_stratified_sample_is_seeded_and_balanced():
    units = pd.DataFrame(
        {
            "segment_id": [f"s{i}" for i in range(30)],
            "doc_id": "d",
            "group": ["A"] * 20 + ["B"] * 10,
            "text": "t",
        }
    )
    unit_frames = pd.DataFrame(
        {"segment_id": units["segment_id"], "frame": "f", "present": [1, 0] * 15}
    )
    sample = coding_sample(units, unit_frames, 10, seed=3)
    assert sample.equals(coding_sample(units, unit_frames, 10, seed=3))
    assert sample["group"].value_counts().to_dict() == {"A": 5, "B": 5}
    assert set(sample["stratum"]) == {
        f"{g} | {s}" for g in "AB" for s in ("with hits", "without hits")
    }
    assert sample["segment_id"].is_unique
    sheet = coding_template(sample, ["f", "g"])
    assert len(sheet) == 20 and (sheet["present"] == "").all()


def test_coder_names_are_trimmed_and_case_folded(tmp_path):
    path = tmp_path / "coded.csv"
    path.write_text("segment_id,frame,present,coder\nu1,f,1,A \nu2,f,0,a\nu1,f,1,B\n")
    assert read_coded_sample(path, ["f"])["coder"].tolist() == ["a", "a", "b"]
    path.write_text("segment_id,frame,present,coder\nu1,f,1,A \nu1,f,0,a\n")
    with pytest.raises(ValueError, match="more than once"):
        read_coded_sample(path, ["f"])


def test_f1_is_zero_when_the_dictionary_finds_nothing():
    nothing = dictionary_units().assign(present=0)
    row = dictionary_agreement(nothing, coded(), "majority").iloc[0]
    assert row["tp"] == 0 and pd.isna(row["precision"]) and row["recall"] == 0.0
    assert row["f1"] == 0.0


def _two_coders(n_units=30, seed=5):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n_units)
    b = np.where(rng.random(n_units) < 0.3, 1 - truth, truth)  # coder b disagrees 30%
    rows = [(f"u{i}", "f", c, int(v)) for c, vs in (("a", truth), ("b", b))
            for i, v in enumerate(vs)]  # fmt: skip
    units = pd.DataFrame(
        {
            "segment_id": [f"u{i}" for i in range(n_units)],
            "frame": "f",
            "present": np.where(rng.random(n_units) < 0.2, 1 - truth, truth),
        }
    )
    return units, pd.DataFrame(rows, columns=["segment_id", "frame", "coder", "present"])


def test_validation_reports_per_coder_rows_dropped_items_and_intervals(tmp_path):
    units, two = _two_coders()
    path = tmp_path / "coded.csv"
    two.to_csv(path, index=False)
    result = validate_dictionary(units, str(path), ["f"], n_boot=200, seed=1)
    assert set(result.agreement["reference"]) == {"majority", "a", "b"}
    ties = int((two.groupby("segment_id")["present"].nunique() == 2).sum())
    assert ties > 0 and f"leaves out {ties} of 30" in result.note
    pooled = result.agreement.iloc[-1]
    for name in ("precision", "recall", "f1"):
        assert pooled[f"{name}_low"] <= pooled[name] <= pooled[f"{name}_high"]
    alpha = result.reliability.iloc[-1]
    assert alpha["alpha_coders_low"] <= alpha["alpha_coders"] <= alpha["alpha_coders_high"]
    again = validate_dictionary(units, str(path), ["f"], n_boot=200, seed=1)
    pd.testing.assert_frame_equal(again.reliability, result.reliability)


def test_interval_replicates_equal_a_direct_recomputation():
    """Each bootstrap replicate of the summed per-unit counts gives the statistic of the
    resampled units themselves (alpha by the coincidence matrix, P/R by counting)."""
    from analysis.framing.validation_intervals import alpha_from_coincidence, unit_coincidences

    units, two = _two_coders(12, seed=2)
    matrix = two.pivot(index="coder", columns="segment_id", values="present")
    labels, per_unit = unit_coincidences(matrix.to_numpy(float), matrix.columns.to_numpy())
    assert alpha_from_coincidence(per_unit.sum(axis=0)) == pytest.approx(
        krippendorff_alpha_nominal(matrix.to_numpy(float))
    )
    pick = np.random.default_rng(0).integers(0, len(labels), len(labels))
    resampled = matrix[[labels[i] for i in pick]].to_numpy(float)
    assert alpha_from_coincidence(per_unit[pick].sum(axis=0)) == pytest.approx(
        krippendorff_alpha_nominal(resampled)
    )
