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
