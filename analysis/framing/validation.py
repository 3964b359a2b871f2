"""Validating frame dictionaries against hand coding.

1. `coding_sample` draws a stratified random sample of units for coders (by group, and
   within a group by whether the dictionary found any frame), and `coding_template`
   turns it into the sheet coders fill in: one row per unit × frame.
2. `read_coded_sample` reads the filled sheet back (unit id, frame, present, coder).
3. `dictionary_agreement` gives precision, recall and F1 of the dictionary against the
   coders' majority or against each coder; `reliability_table` gives Krippendorff's alpha
   (nominal) between coders and between the dictionary and the coders.

Krippendorff's alpha is computed from the coincidence matrix (Krippendorff 2011,
"Computing Krippendorff's Alpha-Reliability", section C), so units coded by some coders
only are handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.paths import load_researcher_csv, project_path
from analysis.corpus.validate import require_columns
from analysis.framing.frames import load_frame_dictionary
from analysis.framing.salience import group_rng
from analysis.framing.validation_intervals import alpha_interval, prf_from_counts, prf_intervals

TRUE_VALUES = {"1", "true", "yes", "y", "present"}
FALSE_VALUES = {"0", "false", "no", "n", "absent"}

SAMPLE_COLUMNS = {
    "segment_id": "unit (segment) id to code",
    "doc_id": "document id",
    "group": "comparison group (source)",
    "stratum": "sampling stratum: group | with/without dictionary hits",
    "text": "unit text shown to coders",
}
TEMPLATE_COLUMNS = {
    "segment_id": "unit (segment) id",
    "text": "unit text to read",
    "frame": "frame id to judge",
    "present": "coder's judgement: 1 if the frame is present in the unit, 0 if not",
    "coder": "coder's name or initials",
}
AGREEMENT_COLUMNS = {
    "frame": "frame id, or '(all frames)' for the micro-average over frames",
    "reference": "'majority' of coders (ties dropped) or a coder's name",
    "n_units": "unit × frame judgements compared",
    "tp": "dictionary present, reference present",
    "fp": "dictionary present, reference absent",
    "fn": "dictionary absent, reference present",
    "tn": "dictionary absent, reference absent",
    "precision": "tp / (tp + fp); empty when the dictionary found nothing",
    "recall": "tp / (tp + fn); empty when the reference found nothing",
    "f1": "2 tp / (2 tp + fp + fn): 0 when tp = 0, empty when neither side found anything",
    "precision_low": "lower bound of the 95% bootstrap interval of precision (units resampled)",
    "precision_high": "upper bound of that interval",
    "recall_low": "lower bound of the 95% bootstrap interval of recall",
    "recall_high": "upper bound of that interval",
    "f1_low": "lower bound of the 95% bootstrap interval of F1",
    "f1_high": "upper bound of that interval",
}
RELIABILITY_COLUMNS = {
    "frame": "frame id, or '(all frames)' pooling unit × frame judgements",
    "n_items": "unit × frame items judged by at least two coders",
    "n_coders": "human coders",
    "alpha_coders": "Krippendorff's alpha (nominal) among the human coders",
    "alpha_coders_dictionary": "alpha with the dictionary added as one more coder",
    "alpha_dictionary_majority": "alpha between the dictionary and the coders' majority",
    "alpha_coders_low": "lower bound of the 95% bootstrap interval of alpha_coders (units)",
    "alpha_coders_high": "upper bound of that interval",
    "alpha_dictionary_majority_low": "lower bound of the 95% interval of alpha_dictionary_majority",
    "alpha_dictionary_majority_high": "upper bound of that interval",
}


def coding_sample(
    units: pd.DataFrame, unit_frames: pd.DataFrame, size: int, seed: int
) -> pd.DataFrame:
    """A stratified random sample of `size` units: equal shares per group, and within a
    group units with and without dictionary hits in proportion (at least one of each).
    Without a `text` column in `units`, the sample has none either."""
    require_columns(units, ["segment_id", "doc_id", "group"], "coding_sample(units)")
    if size < 1:
        raise InputError(f"framing.sample_size = {size}: must be at least 1")
    any_hit = unit_frames.groupby("segment_id")["present"].max()
    columns = [c for c in ("segment_id", "doc_id", "group", "text") if c in units.columns]
    table = units[columns].reset_index(drop=True)
    table["with_hits"] = table["segment_id"].map(any_hit).fillna(0).astype(int)
    groups = sorted(table["group"].astype(str).unique())
    quotas = _equal_quotas(size, [int((table["group"] == g).sum()) for g in groups])
    parts = []
    for group, quota in zip(groups, quotas, strict=True):
        part = table[table["group"].astype(str) == group]
        rng = group_rng(seed, group)
        parts.append(_draw_within_group(part, quota, rng).assign(group=group))
    sample = pd.concat(parts, ignore_index=True)
    sample["stratum"] = (
        sample["group"] + " | " + np.where(sample["with_hits"] == 1, "with hits", "without hits")
    )
    return sample[[c for c in SAMPLE_COLUMNS if c in sample.columns]].reset_index(drop=True)


def _equal_quotas(size: int, available: list[int]) -> list[int]:
    """Split `size` as equally as possible over groups, never more than a group has."""
    quotas = [0] * len(available)
    remaining = min(size, sum(available))
    while remaining > 0:
        for i, cap in enumerate(available):
            if remaining and quotas[i] < cap:
                quotas[i] += 1
                remaining -= 1
    return quotas


def _draw_within_group(part: pd.DataFrame, quota: int, rng: np.random.Generator) -> pd.DataFrame:
    strata = [part[part["with_hits"] == 1], part[part["with_hits"] == 0]]
    sizes = np.array([len(s) for s in strata])
    take = np.floor(quota * sizes / max(sizes.sum(), 1)).astype(int)
    if quota >= 2:
        take = np.where((sizes > 0) & (take == 0), 1, take)
    while take.sum() > quota:
        take[int(np.argmax(take))] -= 1
    while take.sum() < quota:
        room = sizes - take
        take[int(np.argmax(room))] += 1
    chosen = [
        s.iloc[np.sort(rng.permutation(len(s))[:k])] for s, k in zip(strata, take, strict=True)
    ]
    return pd.concat(chosen)


def coding_template(sample: pd.DataFrame, frame_ids: list[str]) -> pd.DataFrame:
    """The sheet coders fill in: one row per sampled unit × frame, present and coder blank."""
    sheet = sample[["segment_id", "text"]].merge(pd.DataFrame({"frame": frame_ids}), how="cross")
    sheet["present"] = ""
    sheet["coder"] = ""
    return sheet[list(TEMPLATE_COLUMNS)]


def read_coded_sample(
    path: str | Path, frame_ids: list[str], unit_ids: list[str] | None = None
) -> pd.DataFrame:
    """Read coders' judgements (columns segment_id or unit_id, frame, present, coder).

    Returns segment_id, frame, coder, present (0/1). Errors name the file and CSV line.
    """
    raw = load_researcher_csv(
        path,
        "coded sample",
        "framing.coded_sample_file",
        ("segment_id", "frame", "present", "coder"),
        renames={"unit_id": "segment_id", "unit": "segment_id"},
    )
    path = project_path(path)
    for column in ("segment_id", "frame"):
        raw[column] = raw[column].str.strip()
    raw["coder"] = raw["coder"].str.strip().str.casefold()  # "A " and "a" are one coder
    known_units = set(unit_ids) if unit_ids is not None else None
    present = []
    for i, row in raw.iterrows():
        line = f"{path}, line {i + 2}"
        value = str(row["present"]).strip().lower()
        if value not in TRUE_VALUES | FALSE_VALUES:
            raise InputError(f"{line}: present = {row['present']!r}; write 1 or 0")
        if row["frame"] not in frame_ids:
            raise InputError(f"{line}: unknown frame {row['frame']!r}; known: {frame_ids}")
        if not str(row["coder"]).strip():
            raise InputError(f"{line}: empty coder; name who coded the unit")
        if known_units is not None and row["segment_id"] not in known_units:
            raise InputError(f"{line}: unit {row['segment_id']!r} is not in the corpus")
        present.append(int(value in TRUE_VALUES))
    coded = raw[["segment_id", "frame", "coder"]].assign(present=present)
    dup = coded.duplicated(["segment_id", "frame", "coder"], keep=False)
    if dup.any():
        first = coded[dup].iloc[0]
        raise InputError(
            f"{path}: coder {first['coder']!r} judged unit {first['segment_id']!r}, frame "
            f"{first['frame']!r} more than once; keep one row"
        )
    return coded.reset_index(drop=True)


def majority_codes(coded: pd.DataFrame) -> pd.DataFrame:
    """Majority judgement per unit × frame (segment_id, frame, present); ties are dropped."""
    votes = coded.groupby(["segment_id", "frame"])["present"].agg(["sum", "count"]).reset_index()
    votes = votes[2 * votes["sum"] != votes["count"]]
    votes["present"] = (2 * votes["sum"] > votes["count"]).astype(int)
    return votes[["segment_id", "frame", "present"]].reset_index(drop=True)


def _confusion_row(
    frame: str, reference: str, merged: pd.DataFrame, n_boot: int, rng: np.random.Generator
) -> dict:
    dictionary, truth = merged["dictionary"].to_numpy(), merged["present"].to_numpy()
    tp = int(((dictionary == 1) & (truth == 1)).sum())
    fp = int(((dictionary == 1) & (truth == 0)).sum())
    fn = int(((dictionary == 0) & (truth == 1)).sum())
    tn = int(((dictionary == 0) & (truth == 0)).sum())
    precision, recall, f1 = (float(v) for v in prf_from_counts(tp, fp, fn))
    intervals = prf_intervals(merged, n_boot, rng, 0.95) if n_boot else {}
    row = {
        "frame": frame, "reference": reference, "n_units": len(truth), "tp": tp, "fp": fp,
        "fn": fn, "tn": tn, "precision": precision, "recall": recall, "f1": f1,
    }  # fmt: skip
    for name in ("precision", "recall", "f1"):
        row[f"{name}_low"], row[f"{name}_high"] = intervals.get(name, (np.nan, np.nan))
    return row


def dictionary_agreement(
    unit_frames: pd.DataFrame,
    coded: pd.DataFrame,
    reference: str = "majority",
    n_boot: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """Precision, recall, F1 of the dictionary per frame (and micro-averaged over frames)
    against the coders' majority (`reference="majority"`), each coder (`"coder"`) or both
    (`"both"`), with bootstrap intervals over units when `n_boot` > 0."""
    if reference == "both":
        parts = [dictionary_agreement(unit_frames, coded, r, n_boot, seed) for r in
                 ("majority", "coder")]  # fmt: skip
        return pd.concat(parts, ignore_index=True)
    if reference not in ("majority", "coder"):
        raise InputError(f"reference {reference!r}: use 'majority', 'coder' or 'both'")
    dictionary = unit_frames[["segment_id", "frame", "present"]].rename(
        columns={"present": "dictionary"}
    )
    if reference == "majority":
        targets = [("majority", majority_codes(coded))]
    else:
        targets = [(c, coded[coded["coder"] == c]) for c in sorted(coded["coder"].unique())]
    frames = list(dict.fromkeys(unit_frames["frame"]))
    rows = []
    for name, codes in targets:
        merged = codes.merge(dictionary, on=["segment_id", "frame"], how="inner")
        for frame in [*frames, "(all frames)"]:
            part = merged if frame == "(all frames)" else merged[merged["frame"] == frame]
            rng = group_rng(seed, f"agreement\x00{name}\x00{frame}")
            rows.append(_confusion_row(frame, name, part, n_boot, rng))
    return pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))


def krippendorff_alpha_nominal(reliability_data: np.ndarray) -> float:
    """Krippendorff's alpha for nominal data: coders × units array, NaN = not coded.

    alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k, with o the coincidence
    matrix over pairable values (units coded by at least two coders). NaN if undefined
    (fewer than two pairable values, or a single category in all the data).
    """
    data = np.asarray(reliability_data, dtype=float)
    if data.ndim != 2:
        raise InputError("reliability data must be a coders × units 2-D array")
    values = np.unique(data[~np.isnan(data)])
    counts = np.stack([(data == v).sum(axis=0) for v in values], axis=1)  # units × values
    m = counts.sum(axis=1)
    counts, m = counts[m >= 2], m[m >= 2]
    if len(m) == 0 or len(values) == 0:
        return float("nan")
    coincidence = np.einsum("uc,uk->ck", counts / (m - 1)[:, None], counts.astype(float))
    coincidence -= np.diag((counts / (m - 1)[:, None]).sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    off = ~np.eye(len(values), dtype=bool)
    expected = (np.outer(n_c, n_c)[off]).sum()
    if expected == 0:
        return float("nan")
    return float(1.0 - (n - 1.0) * coincidence[off].sum() / expected)


def _alpha_for(
    codes: pd.DataFrame, dictionary: pd.Series | None, n_boot: int = 0, rng=None
) -> tuple[float, int, tuple[float, float]]:
    """Alpha over unit×frame items for the coders in `codes` (plus the dictionary), the
    number of pairable items and a bootstrap interval over units (NaN if n_boot is 0)."""
    matrix = codes.pivot_table(
        index="coder", columns=["segment_id", "frame"], values="present", aggfunc="first"
    )
    if dictionary is not None:
        row = dictionary.reindex(matrix.columns).to_numpy(dtype=float)
        matrix = pd.concat([matrix, pd.DataFrame([row], columns=matrix.columns, index=["_dict"])])
    data = matrix.to_numpy(dtype=float)
    pairable = int(((~np.isnan(data)).sum(axis=0) >= 2).sum())
    units = matrix.columns.get_level_values("segment_id").to_numpy()
    interval = alpha_interval(data, units, n_boot, rng, 0.95) if n_boot else (np.nan, np.nan)
    return krippendorff_alpha_nominal(data), pairable, interval


def reliability_table(
    unit_frames: pd.DataFrame, coded: pd.DataFrame, n_boot: int = 0, seed: int = 0
) -> pd.DataFrame:
    """Krippendorff's alpha per frame and pooled: coders, coders + dictionary, dictionary vs
    majority (RELIABILITY_COLUMNS), with bootstrap intervals over units if n_boot > 0."""
    dictionary = unit_frames.set_index(["segment_id", "frame"])["present"]
    majority = majority_codes(coded).assign(coder="_majority")
    frames = [f for f in dict.fromkeys(unit_frames["frame"]) if f in set(coded["frame"])]
    rows = []
    for frame in [*frames, "(all frames)"]:
        part = coded if frame == "(all frames)" else coded[coded["frame"] == frame]
        maj = majority if frame == "(all frames)" else majority[majority["frame"] == frame]
        rng = group_rng(seed, f"alpha\x00{frame}")
        alpha_c, n_units, coders_ci = _alpha_for(part, None, n_boot, rng)
        alpha_m, _, majority_ci = (
            _alpha_for(maj, dictionary, n_boot, rng) if len(maj) else (np.nan, 0, (np.nan,) * 2)
        )
        rows.append(
            {
                "frame": frame,
                "n_items": n_units,
                "n_coders": part["coder"].nunique(),
                "alpha_coders": alpha_c,
                "alpha_coders_dictionary": _alpha_for(part, dictionary)[0],
                "alpha_dictionary_majority": alpha_m,
                "alpha_coders_low": coders_ci[0],
                "alpha_coders_high": coders_ci[1],
                "alpha_dictionary_majority_low": majority_ci[0],
                "alpha_dictionary_majority_high": majority_ci[1],
            }
        )
    return pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))


def coding_sheet(
    units: pd.DataFrame, unit_frames: pd.DataFrame, frame_ids: list[str], size: int, seed: int
) -> pd.DataFrame:
    """The stratified sample as a sheet for coders (TEMPLATE_COLUMNS), one step."""
    return coding_template(coding_sample(units, unit_frames, size, seed), frame_ids)


@dataclass(frozen=True)
class Validation:
    """Dictionary-vs-coder agreement and reliability, with a sentence for the reader."""

    agreement: pd.DataFrame
    reliability: pd.DataFrame
    note: str


def validate_dictionary(
    unit_frames: pd.DataFrame,
    coded_sample_file: str,
    frame_ids: list[str],
    n_boot: int = 1000,
    seed: int = 0,
) -> Validation:
    """Compare the dictionary with the coders' file (params.framing.coded_sample_file);
    without a file, empty tables and a note saying how to provide one."""
    empty = Validation(
        pd.DataFrame(columns=list(AGREEMENT_COLUMNS)),
        pd.DataFrame(columns=list(RELIABILITY_COLUMNS)),
        "No coded sample yet (`framing.coded_sample_file` is empty): the frame results above "
        "are unvalidated. Have two or more coders fill in the coding sheet and set "
        "`framing.coded_sample_file` to the filled CSV.",
    )
    if not str(coded_sample_file).strip():
        return empty
    coded = read_coded_sample(
        coded_sample_file, frame_ids, list(unit_frames["segment_id"].unique())
    )
    agreement = dictionary_agreement(unit_frames, coded, "both", n_boot, seed)
    reliability = reliability_table(unit_frames, coded, n_boot, seed)
    majority = agreement[agreement["reference"] == "majority"]
    pooled = majority[majority["frame"] == "(all frames)"].iloc[0]
    alpha = reliability[reliability["frame"] == "(all frames)"].iloc[0]
    items = coded[["segment_id", "frame"]].drop_duplicates()
    dropped = len(items) - len(majority_codes(coded))
    note = (
        f"{coded['coder'].nunique()} coders ({', '.join(sorted(coded['coder'].unique()))}) "
        f"judged {coded['segment_id'].nunique()} units. The coders' majority leaves out "
        f"{dropped} of {len(items)} unit × frame items ({dropped / len(items):.0%}), on which "
        "the coders are tied; the per-coder rows of the table use every item. Pooled over "
        f"frames the dictionary reaches precision {_with_ci(pooled, 'precision')}, recall "
        f"{_with_ci(pooled, 'recall')}, F1 {_with_ci(pooled, 'f1')} against the majority; "
        f"Krippendorff's alpha is {_with_ci(alpha, 'alpha_coders')} among coders and "
        f"{_with_ci(alpha, 'alpha_dictionary_majority')} between dictionary and majority "
        "(95% bootstrap intervals over units; alpha >= 0.8 is the usual bar, >= 0.667 for "
        "tentative conclusions)."
    )
    return Validation(agreement, reliability, note)


def _with_ci(row: pd.Series, name: str) -> str:
    low, high = row[f"{name}_low"], row[f"{name}_high"]
    interval = f" [{low:.2f}, {high:.2f}]" if not (pd.isna(low) or pd.isna(high)) else ""
    return f"{row[name]:.2f}{interval}"


def check_coded_sample_file(coded_sample_file: str, frames_file: str) -> None:
    """Refuse a coded sample that cannot be read (InputError naming the file and line),
    before any notebook runs; unit ids are checked against the corpus in the notebook."""
    if str(coded_sample_file).strip():
        read_coded_sample(coded_sample_file, load_frame_dictionary(frames_file).frame_ids)


# Table schemas: the description and columns each table is saved with.
TEMPLATE_SCHEMA = {
    "description": (
        "Stratified sample of units for hand coding, one row per unit and frame; coders fill "
        "in present and coder."
    ),
    "columns": TEMPLATE_COLUMNS,
}

AGREEMENT_SCHEMA = {
    "description": (
        "Precision, recall and F1 of each frame dictionary against the coders' majority and "
        "against each coder, with 95% bootstrap intervals over units."
    ),
    "columns": AGREEMENT_COLUMNS,
}

RELIABILITY_SCHEMA = {
    "description": (
        "Krippendorff's alpha (nominal) among coders, with the dictionary as a coder, and "
        "dictionary vs majority, with 95% bootstrap intervals over units."
    ),
    "columns": RELIABILITY_COLUMNS,
}
